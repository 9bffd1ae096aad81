"""A read-only HTTP file server on loopback, standing in for a data provider in the demo."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """The demo prints its own summary; the access log would only add noise."""


class LoopbackFileServer:
    """Serve a directory over HTTP on 127.0.0.1 in a background thread.

    Use it as a context manager; ``url`` is the base URL of the directory.
    """

    def __init__(self, directory: Path, port: int = 0):
        handler = functools.partial(_QuietHandler, directory=str(directory))
        self._server = ThreadingHTTPServer(('127.0.0.1', port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL of the served directory, ending with a slash."""
        host, port = self._server.server_address[:2]
        return f'http://{host}:{port}/'

    def __enter__(self) -> LoopbackFileServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
