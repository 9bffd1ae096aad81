"""SFTPDownloader: SFTP URLs through paramiko (the optional extra ``sftp``).

Connections go through :mod:`geospaas_processing.ssh`: the user's ``~/.ssh/config`` (host
aliases, HostName, Port, User, IdentityFile, UserKnownHostsFile) is honoured and host keys
are verified against the known hosts files: an unknown host is refused, never added.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from geospaas_processing import ssh
from geospaas_processing.downloaders.base import Downloader, RemoteFile, ResumePoint
from geospaas_processing.downloaders.errors import (
    AuthenticationError,
    DownloadError,
    ObsoleteURLError,
    RetriableDownloadError,
)
from geospaas_processing.downloaders.provider_settings import ProviderSettings
from geospaas_processing.errors import ConfigurationError
from geospaas_processing.redaction import redact_url, register_secrets

# paramiko's read waits until a whole chunk has arrived: small chunks (four SFTP packets of
# 32 KiB) let the transfer loop see a trickling server, at a cost negligible beside paramiko's.
CHUNK_SIZE = 128 * 1024
CONNECT_TIMEOUT = 30.0


class _Session:
    """One SSH connection and its SFTP channel."""

    def __init__(self, client, sftp) -> None:
        self.client = client
        self.sftp = sftp

    def alive(self) -> bool:
        transport = self.client.get_transport()
        return transport is not None and transport.is_active()

    def close(self) -> None:
        self.client.close()


class SFTPDownloader(Downloader):
    """Downloads over SFTP (service and scheme ``sftp``), resuming by offset.

    Credentials: the provider's username/password, else the URL's, else ``~/.ssh/config``
    and the SSH agent or keys. The resume validator is the file's size and modification time.
    One connection per host is kept and reused for transfers and size probes (one per
    thread transferring at the same time). Reads wait at most :meth:`read_timeout`; a stalled
    or dropped connection is a :class:`RetriableDownloadError`.
    """

    services = ('sftp',)
    schemes = ('sftp',)

    def __init__(self, settings: ProviderSettings) -> None:
        super().__init__(settings)
        self._idle: dict[tuple, list[_Session]] = {}
        self._lock = threading.Lock()

    def _target(self, url: str) -> tuple[ssh.SSHTarget, str | None]:
        parts = urlsplit(url)
        password = self.settings.password or unquote(parts.password or '') or None
        register_secrets(password)
        username = self.settings.username or unquote(parts.username or '') or None
        try:
            target = ssh.resolve(parts.hostname or '', port=parts.port, username=username)
        except (ssh.SSHError, ConfigurationError) as exc:
            raise DownloadError(str(exc), url=redact_url(url)) from exc
        return target, password

    @contextlib.contextmanager
    def _session(self, url: str) -> Iterator[_Session]:
        """A connected session for ``url``'s host, returned to the pool unless it failed."""
        target, password = self._target(url)
        key = (target, password)
        session = None
        with self._lock:
            idle = self._idle.setdefault(key, [])
            while idle and session is None:
                candidate = idle.pop()
                if candidate.alive():
                    session = candidate
                else:
                    candidate.close()
        if session is None:
            session = self._connect(url, target, password)
        try:
            yield session
        except BaseException:
            session.close()
            raise
        with self._lock:
            self._idle.setdefault(key, []).append(session)

    def _connect(self, url: str, target: ssh.SSHTarget, password: str | None) -> _Session:
        try:
            client = ssh.connect(target, password=password, timeout=CONNECT_TIMEOUT)
        except ssh.SSHError as exc:
            raise _from_ssh_error(exc, url) from exc
        except ConfigurationError as exc:
            raise DownloadError(str(exc), url=redact_url(url)) from exc
        try:
            sftp = client.open_sftp()
            sftp.get_channel().settimeout(self.read_timeout())
        except Exception as exc:  # paramiko's and socket's errors
            client.close()
            raise _from_ssh_error(ssh.connection_error(target, exc), url) from exc
        return _Session(client, sftp)

    def close(self) -> None:
        with self._lock:
            sessions = [session for idle in self._idle.values() for session in idle]
            self._idle = {}
        for session in sessions:
            session.close()

    def open(self, url: str, resume: ResumePoint | None = None) -> RemoteFile:
        path = unquote(urlsplit(url).path)
        pooled = self._session(url)
        session = pooled.__enter__()
        try:
            status = session.sftp.stat(path)
            handle = session.sftp.open(path, 'rb')
        except BaseException as exc:
            _exit_with(pooled, exc)
            raise _translate(exc, url) from exc
        validator = f'{status.st_size}:{status.st_mtime}'
        offset = 0
        if resume is not None and resume.validator == validator:
            offset = min(resume.offset, status.st_size)
        handle.seek(offset)
        _quiet_prefetch(handle)
        handle.prefetch(status.st_size - offset)
        state = {'failed': None}

        def close() -> None:
            try:
                handle.close()
            except (OSError, EOFError, ssh.paramiko_module().SSHException) as exc:
                state['failed'] = state['failed'] or exc
            if state['failed'] is not None:
                _exit_with(pooled, state['failed'])
            else:
                pooled.__exit__(None, None, None)

        def abort() -> None:
            # Closing the channel wakes a read waiting on it (paramiko's BufferedPipe);
            # the read then fails with EOFError and the session is not reused.
            state['failed'] = state['failed'] or EOFError('transfer aborted')
            session.sftp.get_channel().close()

        return RemoteFile(
            chunks=_chunks(handle, url, state),
            offset=offset,
            size=status.st_size,
            name=path.rsplit('/', 1)[-1],
            validator=validator,
            close_callback=close,
            abort_callback=abort,
        )

    def size(self, url: str) -> int | None:
        path = unquote(urlsplit(url).path)
        with self._session(url) as session:
            try:
                return session.sftp.stat(path).st_size
            except FileNotFoundError:
                return None
            except (OSError, EOFError, ssh.paramiko_module().SSHException) as exc:
                raise _translate(exc, url) from exc


def _quiet_prefetch(handle) -> None:
    """Keep paramiko's prefetch thread from printing a traceback when the connection drops.

    The thread only sends read requests; the reading thread meets the same failure and
    reports it as a RetriableDownloadError, so the thread's own error adds nothing but a
    traceback on the user's terminal.
    """
    paramiko = ssh.paramiko_module()
    send_requests = handle._prefetch_thread

    def prefetch_thread(*args) -> None:
        with contextlib.suppress(OSError, EOFError, paramiko.SSHException):
            send_requests(*args)

    handle._prefetch_thread = prefetch_thread


def _exit_with(pooled, exc: BaseException) -> None:
    """Leave the pooled session's context as failed: the connection is closed, not reused."""
    try:
        pooled.__exit__(type(exc), exc, exc.__traceback__)
    except BaseException as raised:
        if raised is not exc:
            raise


def _from_ssh_error(exc: ssh.SSHError, url: str) -> DownloadError:
    shown = redact_url(url)
    if exc.kind == 'authentication':
        return AuthenticationError(f'{shown}: {exc}', url=shown)
    if exc.temporary:
        return RetriableDownloadError(f'{shown}: {exc}', url=shown)
    return DownloadError(f'{shown}: {exc}', url=shown)


def _translate(exc: BaseException, url: str) -> BaseException:
    shown = redact_url(url)
    if isinstance(exc, DownloadError):
        return exc
    if isinstance(exc, FileNotFoundError) or getattr(exc, 'errno', None) == 2:
        return ObsoleteURLError(f'{shown} does not exist', url=shown)
    if isinstance(exc, PermissionError):
        return DownloadError(f'{shown} cannot be read: permission denied', url=shown)
    if isinstance(exc, OSError | EOFError | ssh.paramiko_module().SSHException):
        return RetriableDownloadError(
            f'the SFTP connection to {shown} failed: {type(exc).__name__} {exc}'.rstrip(),
            url=shown,
        )
    return exc


def _chunks(handle, url: str, state: dict) -> Iterator[bytes]:
    paramiko = ssh.paramiko_module()
    try:
        while chunk := handle.read(CHUNK_SIZE):
            yield chunk
    except (OSError, EOFError, paramiko.SSHException) as exc:
        state['failed'] = exc
        raise RetriableDownloadError(
            f'the SFTP transfer of {redact_url(url)} stalled or was cut: '
            f'{type(exc).__name__}; it will resume',
            url=redact_url(url),
        ) from exc
    except BaseException as exc:  # cancelled (GeneratorExit) mid-transfer: do not reuse
        state['failed'] = exc
        raise
