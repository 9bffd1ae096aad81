"""HTTPDownloader: HTTP(S) and OPeNDAP URLs through requests, resumable with Range/If-Range."""

from __future__ import annotations

import functools
import http.client
import posixpath
import socket
import threading
from collections.abc import Callable, Iterator
from urllib.parse import unquote, urlsplit

import requests
from urllib3.exceptions import HTTPError as Urllib3HTTPError

from geospaas_processing.downloaders import _http_headers as headers_parsing
from geospaas_processing.downloaders import auth
from geospaas_processing.downloaders.base import Downloader, RemoteFile, ResumePoint
from geospaas_processing.downloaders.errors import (
    AuthenticationError,
    DownloadError,
    ObsoleteURLError,
    RetriableDownloadError,
    UnexpectedContentError,
)
from geospaas_processing.downloaders.provider_settings import ProviderSettings
from geospaas_processing.httpclient import TEMPORARY_STATUSES, retry_after_seconds
from geospaas_processing.redaction import redact_url

CHUNK_SIZE = 1024 * 1024
CONNECT_TIMEOUT = 30.0
READ_TIMEOUT = 120.0
OBSOLETE_STATUSES = {404, 410}
_HTML_TYPES = ('text/html', 'application/xhtml+xml')
_HTML_SUFFIXES = ('.html', '.htm', '.xhtml')


class _RangeMismatch(Exception):
    """A 206 answer whose range is not the one asked for."""


class HTTPDownloader(Downloader):
    """Downloads over HTTP(S) (services ``HTTPServer`` and ``OPENDAP``).

    One keep-alive session per thread and provider; the provider's ``request_parameters``
    are added to the query string; Basic or OAuth2 authentication from its settings.
    A ``206`` whose range is not the one asked for makes it start again from byte 0; a
    ``text/html`` answer for a name that is not an HTML file is refused
    (:class:`UnexpectedContentError`) unless the provider sets ``allow_html``.
    """

    def __init__(self, settings: ProviderSettings) -> None:
        super().__init__(settings)
        self._timeout = (CONNECT_TIMEOUT, self.read_timeout())
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()

    def _session(self) -> requests.Session:
        session = getattr(self._local, 'session', None)
        if session is None:
            session = auth.session_for(self.settings)
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    def _request(
        self, method: str, url: str, headers: dict[str, str], stream: bool = True
    ) -> requests.Response:
        try:
            return self._session().request(
                method,
                url,
                params=dict(self.settings.request_parameters) or None,
                headers=headers,
                stream=stream,
                timeout=self._timeout,
                allow_redirects=True,
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise RetriableDownloadError(
                f'could not reach {redact_url(url)}: {type(exc).__name__}', url=redact_url(url)
            ) from exc
        except requests.RequestException as exc:
            raise DownloadError(
                f'request to {redact_url(url)} failed: {type(exc).__name__}', url=redact_url(url)
            ) from exc

    def open(self, url: str, resume: ResumePoint | None = None) -> RemoteFile:
        headers = {}
        if resume is not None and resume.offset > 0:
            headers = {'Range': f'bytes={resume.offset}-', 'If-Range': resume.validator}
        response = self._request('GET', url, headers)
        if response.status_code == 416 and headers:
            response.close()  # the partial file is not a prefix of the remote one: start over
            return self.open(url)
        try:
            self._check_status(url, response)
            return self._remote_file(url, response, resume)
        except _RangeMismatch:
            response.close()
            if resume is None:
                raise DownloadError(
                    f'{redact_url(url)} answered a part of the file (HTTP 206) to a request '
                    'for the whole file',
                    url=redact_url(url),
                ) from None
            return self.open(url)  # drop the partial file: the transfer starts at byte 0
        except BaseException:
            response.close()
            raise

    def size(self, url: str) -> int | None:
        # Not streamed: the empty body is read at once and the connection goes back to the
        # pool, so that probing many URLs of one server reuses one connection.
        response = self._request('HEAD', url, {}, stream=False)
        self._check_status(url, response)
        length = response.headers.get('Content-Length')
        return int(length) if length and length.isdigit() else None

    def _check_status(self, url: str, response: requests.Response) -> None:
        status = response.status_code
        shown = redact_url(url)
        if status in self.settings.invalid_status_codes:
            reason = self.settings.invalid_status_codes[status] or 'listed in invalid_status_codes'
            raise ObsoleteURLError(
                f'{shown} answered HTTP {status}: {reason}', url=shown, status_code=status
            )
        if status in (200, 206):
            return
        if status in OBSOLETE_STATUSES:
            raise ObsoleteURLError(
                f'{shown} is gone (HTTP {status}): the provider no longer serves it',
                url=shown,
                status_code=status,
            )
        if status in TEMPORARY_STATUSES:
            retry_after = retry_after_seconds(response.headers.get('Retry-After'))
            wait = f', asked to retry after {retry_after:.0f} s' if retry_after is not None else ''
            raise RetriableDownloadError(
                f'{shown} is temporarily unavailable (HTTP {status}{wait})',
                url=shown,
                status_code=status,
                retry_after=retry_after,
            )
        if status in (401, 403):
            raise AuthenticationError(
                f'{shown} refused access (HTTP {status}); check the username and password of '
                f'provider {self.settings.prefix or "(none configured for this URL)"}',
                url=shown,
                status_code=status,
            )
        raise DownloadError(f'{shown} answered HTTP {status}', url=shown)

    def _remote_file(
        self, url: str, response: requests.Response, resume: ResumePoint | None
    ) -> RemoteFile:
        offset, size = 0, _content_length(response)
        if response.status_code == 206:
            parsed = headers_parsing.content_range(response.headers.get('Content-Range'))
            if parsed is None or resume is None or parsed[0] != resume.offset:
                raise _RangeMismatch
            offset, size = parsed
        name = (
            headers_parsing.content_disposition_filename(
                response.headers.get('Content-Disposition')
            )
            or _url_file_name(url)
            or _url_file_name(response.url)
        )
        self._check_content_type(url, response, name)
        return RemoteFile(
            chunks=self._chunks(url, response),
            offset=offset,
            size=size,
            name=name,
            validator=headers_parsing.strong_validator(response.headers),
            checksums=headers_parsing.checksums(
                response.headers, whole_body=response.status_code == 200
            ),
            close_callback=response.close,
            readinto=_body_reader(url, response),
            abort_callback=functools.partial(_shut_down, response),
        )

    def _check_content_type(self, url: str, response: requests.Response, name: str | None) -> None:
        content_type = response.headers.get('Content-Type', '')
        media_type = content_type.split(';')[0].strip().lower()
        if self.settings.allow_html or media_type not in _HTML_TYPES:
            return
        if name and name.lower().endswith(_HTML_SUFFIXES):
            return
        shown = redact_url(url)
        raise UnexpectedContentError(
            f'{shown} answered a web page ({content_type}) instead of the file '
            f'{name or "asked for"}: often a login or error page; nothing was saved. If this '
            f'provider really serves HTML, set allow_html: true for {self.settings.prefix or "it"} '
            'in the provider settings',
            url=shown,
            content_type=content_type,
        )

    @staticmethod
    def _chunks(url: str, response: requests.Response) -> Iterator[bytes]:
        # read1 returns what has arrived (up to CHUNK_SIZE) instead of waiting for a whole
        # chunk, so that a trickling server is seen by the low-speed check.
        raw = response.raw
        try:
            while True:
                chunk = raw.read1(CHUNK_SIZE, decode_content=False)
                if not chunk:
                    return
                yield chunk
        except (Urllib3HTTPError, requests.RequestException, OSError) as exc:
            raise RetriableDownloadError(
                f'the connection to {redact_url(url)} dropped during the transfer '
                f'({type(exc).__name__})',
                url=redact_url(url),
            ) from exc


def _body_reader(url: str, response: requests.Response) -> Callable[[memoryview], int] | None:
    """``readinto`` for the body, straight from the socket into the caller's buffer.

    urllib3's ``read1`` returns a new bytes object per call; reading the socket file of the
    http.client response it wraps saves that allocation and copy per chunk. Like ``read1``,
    it returns what has arrived rather than waiting for a full buffer, so that a trickling
    server is seen by the low-speed check. Only for a body
    framed by Content-Length (the usual file download); a chunked or unframed body goes
    through the chunks. At the end the connection goes back to the session's pool, as
    urllib3 does after its own last read.
    """
    raw = response.raw
    body = getattr(raw, '_original_response', None)
    if (
        not isinstance(body, http.client.HTTPResponse)
        or getattr(raw, '_fp', None) is not body
        or body.chunked
        or body.length is None
        or not hasattr(body.fp, 'readinto1')
    ):
        return None  # another layout or framing: the transfer iterates the chunks instead

    def readinto(buffer: memoryview) -> int:
        if body.fp is None or not body.length:  # closed, or the whole body read
            _finish()
            return 0
        if len(buffer) > body.length:
            buffer = buffer[: body.length]
        try:
            count = body.fp.readinto1(buffer)
        except (http.client.HTTPException, OSError) as exc:
            raise RetriableDownloadError(
                f'the connection to {redact_url(url)} dropped during the transfer '
                f'({type(exc).__name__})',
                url=redact_url(url),
            ) from exc
        body.length -= count
        if not count or not body.length:  # the end, or the server closed early
            _finish()
        return count

    def _finish() -> None:
        # http.client's own end of body: its readinto closes the socket file the same way.
        if body.fp is not None:
            body._close_conn()
        raw.release_conn()

    return readinto


def _shut_down(response: requests.Response) -> None:
    """Cut the response's connection so that a read blocked on it returns at once.

    ``shutdown`` wakes a ``recv`` blocked in another thread (Linux); ``close`` would not.
    The read then sees the end of the stream (or an error) and the connection is not reused.
    """
    connection = getattr(response.raw, 'connection', None)
    sock = getattr(connection, 'sock', None)
    if sock is not None:
        sock.shutdown(socket.SHUT_RDWR)


def _content_length(response: requests.Response) -> int | None:
    value = response.headers.get('Content-Length', '')
    return int(value) if value.isdigit() else None


def _url_file_name(url: str | None) -> str | None:
    if not url:
        return None
    return unquote(posixpath.basename(urlsplit(url).path)) or None
