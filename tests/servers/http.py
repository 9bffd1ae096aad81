"""A configurable threaded HTTP file server on loopback, standing in for data providers.

Fixture ``http_server`` (one server per test). Files are added with :meth:`add_file`, each
with its behaviour: Basic auth or OAuth2 bearer/URL tokens, Content-Disposition, Range
support, statuses answered before the file (429/503 with Retry-After, 404), a connection
dropped mid-body, digests, throttling, a body that trickles or stalls after some bytes, a
206 answer with another range than the one asked for, any Content-Type. The server logs
every request, counts the TCP connections it accepted and the transfers running at once, so
tests can observe limits and connection reuse from the server side. Fixture
``other_http_server`` is a second server on another port (another origin).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

CHUNK = 64 * 1024


@dataclass
class ServedFile:
    """What the server answers for one path."""

    content: bytes
    content_disposition: str | None = None
    etag: str | None = None
    ranges: bool = True
    auth: str | None = None  # None, 'basic' or 'oauth2'
    statuses: list[int] = field(default_factory=list)  # answered (in order) before the file
    retry_after: str | None = None
    drop_after: int | None = None  # close the connection after this many body bytes...
    drops: int = 0  # ...this many times
    rate: float | None = None  # bytes per second
    digests: tuple[str, ...] = ()  # 'content-md5', 'digest', 'repr-digest'
    corrupt_digest: bool = False
    redirect_to: str | None = None
    keep_query_on_redirect: bool = False  # append the request's query to redirect_to
    content_type: str = 'application/octet-stream'
    trickle_after: int | None = None  # after this many body bytes, send one byte per...
    trickle_interval: float = 1.0  # ...this many seconds
    wrong_range: bool = False  # answer a Range request with a 206 for another range
    # Called with the method (GET, HEAD) before answering: a test holds or synchronises answers.
    before_answer: Callable[[str], None] | None = None


@dataclass
class RequestRecord:
    method: str
    path: str
    query: dict
    headers: dict


class LoopbackHTTPServer:
    """The server; ``url(path)`` gives a file's URL, ``requests`` the log."""

    def __init__(self) -> None:
        self.files: dict[str, ServedFile] = {}
        self.requests: list[RequestRecord] = []
        self.username = 'reader'
        self.password = 'basic-secret-PW1'
        self.client_id = 'test-client'
        self.totp_secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
        self.token_lifetime = 3600
        self.token_failures: list[int] = []  # statuses the token endpoint answers first
        self.token_requests = 0
        self.valid_tokens: set[str] = set()
        self.active_transfers = 0
        self.max_active_transfers = 0
        self.connections = 0
        self.closing = threading.Event()
        self.sending = threading.Event()  # cleared by stall(): bodies stop, connections stay
        self.sending.set()
        self._open_sockets: set = set()
        self._lock = threading.Lock()
        handler = type('Handler', (_Handler,), {'owner': self})
        self._server = ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f'http://{host}:{port}'

    def url(self, path: str) -> str:
        return f'{self.base_url}{path}'

    @property
    def token_url(self) -> str:
        return self.url('/token')

    def add_file(self, path: str, content: bytes, **behaviour) -> str:
        """Serve ``content`` at ``path`` with the given :class:`ServedFile` behaviour."""
        served = ServedFile(content, **behaviour)
        if served.etag is None:
            served.etag = '"' + hashlib.sha256(content).hexdigest()[:16] + '"'
        self.files[path] = served
        return self.url(path)

    def stall(self) -> Callable[[], None]:
        """Stop sending on every connection, keeping them open; return what resumes."""
        self.sending.clear()
        return self.sending.set

    def issue_token(self) -> str:
        with self._lock:
            self.token_requests += 1
            token = f'token-{self.token_requests}-{time.monotonic_ns()}'
            self.valid_tokens.add(token)
        return token

    def transfer_started(self) -> None:
        with self._lock:
            self.active_transfers += 1
            self.max_active_transfers = max(self.max_active_transfers, self.active_transfers)

    def transfer_ended(self) -> None:
        with self._lock:
            self.active_transfers -= 1

    def connection_accepted(self, connection) -> None:
        with self._lock:
            self.connections += 1
            self._open_sockets.add(connection)

    def connection_closed(self, connection) -> None:
        with self._lock:
            self._open_sockets.discard(connection)

    def cut(self) -> None:
        """Sever every open connection from the server side, as a failing network does."""
        with self._lock:
            sockets = list(self._open_sockets)
        for connection in sockets:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class _Handler(BaseHTTPRequestHandler):
    owner: LoopbackHTTPServer
    protocol_version = 'HTTP/1.1'

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is in ``owner.requests``."""

    def setup(self) -> None:
        super().setup()
        self.owner.connection_accepted(self.connection)

    def finish(self) -> None:
        self.owner.connection_closed(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def handle(self) -> None:
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):  # clients that go away
            super().handle()

    def _record(self) -> RequestRecord:
        parts = urlsplit(self.path)
        record = RequestRecord(self.command, parts.path, parse_qs(parts.query), dict(self.headers))
        self.owner.requests.append(record)
        return record

    def _reply(self, status: int, body: bytes = b'', headers: dict | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def do_POST(self) -> None:
        record = self._record()
        length = int(self.headers.get('Content-Length', 0))
        form = parse_qs(self.rfile.read(length).decode())
        if record.path != '/token':
            self._reply(404)
            return
        self._token(form)

    def _token(self, form: dict) -> None:
        import pyotp

        owner = self.owner
        if owner.token_failures:
            self._reply(owner.token_failures.pop(0))
            return
        value = {key: values[0] for key, values in form.items()}
        valid = (
            value.get('grant_type') == 'password'
            and value.get('client_id') == owner.client_id
            and value.get('username') == owner.username
            and value.get('password') == owner.password
            and pyotp.TOTP(owner.totp_secret).verify(value.get('totp', ''), valid_window=1)
        )
        if not valid:
            self._reply(401, b'{"error": "invalid_grant"}')
            return
        body = (
            f'{{"access_token": "{owner.issue_token()}", "expires_in": {owner.token_lifetime},'
            ' "token_type": "Bearer"}'
        ).encode()
        self._reply(200, body, {'Content-Type': 'application/json'})

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        record = self._record()
        served = self.owner.files.get(record.path)
        if served is None:
            self._reply(404, b'not found')
            return
        if served.before_answer is not None:
            served.before_answer(self.command)
        if not self._authorized(served, record):
            self._reply(401, b'unauthorized', {'WWW-Authenticate': 'Basic realm="test"'})
            return
        if served.statuses:
            status = served.statuses.pop(0)
            headers = {'Retry-After': served.retry_after} if served.retry_after else {}
            self._reply(status, b'try later', headers)
            return
        if served.redirect_to:
            location = served.redirect_to
            query = urlsplit(self.path).query
            if served.keep_query_on_redirect and query:
                location = f'{location}?{query}'
            self._reply(302, b'', {'Location': location})
            return
        self._send_file(served)

    def _authorized(self, served: ServedFile, record: RequestRecord) -> bool:
        if served.auth == 'basic':
            expected = base64.b64encode(
                f'{self.owner.username}:{self.owner.password}'.encode()
            ).decode()
            return record.headers.get('Authorization') == f'Basic {expected}'
        if served.auth == 'oauth2':
            header = record.headers.get('Authorization', '')
            token = header.removeprefix('Bearer ') if header.startswith('Bearer ') else None
            token = token or (record.query.get('token') or [None])[0]
            return token in self.owner.valid_tokens
        return True

    def _range_start(self, served: ServedFile) -> int:
        requested = self.headers.get('Range', '')
        if not served.ranges or not requested.startswith('bytes='):
            return 0
        condition = self.headers.get('If-Range')
        if condition is not None and condition != served.etag:
            return 0
        start = requested.removeprefix('bytes=').split('-')[0]
        return int(start) if start.isdigit() else 0

    def _headers(self, served: ServedFile, start: int) -> dict:
        content = served.content
        headers = {'Content-Type': served.content_type, 'ETag': served.etag}
        if served.ranges:
            headers['Accept-Ranges'] = 'bytes'
        if start:
            headers['Content-Range'] = f'bytes {start}-{len(content) - 1}/{len(content)}'
        if served.content_disposition:
            headers['Content-Disposition'] = served.content_disposition
        digest_source = content + (b'x' if served.corrupt_digest else b'')
        if 'content-md5' in served.digests and not start:
            headers['Content-MD5'] = base64.b64encode(hashlib.md5(digest_source).digest()).decode()
        if 'digest' in served.digests:
            value = base64.b64encode(hashlib.sha256(digest_source).digest()).decode()
            headers['Digest'] = f'SHA-256={value}'
        if 'repr-digest' in served.digests:
            value = base64.b64encode(hashlib.sha512(digest_source).digest()).decode()
            headers['Repr-Digest'] = f'sha-512=:{value}:'
        return headers

    def _send_file(self, served: ServedFile) -> None:
        start = self._range_start(served)
        if start >= len(served.content) > 0:
            self._reply(416, b'', {'Content-Range': f'bytes */{len(served.content)}'})
            return
        headers = self._headers(served, start)
        if start and served.wrong_range:  # RFC 9110 14.4: the range must be the one asked for
            start = start // 2
            headers['Content-Range'] = (
                f'bytes {start}-{len(served.content) - 1}/{len(served.content)}'
            )
        body = served.content[start:]
        self.send_response(206 if start else 200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if self.command == 'HEAD':
            return
        self.owner.transfer_started()
        try:
            self._write_body(served, body)
        finally:
            self.owner.transfer_ended()

    def _sending(self) -> bool:
        """Wait while the server is stalled (silent, connections open); False when closing."""
        while not self.owner.sending.wait(0.05):
            if self.owner.closing.is_set():
                return False
        return True

    def _write_body(self, served: ServedFile, body: bytes) -> None:
        limit = len(body)
        if served.drop_after is not None and served.drops > 0:
            served.drops -= 1
            limit = min(limit, served.drop_after)
        sent = 0
        try:
            while sent < limit:
                end = min(limit, sent + CHUNK)
                if served.trickle_after is not None and sent >= served.trickle_after:
                    self.wfile.flush()
                    if self.owner.closing.wait(served.trickle_interval):
                        return
                    end = sent + 1
                elif served.trickle_after is not None:
                    end = min(end, served.trickle_after)
                chunk = body[sent:end]
                if not self._sending():
                    return
                if served.rate:  # before writing, so the transfer ends with its last byte
                    time.sleep(len(chunk) / served.rate)
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:  # the client went away, or the test cut the connection
            self.close_connection = True
            return
        if limit < len(body):
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)


@pytest.fixture
def http_server():
    """A fresh :class:`LoopbackHTTPServer` on 127.0.0.1, shut down after the test."""
    server = LoopbackHTTPServer()
    yield server
    server.close()


@pytest.fixture
def other_http_server():
    """A second :class:`LoopbackHTTPServer`: same host, another port, so another origin."""
    server = LoopbackHTTPServer()
    yield server
    server.close()
