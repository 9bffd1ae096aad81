"""The one SSH module: OpenSSH client configuration, verified host keys, one way to connect.

Serves the SFTP downloader, remote storage (:mod:`geospaas_processing.storage`) and,
through it, publication over SSH. Settings come from the OpenSSH client configuration
(``~/.ssh/config`` or a given file): ``HostName``, ``User``, ``Port``, ``IdentityFile`` and
``UserKnownHostsFile``. Host keys are verified against the known-hosts files: an unknown or
changed key is refused, never accepted, with one message saying how to fix it.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geospaas_processing.errors import ConfigurationError, GeospaasProcessingError
from geospaas_processing.redaction import install_log_filter

if TYPE_CHECKING:
    import paramiko

DEFAULT_SSH_CONFIG = '~/.ssh/config'
DEFAULT_KNOWN_HOSTS = '~/.ssh/known_hosts'


def paramiko_module(purpose: str = 'SSH connections') -> Any:
    """paramiko, imported on first use.

    Raises:
        ConfigurationError: paramiko is missing; the message gives the extra to install.
    """
    try:
        import paramiko
    except ImportError as exc:
        raise ConfigurationError(
            f"{purpose}: paramiko is missing; pip install 'geospaas_processing[sftp]'"
        ) from exc
    return paramiko


class SSHError(GeospaasProcessingError):
    """An SSH session could not be opened or was lost; the message says why and what to do.

    Attributes:
        kind: ``'host_key'`` (changed or unknown host key), ``'authentication'``,
            ``'config'`` (unreadable configuration) or ``'network'`` (unreachable, timed out,
            dropped: worth retrying).
    """

    def __init__(self, message: str, kind: str = 'network') -> None:
        super().__init__(message)
        self.kind = kind

    def __reduce__(self):
        return (type(self), (str(self), self.kind))

    @property
    def temporary(self) -> bool:
        """Whether trying again later may succeed."""
        return self.kind == 'network'


@dataclass(frozen=True)
class SSHTarget:
    """Where and as whom to connect, resolved from the SSH client configuration."""

    hostname: str
    port: int
    username: str
    key_filenames: tuple[str, ...] = ()
    known_hosts: tuple[str, ...] = (DEFAULT_KNOWN_HOSTS,)

    @property
    def address(self) -> str:
        """``user@hostname:port`` (no secrets)."""
        return f'{self.username}@{self.hostname}:{self.port}'

    def known_hosts_files(self) -> list[str]:
        """The known-hosts files that exist: those read to verify the host key."""
        paths = (Path(path).expanduser() for path in self.known_hosts if path)
        return [str(path) for path in paths if path.is_file()]


def resolve(
    host: str,
    ssh_config_path: str | os.PathLike[str] | None = None,
    *,
    port: int | None = None,
    username: str | None = None,
    known_hosts_path: str | os.PathLike[str] | None = None,
) -> SSHTarget:
    """The target of ``host`` (a name or an alias of the SSH configuration).

    ``port`` and ``username``, when given (from a URL, say), win over the configuration.

    Raises:
        SSHError: the configuration file cannot be read, or has an invalid Port.
    """
    paramiko = paramiko_module()
    path = Path(ssh_config_path or DEFAULT_SSH_CONFIG).expanduser()
    if path.is_file():
        try:
            ssh_config = paramiko.SSHConfig.from_path(str(path))
        except Exception as exc:  # paramiko raises several types for a bad file
            raise SSHError(f'cannot read the SSH configuration {path}: {exc}', 'config') from exc
    elif ssh_config_path is not None:
        raise SSHError(f'the SSH configuration {path} does not exist', 'config')
    else:
        ssh_config = paramiko.SSHConfig()
    entry = ssh_config.lookup(host)
    try:
        configured_port = int(entry.get('port', 22))
    except ValueError as exc:
        raise SSHError(
            f'invalid Port for {host} in {path}: {entry.get("port")!r}', 'config'
        ) from exc
    known_hosts = [DEFAULT_KNOWN_HOSTS, *entry.get('userknownhostsfile', '').split()]
    if known_hosts_path:
        known_hosts.append(os.fspath(known_hosts_path))
    return SSHTarget(
        hostname=entry.get('hostname', host),
        port=port or configured_port,
        username=username or entry.get('user') or getpass.getuser(),
        key_filenames=tuple(os.path.expanduser(key) for key in entry.get('identityfile', [])),
        known_hosts=tuple(os.path.expanduser(name) for name in known_hosts),
    )


def connect(
    target: SSHTarget, *, password: str | None = None, timeout: float = 30.0
) -> paramiko.SSHClient:
    """An SSH client connected to ``target``, its host key verified; close it when done.

    ``timeout`` bounds the TCP connection, the banner, the authentication and (set by the
    caller on channels) each read.

    Raises:
        SSHError: with a message naming the address, and a ``kind`` saying whether to retry.
        ConfigurationError: paramiko is missing.
    """
    paramiko = paramiko_module()
    install_log_filter()
    client = paramiko.SSHClient()
    for path in target.known_hosts_files():
        client.load_system_host_keys(path)
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    try:
        client.connect(
            target.hostname,
            port=target.port,
            username=target.username,
            password=password,
            key_filename=list(target.key_filenames) or None,
            timeout=timeout,
            banner_timeout=timeout,
            auth_timeout=timeout,
        )
    except Exception as exc:  # paramiko's and socket's errors, each described below
        client.close()
        raise connection_error(target, exc) from exc
    return client


def connection_error(target: SSHTarget, exc: BaseException) -> SSHError:
    """The :class:`SSHError` for a failure to open or keep a session with ``target``."""
    paramiko = paramiko_module()
    hostname, port = target.hostname, target.port
    known_hosts_name = hostname if port == 22 else f'[{hostname}]:{port}'
    read = ', '.join(target.known_hosts_files()) or 'none found'
    kind = 'network'
    if isinstance(exc, paramiko.BadHostKeyException):
        kind, reason = (
            'host_key',
            (
                'its host key differs from the known one and does not match the known hosts '
                f'files ({read}): a reinstalled server, or an attack; refusing to connect. '
                "Once the new key is confirmed by the host's administrator, replace the old "
                f"entry (ssh-keygen -R '{known_hosts_name}', then ssh-keyscan -p {port} "
                f'{hostname} >> ~/.ssh/known_hosts)'
            ),
        )
    elif isinstance(exc, paramiko.AuthenticationException):
        kind = 'authentication'
        reason = 'authentication failed; check User and IdentityFile in the SSH config'
    elif isinstance(exc, paramiko.SSHException) and 'known_hosts' in str(exc):
        kind, reason = (
            'host_key',
            (
                'its host key is unknown: add it, after checking it, to ~/.ssh/known_hosts or '
                f'the UserKnownHostsFile of the SSH config (ssh-keyscan -p {port} {hostname} '
                f'>> ~/.ssh/known_hosts); it is not in the known-hosts files read ({read})'
            ),
        )
    else:
        reason = f'{type(exc).__name__}: {exc}' if str(exc) else type(exc).__name__
    return SSHError(f'cannot open an SSH session to {target.address}: {reason}', kind)
