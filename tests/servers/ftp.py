"""An FTP server on loopback (pyftpdlib) in a background thread: fixture ``ftp_server``."""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class LoopbackFTPServer:
    """A running server; ``root`` is the directory it serves, ``url(path)`` a file's URL."""

    host: str
    port: int
    root: Path
    username: str
    password: str

    def url(self, relative_path: str, with_credentials: bool = False) -> str:
        userinfo = f'{self.username}:{self.password}@' if with_credentials else ''
        return f'ftp://{userinfo}{self.host}:{self.port}/{relative_path.lstrip("/")}'


@pytest.fixture
def ftp_server(tmp_path_factory: pytest.TempPathFactory):
    """pyftpdlib serving a temporary directory to one user (read-only) and anonymous users."""
    with warnings.catch_warnings():
        # pyftpdlib imports asyncore/asynchat, deprecated on Python 3.11: third-party noise.
        warnings.simplefilter('ignore', DeprecationWarning)
        from pyftpdlib.authorizers import DummyAuthorizer
        from pyftpdlib.handlers import FTPHandler
        from pyftpdlib.servers import ThreadedFTPServer

    root = tmp_path_factory.mktemp('ftp_root')
    authorizer = DummyAuthorizer()
    authorizer.add_user('ftpuser', 'ftp-secret-PW2', str(root), perm='elr')
    handler = type('Handler', (FTPHandler,), {'authorizer': authorizer})
    handler.passive_ports = None
    handler.auth_failed_timeout = 0.05
    server = ThreadedFTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={'timeout': 0.2}, daemon=True)
    thread.start()
    host, port = server.address[:2]
    yield LoopbackFTPServer(host, port, root, 'ftpuser', 'ftp-secret-PW2')
    server.close_all()
    thread.join(timeout=5)
