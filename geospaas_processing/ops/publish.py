"""Publish processed files: as URLs of the work directory, or copied to an FTP tree over SSH.

Errors::

    GeospaasProcessingError
    └── PublishError                 the file could not be published
        └── RemoteSpaceError         not enough free space on the remote host, even after clean-up

Over SSH the copy goes through :class:`geospaas_processing.storage.RemoteStorage`: the
user's OpenSSH client configuration is honoured (``~/.ssh/config`` or a given file), host
keys are verified, files are uploaded under a partial name and renamed when complete, and
space is freed by the package's free-space rule. Its errors are re-raised as the errors above.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from geospaas_processing import config
from geospaas_processing.errors import GeospaasProcessingError
from geospaas_processing.storage import NotEnoughSpaceError, RemoteStorage, StorageError


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
    ``ftp_root/ftp_path`` are deleted until the file fits, following the package's
    free-space rule (files younger than a minute and partial uploads are kept; see
    ``geospaas_processing.storage``).

    Args:
        local_root: the directory ``relative_path`` is relative to (the work directory).
        relative_path: the file to publish; it keeps this path under the FTP project.
        host: the SSH host name or ``~/.ssh/config`` alias, also used in the returned URL.
        ftp_root: the directory of the FTP server's root on ``host``.
        ftp_path: the project directory under the FTP root.
        ssh_config_path: an OpenSSH client configuration file to use instead of
            ``~/.ssh/config``.
        free_oldest: delete the oldest published files when space is short.
        timeout: seconds allowed to connect and for each network operation.

    Returns:
        The ``ftp://`` URL of the published file.

    Raises:
        PublishError: unknown host key, connection or authentication failure, transfer error.
        RemoteSpaceError: not enough remote space (and none could be freed).
        ConfigurationError: paramiko is not installed.
        LockBusy: another process kept freeing space on the same directory for too long.
    """
    relative = clean_relative_path(relative_path)
    local_file = Path(local_root) / relative
    if not local_file.is_file():
        raise PublishError(f'cannot publish {local_file}: no such file')
    project = posixpath.join(ftp_root, ftp_path.strip('/'))
    remote = RemoteStorage(
        host, project, ssh_config_path=ssh_config_path, managed=free_oldest, timeout=timeout
    )
    try:
        with remote:
            remote.free_space(local_file.stat().st_size)
            remote.put(local_file, relative)
    except NotEnoughSpaceError as exc:
        hint = '' if free_oldest else ' (free_oldest=True deletes the oldest published files)'
        raise RemoteSpaceError(
            f'not enough space to publish {relative} on {host}: {exc}{hint}'
        ) from exc
    except StorageError as exc:
        raise PublishError(f'cannot publish {relative} to {host}: {exc}') from exc
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
    ``local_root`` (default: the work directory), freeing the oldest published files
    when ``GEOSPAAS_PROCESSING_FTP_FREE_OLDEST`` is true. ``ssh_options`` go to
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
        ssh_options.setdefault(
            'free_oldest', config.get_bool('GEOSPAAS_PROCESSING_FTP_FREE_OLDEST')
        )
        return publish_over_ssh(
            local_root if local_root is not None else config.work_dir(),
            relative_path,
            *(values[name] for name in names),
            values['GEOSPAAS_PROCESSING_FTP_PATH'],
            **ssh_options,
        )
    raise PublishError(f"unknown publish mode {mode!r}: expected 'in_place' or 'ftp'")
