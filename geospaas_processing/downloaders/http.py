"""HTTPDownloader: HTTP(S) and OPeNDAP URLs through requests, resumable with Range/If-Range."""

from __future__ import annotations

import http.client
import posixpath
import threading
from collections.abc import Callable, Iterator
from urllib.parse import unquote, urlsplit

import requests
from urllib3.exceptions import HTTPError as Urllib3HTTPError

from geospaas_processing.downloaders import _http_headers as headers_parsing
from geospaas_processing.downloaders import auth
from geospaas_processing.downloaders._redact import install_log_filter, redact_url
from geospaas_processing.downloaders.base import Downloader, RemoteFile, ResumePoint
from geospaas_processing.downloaders.errors import (
    AuthenticationError,
    DownloadError,
    ObsoleteURLError,
    RetriableDownloadError,
)
from geospaas_processing.downloaders.provider_settings import ProviderSettings

CHUNK_SIZE = 1024 * 1024
TIMEOUT = (30, 120)  # connect, read (seconds)
OBSOLETE_STATUSES = {404, 410}
RETRIABLE_STATUSES = {408, 425, 429, 500, 502, 503, 504}


class HTTPDownloader(Downloader):
    """Downloads over HTTP(S) (services ``HTTPServer`` and ``OPENDAP``).

    One keep-alive session per thread and provider; the provider's ``request_parameters``
    are added to the query string; Basic or OAuth2 authentication from its settings.
    """

    services = ('HTTPServer', 'OPENDAP')
    schemes = ('http', 'https')

    def __init__(self, settings: ProviderSettings) -> None:
        super().__init__(settings)
        install_log_filter()
        self._auth = auth.for_settings(settings)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()

    def _session(self) -> requests.Session:
        session = getattr(self._local, 'session', None)
        if session is None:
            session = auth.ProviderSession()
            session.auth = self._auth
            session.headers['Accept-Encoding'] = 'identity'
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    def _request(self, method: str, url: str, headers: dict[str, str]) -> requests.Response:
        try:
            return self._session().request(
                method,
                url,
                params=dict(self.settings.request_parameters) or None,
                headers=headers,
                stream=True,
                timeout=TIMEOUT,
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
            response = self._request('GET', url, {})
        try:
            self._check_status(url, response)
            return self._remote_file(url, response, resume)
        except BaseException:
            response.close()
            raise

    def size(self, url: str) -> int | None:
        response = self._request('HEAD', url, {})
        try:
            # Reading the (empty) body hands the connection back to the pool; closing an
            # unread streamed response would close the connection instead.
            response.content  # noqa: B018
        finally:
            response.close()
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
        if status in RETRIABLE_STATUSES:
            retry_after = auth.retry_after_seconds(response.headers.get('Retry-After'))
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
                raise RetriableDownloadError(
                    f'{redact_url(url)} answered a range that was not asked for',
                    url=redact_url(url),
                )
            offset, size = parsed
        return RemoteFile(
            chunks=self._chunks(url, response),
            offset=offset,
            size=size,
            name=headers_parsing.content_disposition_filename(
                response.headers.get('Content-Disposition')
            )
            or _url_file_name(url)
            or _url_file_name(response.url),
            validator=headers_parsing.strong_validator(response.headers),
            checksums=headers_parsing.checksums(
                response.headers, whole_body=response.status_code == 200
            ),
            close_callback=response.close,
            readinto=_body_reader(url, response),
        )

    @staticmethod
    def _chunks(url: str, response: requests.Response) -> Iterator[bytes]:
        raw = response.raw
        try:
            while True:
                chunk = raw.read(CHUNK_SIZE, decode_content=False)
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
    """``readinto`` for the body, straight from http.client into the caller's buffer.

    urllib3's ``read(amount)`` returns a new bytes object per call (and its ``readinto``
    copies one); reading the http.client response it wraps saves that allocation and copy
    per chunk. Content-Length and chunked framing are still http.client's. At the end the
    connection goes back to the session's pool, as urllib3 does after its own last read.
    """
    raw = response.raw
    body = getattr(raw, '_original_response', None)
    if not isinstance(body, http.client.HTTPResponse) or getattr(raw, '_fp', None) is not body:
        return None  # another urllib3 layout: the transfer iterates the chunks instead

    def readinto(buffer: memoryview) -> int:
        try:
            count = body.readinto(buffer)
        except (http.client.HTTPException, OSError) as exc:
            raise RetriableDownloadError(
                f'the connection to {redact_url(url)} dropped during the transfer '
                f'({type(exc).__name__})',
                url=redact_url(url),
            ) from exc
        if not count and body.isclosed():
            raw.release_conn()
        return count

    return readinto


def _content_length(response: requests.Response) -> int | None:
    value = response.headers.get('Content-Length', '')
    return int(value) if value.isdigit() else None


def _url_file_name(url: str | None) -> str | None:
    if not url:
        return None
    return unquote(posixpath.basename(urlsplit(url).path)) or None
