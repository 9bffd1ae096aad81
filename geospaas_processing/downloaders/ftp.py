"""FTPDownloader: FTP URLs through ftplib, resumable with REST."""

from __future__ import annotations

import contextlib
import ftplib
import socket
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from geospaas_processing.downloaders.base import Downloader, RemoteFile, ResumePoint
from geospaas_processing.downloaders.errors import (
    AuthenticationError,
    DownloadError,
    ObsoleteURLError,
    RetriableDownloadError,
)
from geospaas_processing.redaction import redact_url, register_secrets

CHUNK_SIZE = 1024 * 1024
TIMEOUT = 60.0
_TEMPORARY = (OSError, EOFError, ftplib.error_temp, ftplib.error_reply)


class FTPDownloader(Downloader):
    """Downloads over FTP (service and scheme ``ftp``).

    Credentials: the provider's username/password, else those in the URL, else anonymous.
    A transfer resumes (``REST``) when the file's size and modification time are unchanged.
    """

    services = ('ftp',)
    schemes = ('ftp',)

    def _connect(self, url: str) -> tuple[ftplib.FTP, str]:
        parts = urlsplit(url)
        username = self.settings.username or unquote(parts.username or '') or 'anonymous'
        password = self.settings.password or unquote(parts.password or '') or 'anonymous@'
        register_secrets(password if username != 'anonymous' else None)
        connection = ftplib.FTP(timeout=min(TIMEOUT, self.read_timeout()))
        try:
            connection.connect(parts.hostname or '', parts.port or 21)
            connection.login(username, password)
            connection.voidcmd('TYPE I')
        except ftplib.error_perm as exc:
            connection.close()
            raise AuthenticationError(
                f'{redact_url(url)} refused the login of {username!r}; check the username and '
                f'password of provider {self.settings.prefix or "(none configured)"}',
                url=redact_url(url),
            ) from exc
        except _TEMPORARY as exc:
            connection.close()
            raise RetriableDownloadError(
                f'could not reach {redact_url(url)}: {type(exc).__name__}', url=redact_url(url)
            ) from exc
        return connection, unquote(parts.path)

    def open(self, url: str, resume: ResumePoint | None = None) -> RemoteFile:
        connection, path = self._connect(url)
        try:
            size, validator = self._describe(connection, url, path)
            offset = 0
            if resume is not None and validator and resume.validator == validator:
                offset = min(resume.offset, size or 0)
            data = connection.transfercmd(f'RETR {path}', rest=offset or None)
        except BaseException as exc:
            connection.close()
            translated = _translate(exc, url)
            if translated is exc:
                raise
            raise translated from exc

        def close() -> None:
            data.close()
            connection.close()

        def abort() -> None:
            # shutdown wakes a recv blocked in another thread; both sockets, so that
            # neither the data nor the wait for the server's end-of-transfer reply holds.
            for sock in (data, connection.sock):
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)

        return RemoteFile(
            chunks=_chunks(connection, data, url),
            offset=offset,
            size=size,
            name=path.rsplit('/', 1)[-1],
            validator=validator,
            close_callback=close,
            abort_callback=abort,
        )

    @staticmethod
    def _describe(connection: ftplib.FTP, url: str, path: str) -> tuple[int | None, str | None]:
        try:
            size = connection.size(path)
        except ftplib.error_perm as exc:
            raise ObsoleteURLError(
                f'{redact_url(url)} does not exist', url=redact_url(url)
            ) from exc
        try:
            modified = connection.voidcmd(f'MDTM {path}').split()[-1]
        except ftplib.error_perm:
            modified = None
        return size, f'{size}:{modified}' if modified else None

    def size(self, url: str) -> int | None:
        connection, path = self._connect(url)
        try:
            return self._describe(connection, url, path)[0]
        finally:
            connection.close()


def _translate(exc: BaseException, url: str) -> BaseException:
    if isinstance(exc, DownloadError | KeyboardInterrupt | SystemExit):
        return exc
    shown = redact_url(url)
    if isinstance(exc, ftplib.error_perm):
        return ObsoleteURLError(f'{shown} cannot be retrieved: {exc}', url=shown)
    if isinstance(exc, _TEMPORARY):
        return RetriableDownloadError(f'FTP transfer of {shown} failed: {exc}', url=shown)
    return exc


def _chunks(connection: ftplib.FTP, data: socket.socket, url: str) -> Iterator[bytes]:
    try:
        while chunk := data.recv(CHUNK_SIZE):
            yield chunk
        data.close()
        connection.voidresp()
    except _TEMPORARY as exc:
        raise RetriableDownloadError(
            f'the FTP transfer of {redact_url(url)} was cut: {type(exc).__name__}',
            url=redact_url(url),
        ) from exc
