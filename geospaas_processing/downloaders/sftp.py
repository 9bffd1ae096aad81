"""SFTPDownloader: SFTP URLs through paramiko (the optional extra ``sftp``).

Honours the user's ``~/.ssh/config`` (host aliases, HostName, Port, User, IdentityFile,
UserKnownHostsFile) and verifies host keys against the known hosts files: an unknown host is
refused, never added.
"""

from __future__ import annotations

import getpass
import os
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
TIMEOUT = 30.0


def _paramiko():
    try:
        import paramiko
    except ImportError as exc:
        raise DownloadError(
            "SFTP downloads need paramiko: pip install 'geospaas_processing[sftp]'"
        ) from exc
    return paramiko


class SFTPDownloader(Downloader):
    """Downloads over SFTP (service and scheme ``sftp``), resuming by offset.

    Credentials: the provider's username/password, else the URL's, else ``~/.ssh/config``
    and the SSH agent or keys. The resume validator is the file's size and modification time.
    """

    services = ('sftp',)
    schemes = ('sftp',)

    def _connect(self, url: str):
        paramiko = _paramiko()
        parts = urlsplit(url)
        host_config = _ssh_config(paramiko).lookup(parts.hostname or '')
        password = self.settings.password or unquote(parts.password or '') or None
        register_secrets(password)
        client = paramiko.SSHClient()
        client.load_system_host_keys()
        for known_hosts in host_config.get('userknownhostsfile', '').split():
            if os.path.exists(os.path.expanduser(known_hosts)):
                client.load_host_keys(os.path.expanduser(known_hosts))
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        try:
            client.connect(
                host_config.get('hostname', parts.hostname),
                port=parts.port or int(host_config.get('port', 22)),
                username=self.settings.username
                or unquote(parts.username or '')
                or host_config.get('user')
                or getpass.getuser(),
                password=password,
                key_filename=host_config.get('identityfile'),
                timeout=TIMEOUT,
            )
            return client, client.open_sftp()
        except BaseException as exc:
            client.close()
            _reraise(_translate(paramiko, exc, url), exc)

    def open(self, url: str, resume: ResumePoint | None = None) -> RemoteFile:
        client, sftp = self._connect(url)
        path = unquote(urlsplit(url).path)
        try:
            status = sftp.stat(path)
            handle = sftp.open(path, 'rb')
        except BaseException as exc:
            client.close()
            _reraise(_translate(_paramiko(), exc, url), exc)
        validator = f'{status.st_size}:{status.st_mtime}'
        offset = 0
        if resume is not None and resume.validator == validator:
            offset = min(resume.offset, status.st_size)
        handle.seek(offset)
        handle.prefetch(status.st_size - offset)

        def close() -> None:
            handle.close()
            client.close()

        return RemoteFile(
            chunks=_chunks(handle, url),
            offset=offset,
            size=status.st_size,
            name=path.rsplit('/', 1)[-1],
            validator=validator,
            close_callback=close,
        )

    def size(self, url: str) -> int | None:
        client, sftp = self._connect(url)
        try:
            return sftp.stat(unquote(urlsplit(url).path)).st_size
        except OSError:
            return None
        finally:
            client.close()


def _ssh_config(paramiko):
    path = os.path.expanduser('~/.ssh/config')
    return paramiko.SSHConfig.from_path(path) if os.path.exists(path) else paramiko.SSHConfig()


def _translate(paramiko, exc: BaseException, url: str) -> BaseException:
    shown = redact_url(url)
    if isinstance(exc, paramiko.AuthenticationException):
        return AuthenticationError(f'{shown} refused the SSH credentials', url=shown)
    if isinstance(exc, paramiko.BadHostKeyException | paramiko.SSHException):
        return DownloadError(
            f'SSH connection to {shown} refused: {type(exc).__name__} (is the host in '
            'known_hosts?)',
            url=shown,
        )
    if isinstance(exc, FileNotFoundError) or getattr(exc, 'errno', None) == 2:
        return ObsoleteURLError(f'{shown} does not exist', url=shown)
    if isinstance(exc, OSError | EOFError):
        return RetriableDownloadError(f'SFTP connection to {shown} failed: {exc}', url=shown)
    return exc


def _reraise(translated: BaseException, original: BaseException):
    if translated is original:
        raise original
    raise translated from original


def _chunks(handle, url: str) -> Iterator[bytes]:
    try:
        while chunk := handle.read(CHUNK_SIZE):
            yield chunk
    except (OSError, EOFError) as exc:
        raise RetriableDownloadError(
            f'the SFTP transfer of {redact_url(url)} was cut: {type(exc).__name__}',
            url=redact_url(url),
        ) from exc
