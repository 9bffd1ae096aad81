"""An FTP server on loopback (pyftpdlib) in a background thread: fixture ``ftp_server``."""

from __future__ import annotations

import contextlib
import socket
import threading
import warnings
from dataclasses import dataclass, field
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
    handlers: list = field(default_factory=list)
    # Cleared by stall(): data connections stop sending and stay open.
    sending: threading.Event = field(default_factory=threading.Event)

    def url(self, relative_path: str, with_credentials: bool = False) -> str:
        userinfo = f'{self.username}:{self.password}@' if with_credentials else ''
        return f'ftp://{userinfo}{self.host}:{self.port}/{relative_path.lstrip("/")}'

    def stall(self):
        """Stop sending on every data connection, keeping them open; return what resumes."""
        self.sending.clear()
        return self.sending.set

    def cut(self) -> None:
        """Sever every open control and data connection from the server side."""
        for handler in list(self.handlers):
            for channel in (getattr(handler, 'data_channel', None), handler):
                with contextlib.suppress(OSError, AttributeError):
                    channel.socket.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def ftp_server(tmp_path_factory: pytest.TempPathFactory):
    """pyftpdlib serving a temporary directory to one user (read-only) and anonymous users."""
    with warnings.catch_warnings():
        # pyftpdlib imports asyncore/asynchat, deprecated on Python 3.11: third-party noise.
        warnings.simplefilter('ignore', DeprecationWarning)
        from pyftpdlib.authorizers import DummyAuthorizer
        from pyftpdlib.handlers import DTPHandler, FTPHandler
        from pyftpdlib.servers import ThreadedFTPServer

    root = tmp_path_factory.mktemp('ftp_root')
    authorizer = DummyAuthorizer()
    authorizer.add_user('ftpuser', 'ftp-secret-PW2', str(root), perm='elr')
    handlers: list = []

    def on_connect(self) -> None:
        handlers.append(self)

    sending = threading.Event()
    sending.set()

    def handle_write(self) -> None:
        # Stalled: the connection's own server thread waits, sending nothing.
        sending.wait()
        DTPHandler.handle_write(self)

    dtp_handler = type('StallableDTPHandler', (DTPHandler,), {'handle_write': handle_write})
    handler = type(
        'Handler',
        (FTPHandler,),
        {'authorizer': authorizer, 'on_connect': on_connect, 'dtp_handler': dtp_handler},
    )
    handler.passive_ports = None
    handler.auth_failed_timeout = 0.05
    server = ThreadedFTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={'timeout': 0.2}, daemon=True)
    thread.start()
    host, port = server.address[:2]
    yield LoopbackFTPServer(host, port, root, 'ftpuser', 'ftp-secret-PW2', handlers, sending)
    sending.set()
    server.close_all()
    thread.join(timeout=5)
