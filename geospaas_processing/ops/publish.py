"""Publish processed files: as URLs of the work directory, or copied to an FTP tree over SSH.

Errors::

    GeospaasProcessingError
    └── PublishError                 the file could not be published
        └── RemoteSpaceError         not enough free space on the remote host, even after clean-up

Over SSH the connection honours the user's OpenSSH client configuration (``~/.ssh/config``
or a given file: ``HostName``, ``Port``, ``User``, ``IdentityFile``,
``UserKnownHostsFile``) and refuses hosts whose key is not in the known hosts files.
Files are uploaded over SFTP under a temporary name and renamed when complete.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import shlex
import stat
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from geospaas_processing import config
from geospaas_processing.errors import GeospaasProcessingError


class PublishError(GeospaasProcessingError):
    """A file could not be published; the message names the host or path and the cause."""


class RemoteSpaceError(PublishError):
    """The remote file system does not have room for the file, even after freeing space."""


def clean_relative_path(relative_path: str) -> str:
    """``relative_path`` normalised (``./a//b`` → ``a/b``); PublishError if it escapes its root."""
    path = PurePosixPath(relative_path.replace(os.sep, '/'))
    if path.is_absolute() or '..' in path.parts or not path.parts or str(path) == '.':
        raise PublishError(f'cannot publish {relative_path!r}: expected a path inside the root')
    return str(path)


def publish_in_place(relative_path: str, prefix: str) -> str:
    """The URL of a file of the work directory served under ``prefix``.

    >>> publish_in_place('./foo/dataset 180.nc', 'https://data.example.com/work/')
    'https://data.example.com/work/foo/dataset%20180.nc'
    """
    if not prefix:
        raise PublishError('cannot publish in place: set GEOSPAAS_PROCESSING_PUBLISH_PREFIX')
    return f'{prefix.rstrip("/")}/{quote(clean_relative_path(relative_path))}'


@dataclass(frozen=True)
class SSHTarget:
    """Where and how to connect, as resolved from the SSH client configuration."""

    alias: str
    hostname: str
    port: int
    username: str | None
    identity_files: tuple[str, ...]
    known_hosts_files: tuple[str, ...]


def resolve_ssh_target(host: str, ssh_config_path: str | os.PathLike | None = None) -> SSHTarget:
    """Read the OpenSSH client configuration for ``host`` (default file: ``~/.ssh/config``)."""
    paramiko = _paramiko()
    config_path = Path(ssh_config_path or Path('~/.ssh/config').expanduser())
    entry = {}
    if config_path.is_file():
        try:
            entry = paramiko.SSHConfig.from_path(str(config_path)).lookup(host)
        except (OSError, ValueError, paramiko.SSHException) as exc:
            raise PublishError(f'cannot read the SSH configuration {config_path}: {exc}') from exc
    known_hosts = entry.get('userknownhostsfile', '~/.ssh/known_hosts').split()
    return SSHTarget(
        alias=host,
        hostname=entry.get('hostname', host),
        port=int(entry.get('port', 22)),
        username=entry.get('user'),
        identity_files=tuple(os.path.expanduser(path) for path in entry.get('identityfile', [])),
        known_hosts_files=tuple(os.path.expanduser(path) for path in known_hosts),
    )


def publish_over_ssh(
    local_root: str | os.PathLike,
    relative_path: str,
    host: str,
    ftp_root: str,
    ftp_path: str,
    *,
    ssh_config_path: str | os.PathLike | None = None,
    free_oldest: bool = False,
    timeout: float = 30.0,
) -> str:
    """Copy ``local_root/relative_path`` to ``host:ftp_root/ftp_path/relative_path`` over SSH.

    Example: ``host='ftp.domain.com'``, ``ftp_root='/ftp_root'``, ``ftp_path='project'``
    and ``'./foo/dataset_180.nc'`` put the file at
    ``/ftp_root/project/foo/dataset_180.nc`` on that host and return
    ``'ftp://ftp.domain.com/project/foo/dataset_180.nc'``.

    Before uploading, the free space of the remote file system is checked (``df``); when
    it is too small and ``free_oldest`` is set, the oldest files under
    ``ftp_root/ftp_path`` are deleted until the file fits.

    Args:
        local_root: the directory ``relative_path`` is relative to (the work directory).
        relative_path: the file to publish; it keeps this path under the FTP project.
        host: the SSH host name or ``~/.ssh/config`` alias, also used in the returned URL.
        ftp_root: the directory of the FTP server's root on ``host``.
        ftp_path: the project directory under the FTP root.
        ssh_config_path: an OpenSSH client configuration file to use instead of
            ``~/.ssh/config``.
        free_oldest: delete the oldest published files when space is short.
        timeout: seconds to wait for the connection.

    Returns:
        The ``ftp://`` URL of the published file.

    Raises:
        PublishError: unknown host key, connection or authentication failure, transfer error.
        RemoteSpaceError: not enough remote space (and none could be freed).
    """
    relative = clean_relative_path(relative_path)
    local_file = Path(local_root) / relative
    if not local_file.is_file():
        raise PublishError(f'cannot publish {local_file}: no such file')
    project = posixpath.join(ftp_root, ftp_path.strip('/'))
    remote_file = posixpath.join(project, relative)
    target = resolve_ssh_target(host, ssh_config_path)
    with _connect(target, timeout) as client:
        needed = local_file.stat().st_size
        _ensure_space(client, target, project, needed, free_oldest)
        _upload(client, local_file, remote_file, host)
    url_path = '/'.join(part for part in (ftp_path.strip('/'), relative) if part)
    return f'ftp://{host}/{quote(url_path)}'


def publish(
    relative_path: str,
    mode: str = 'in_place',
    *,
    local_root: str | os.PathLike | None = None,
    **ssh_options,
) -> str:
    """Publish with the settings of the environment (what the ``publish`` task does).

    ``in_place`` uses ``GEOSPAAS_PROCESSING_PUBLISH_PREFIX``; ``ftp`` uses
    ``GEOSPAAS_PROCESSING_FTP_HOST``, ``_FTP_ROOT`` and ``_FTP_PATH`` and copies from
    ``local_root`` (default: the work directory). ``ssh_options`` go to
    :func:`publish_over_ssh`.

    Raises:
        ConfigurationError: a variable the mode needs is unset (all of them are named).
        PublishError: the publication itself failed.
    """
    if mode == 'in_place':
        prefix = config.require('GEOSPAAS_PROCESSING_PUBLISH_PREFIX')
        return publish_in_place(relative_path, prefix['GEOSPAAS_PROCESSING_PUBLISH_PREFIX'])
    if mode == 'ftp':
        names = ('GEOSPAAS_PROCESSING_FTP_HOST', 'GEOSPAAS_PROCESSING_FTP_ROOT')
        values = config.require(*names, 'GEOSPAAS_PROCESSING_FTP_PATH')
        return publish_over_ssh(
            local_root if local_root is not None else config.work_dir(),
            relative_path,
            *(values[name] for name in names),
            values['GEOSPAAS_PROCESSING_FTP_PATH'],
            **ssh_options,
        )
    raise PublishError(f"unknown publish mode {mode!r}: expected 'in_place' or 'ftp'")


# --- connection ----------------------------------------------------------------------------


def _paramiko():
    try:
        import paramiko
    except ImportError as exc:
        raise PublishError(
            'publishing over SSH needs paramiko: pip install "geospaas_processing[sftp]"'
        ) from exc
    return paramiko


class _Connection:
    """An SSH client and its SFTP session, closed together."""

    def __init__(self, client, sftp) -> None:
        self.client = client
        self.sftp = sftp

    def __enter__(self) -> _Connection:
        return self

    def __exit__(self, *exc_info) -> None:
        self.sftp.close()
        self.client.close()

    def run(self, command: str) -> str:
        """Run a command on the host and return its output; PublishError on failure."""
        _, stdout, stderr = self.client.exec_command(command, timeout=60)
        output = stdout.read().decode(errors='replace')
        if stdout.channel.recv_exit_status() != 0:
            error = stderr.read().decode(errors='replace').strip()
            raise PublishError(f'remote command {command!r} failed: {error}')
        return output


def _connect(target: SSHTarget, timeout: float) -> _Connection:
    paramiko = _paramiko()
    client = paramiko.SSHClient()
    for known_hosts in target.known_hosts_files:
        if os.path.isfile(known_hosts):
            client.load_host_keys(known_hosts)
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    where = f'{target.alias} ({target.hostname}:{target.port})'
    try:
        client.connect(
            target.hostname,
            port=target.port,
            username=target.username,
            key_filename=list(target.identity_files) or None,
            look_for_keys=not target.identity_files,
            timeout=timeout,
            banner_timeout=timeout,
            auth_timeout=timeout,
        )
        return _Connection(client, client.open_sftp())
    except paramiko.BadHostKeyException as exc:
        client.close()
        raise PublishError(
            f'the host key of {where} does not match the known hosts file: refusing to connect'
        ) from exc
    except paramiko.AuthenticationException as exc:
        client.close()
        raise PublishError(f'authentication to {where} failed: check User/IdentityFile') from exc
    except paramiko.SSHException as exc:
        client.close()
        message = str(exc)
        if 'not found in known_hosts' in message:
            message = (
                'its host key is unknown: add it to your known hosts'
                f' (ssh-keyscan -p {target.port} {target.hostname} >> ~/.ssh/known_hosts,'
                ' after checking it)'
            )
        raise PublishError(f'cannot connect to {where}: {message}') from exc
    except OSError as exc:
        client.close()
        raise PublishError(f'cannot connect to {where}: {exc}') from exc


# --- space -----------------------------------------------------------------------------------


def remote_free_space(connection: _Connection, directory: str) -> int:
    """Bytes available to the user on the file system holding ``directory`` (POSIX ``df``)."""
    output = connection.run(f'df -P -k -- {shlex.quote(directory)}')
    try:
        return int(output.strip().splitlines()[-1].split()[3]) * 1024
    except (IndexError, ValueError) as exc:
        raise PublishError(f'unexpected df output on the remote host: {output!r}') from exc


def _ensure_space(
    connection: _Connection, target: SSHTarget, project: str, needed: int, free_oldest: bool
) -> None:
    _makedirs(connection.sftp, project)
    available = remote_free_space(connection, project)
    if available >= needed:
        return
    if free_oldest:
        for path, size in _oldest_first(connection.sftp, project):
            connection.sftp.remove(path)
            available += size
            if available >= needed:
                break
        available = remote_free_space(connection, project)
    if available < needed:
        raise RemoteSpaceError(
            f'not enough space on {target.alias} under {project}: {needed} bytes needed,'
            f' {available} available'
        )


def _oldest_first(sftp, directory: str) -> list[tuple[str, int]]:
    files = sorted(_walk(sftp, directory))
    return [(path, size) for _, path, size in files]


def _walk(sftp, directory: str) -> Iterator[tuple[float, str, int]]:
    for entry in sftp.listdir_attr(directory):
        path = posixpath.join(directory, entry.filename)
        if stat.S_ISDIR(entry.st_mode):
            yield from _walk(sftp, path)
        elif stat.S_ISREG(entry.st_mode):
            yield entry.st_mtime, path, entry.st_size


# --- upload ----------------------------------------------------------------------------------


def _makedirs(sftp, directory: str) -> None:
    missing = []
    current = directory
    while current not in ('', '/'):
        try:
            sftp.stat(current)
            break
        except FileNotFoundError:
            missing.append(current)
            current = posixpath.dirname(current)
    for path in reversed(missing):
        sftp.mkdir(path)


def _upload(connection: _Connection, local_file: Path, remote_file: str, host: str) -> None:
    sftp = connection.sftp
    directory, name = posixpath.split(remote_file)
    temporary = posixpath.join(directory, f'.{name}.{uuid.uuid4().hex[:8]}.part')
    try:
        _makedirs(sftp, directory)
        sftp.put(str(local_file), temporary, confirm=True)
        sftp.posix_rename(temporary, remote_file)
    except OSError as exc:
        with contextlib.suppress(OSError):  # the temporary file may never have been created
            sftp.remove(temporary)
        raise PublishError(
            f'cannot upload {local_file.name} to {host}:{remote_file}: {exc}'
        ) from exc
