"""A loopback HTTP file server that can send slowly and counts completed downloads."""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class SlowFileServer:
    """Serve the files of a directory at a bounded rate; record requests and completions."""

    def __init__(self, directory: Path, bytes_per_second: int | None = None):
        self.directory = directory
        self.bytes_per_second = bytes_per_second
        self.requests: Counter[str] = Counter()
        self.completed: Counter[str] = Counter()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # noqa: A002 - the base class's name
                pass

            def do_HEAD(self):  # noqa: N802 - http.server's naming
                self._respond(send_body=False)

            def do_GET(self):  # noqa: N802
                self._respond(send_body=True)

            def _respond(self, send_body: bool) -> None:
                path = server.directory / self.path.lstrip('/')
                if not path.is_file():
                    self.send_error(404)
                    return
                with server._lock:
                    server.requests[self.path] += 1
                data = path.read_bytes()
                self.send_response(200)
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                if send_body and server.send_slowly(self.wfile, data):
                    with server._lock:
                        server.completed[self.path] += 1

        self._server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def send_slowly(self, stream, data: bytes) -> bool:
        """Write ``data`` at the configured rate; False when the client went away."""
        chunk = 16384
        try:
            for start in range(0, len(data), chunk):
                stream.write(data[start : start + chunk])
                if self.bytes_per_second:
                    time.sleep(chunk / self.bytes_per_second)
            stream.flush()
        except (BrokenPipeError, ConnectionResetError):
            return False
        return True

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f'http://{host}:{port}/'

    def completed_downloads(self, path: str) -> int:
        with self._lock:
            return self.completed[path]

    def wait_for_request(self, path: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self.requests[path]:
                    return True
            time.sleep(0.05)
        return False

    def __enter__(self) -> SlowFileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
