"""Storage in a directory of another host, over SSH and SFTP (paramiko).

Connection settings come from the OpenSSH client configuration (``~/.ssh/config`` or the
given file): ``HostName``, ``User``, ``Port``, ``IdentityFile`` and ``UserKnownHostsFile``.
Host keys are always verified against the known-hosts files: an unknown or changed key is
refused, never accepted silently.
"""

from __future__ import annotations

import os
import posixpath
import shlex
import stat
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from geospaas_processing import locks, ssh
from geospaas_processing.storage._base import (
    LOCK_TIMEOUT,
    MIN_AGE,
    PARTIAL_SUFFIX,
    Candidate,
    NotEnoughSpaceError,
    StorageError,
    check_needed,
    free_oldest,
    may_delete,
)

if TYPE_CHECKING:
    import paramiko


def _paramiko() -> Any:
    return ssh.paramiko_module('remote storage')


class RemoteStorage:
    """A directory on another host reached over SSH; use it as a context manager or close() it.

    Args:
        host: a host name or an alias of the SSH client configuration.
        root: the directory on that host (relative: to the login directory).
        ssh_config_path: OpenSSH client configuration to read (default ``~/.ssh/config`` when
            it exists).
        known_hosts_path: a known-hosts file to trust besides ``~/.ssh/known_hosts`` and the
            configuration's ``UserKnownHostsFile``.
        managed: whether :meth:`free_space` may delete files under ``root`` to make room.
        min_age: files modified less than this many seconds ago are never deleted.
        timeout: seconds allowed to connect and for each network operation.

    One connection is opened on first use and reused; an instance is not meant to be shared
    between threads.
    """

    def __init__(
        self,
        host: str,
        root: str,
        *,
        ssh_config_path: str | os.PathLike[str] | None = None,
        known_hosts_path: str | os.PathLike[str] | None = None,
        managed: bool = True,
        min_age: float = MIN_AGE,
        timeout: float = 30.0,
    ) -> None:
        self.host = host
        self.root = root.rstrip('/') or '/'
        self.managed = managed
        self.min_age = min_age
        self.timeout = timeout
        self._ssh_config_path = ssh_config_path
        self._known_hosts_path = known_hosts_path
        self._settings: ssh.SSHTarget | None = None
        self._client: paramiko.SSHClient | None = None
        self._sftp: paramiko.SFTPClient | None = None

    def __repr__(self) -> str:
        return f'RemoteStorage({self.host!r}, {self.root!r}, managed={self.managed})'

    def __enter__(self) -> RemoteStorage:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # Connection

    @property
    def address(self) -> str:
        """``user@hostname:port`` as resolved from the SSH configuration (no secrets)."""
        return self._resolve().address

    def _resolve(self) -> ssh.SSHTarget:
        if self._settings is None:
            try:
                self._settings = ssh.resolve(
                    self.host, self._ssh_config_path, known_hosts_path=self._known_hosts_path
                )
            except ssh.SSHError as exc:
                raise StorageError(str(exc)) from exc
        return self._settings

    def _connect(self) -> paramiko.SFTPClient:
        if self._sftp is not None:
            return self._sftp
        try:
            client = ssh.connect(self._resolve(), timeout=self.timeout)
        except ssh.SSHError as exc:
            raise StorageError(str(exc)) from exc
        try:
            sftp = client.open_sftp()
        except Exception as exc:
            client.close()
            raise StorageError(str(ssh.connection_error(self._resolve(), exc))) from exc
        sftp.get_channel().settimeout(self.timeout)
        self._client, self._sftp = client, sftp
        return sftp

    def close(self) -> None:
        """Close the connection (a later call opens a new one)."""
        if self._client is not None:
            self._client.close()
        self._client = self._sftp = None

    def _run(self, command: str) -> str:
        self._connect()
        assert self._client is not None
        try:
            _, stdout, stderr = self._client.exec_command(command, timeout=self.timeout)
            output = stdout.read().decode('utf-8', 'replace')
            status = stdout.channel.recv_exit_status()
            error = stderr.read().decode('utf-8', 'replace').strip()
        except Exception as exc:
            raise StorageError(f'running {command!r} on {self.address} failed: {exc}') from exc
        if status != 0:
            raise StorageError(f'{command!r} on {self.address} exited with {status}: {error}')
        return output

    # Paths

    def path(self, relative_path: str) -> str:
        """The remote path of ``relative_path`` under the root; refuses to leave the root."""
        relative = PurePosixPath(relative_path)
        if relative.is_absolute() or '..' in relative.parts:
            raise StorageError(
                f'{relative_path} must be a relative path inside the storage root {self.root}'
            )
        return posixpath.join(self.root, *relative.parts) if relative.parts else self.root

    def _makedirs(self, directory: str) -> None:
        sftp = self._connect()
        missing = []
        while directory not in ('', '/'):
            try:
                sftp.stat(directory)
                break
            except FileNotFoundError:
                missing.append(directory)
                directory = posixpath.dirname(directory)
        for path in reversed(missing):
            try:
                sftp.mkdir(path)
            except OSError:
                if not stat.S_ISDIR(sftp.stat(path).st_mode):  # made meanwhile by another
                    raise

    # Operations

    def get_free_space(self) -> int:
        """Bytes free for the login user on the disk of the root (``df -Pk`` there).

        The root is created when missing.
        """
        return self._status()[0]

    def _status(self) -> tuple[int, float]:
        """Free bytes under the root and the remote clock, in one command."""
        self._sftp_call('create directories', self._makedirs, self.root)
        output = self._run(f'df -Pk -- {shlex.quote(self.root)} && date +%s')
        lines = output.strip().splitlines()
        try:
            return int(lines[-2].split()[3]) * 1024, float(lines[-1])
        except (IndexError, ValueError) as exc:
            raise StorageError(f'unexpected df output from {self.address}: {output!r}') from exc

    def put(self, local_path: str | os.PathLike[str], remote_relative_path: str) -> str:
        """Copy a local file to ``remote_relative_path`` under the root; return its remote path.

        Directories are created as needed. The file is written under a partial name then
        renamed: the final name never shows an incomplete file, and an existing file is
        replaced at once.
        """
        target = self.path(remote_relative_path)
        directory, name = posixpath.split(target)
        temporary = posixpath.join(directory, f'.{name}{PARTIAL_SUFFIX}')
        sftp = self._connect()
        self._sftp_call('create directories', self._makedirs, directory)
        try:
            sftp.put(os.fspath(local_path), temporary, confirm=True)
            sftp.posix_rename(temporary, target)
        except Exception as exc:
            try:
                sftp.remove(temporary)
            except OSError:
                pass  # never written, or the session died: nothing more to do
            raise StorageError(
                f'copying {local_path} to {self.address}:{target} failed: {exc}'
            ) from exc
        return target

    def remove(self, remote_relative_path: str) -> None:
        """Delete a file or a directory tree under the root (missing: nothing to do)."""
        target = self.path(remote_relative_path)
        if target == self.root:
            raise StorageError(f'refusing to remove the storage root {self.root}')
        self._sftp_call('remove files', self._remove_tree, target)

    def _remove_tree(self, path: str) -> None:
        sftp = self._connect()
        try:
            attributes = sftp.lstat(path)
        except FileNotFoundError:
            return
        if stat.S_ISDIR(attributes.st_mode):
            for entry in sftp.listdir_attr(path):
                self._remove_tree(posixpath.join(path, entry.filename))
            sftp.rmdir(path)
        else:
            sftp.remove(path)

    def get_file_size(self, remote_relative_path: str) -> int:
        """Size in bytes of a file under the root."""
        target = self.path(remote_relative_path)
        return self._sftp_call('read a file size', lambda: self._connect().stat(target).st_size)

    def listdir(self, remote_relative_path: str = '.') -> list[str]:
        """Names of the entries of a directory under the root, sorted."""
        target = self.path(remote_relative_path)
        return sorted(self._sftp_call('list a directory', lambda: self._connect().listdir(target)))

    def free_space(self, needed_bytes: int, *, lock_timeout: float = LOCK_TIMEOUT) -> list[str]:
        """Make ``needed_bytes`` free on the remote disk of the root; return the paths deleted.

        Follows the package's free-space rule (see ``geospaas_processing.storage``): regular
        files with a single link (counted on the remote host with ``find -links 1``), oldest
        first; file ages are measured with the remote host's clock. An unmanaged storage
        deletes nothing.

        Raises:
            NotEnoughSpaceError: the room cannot be made; nothing was deleted.
            StorageError: the host could not be reached or refused an operation.
        """
        needed_bytes = check_needed(needed_bytes)
        if self.get_free_space() >= needed_bytes:
            return []
        lock_name = f'free-space:{self.address}:{self.root}'
        with locks.named_lock(lock_name, blocking_timeout=lock_timeout):
            free, now = self._status()
            if free >= needed_bytes:
                return []
            if not self.managed:
                raise NotEnoughSpaceError(
                    f'{needed_bytes} bytes needed on {self.address}:{self.root} but only {free} '
                    'are free, and this storage is not managed (nothing is deleted to make room)',
                    needed=needed_bytes,
                    available=free,
                )
            candidates = self._sftp_call('list files', lambda: list(self._candidates(now)))
            return self._sftp_call(
                'delete files',
                free_oldest,
                candidates,
                free,
                needed_bytes,
                f'{self.address}:{self.root}',
                self._delete,
                self.get_free_space,
            )

    def _single_link_files(self) -> set[str]:
        """The regular files under the root with one link, counted by the remote host.

        SFTP (version 3) does not report link counts, so POSIX ``find -links 1`` runs there.
        """
        root = shlex.quote(self.root)
        output = self._run(f"find {root} -type f -links 1 -exec printf '%s\\0' {{}} +")
        return {path for path in output.split('\0') if path}

    def _candidates(self, now: float) -> Iterator[Candidate]:
        sftp = self._connect()
        newest = now - self.min_age
        single_link = self._single_link_files()
        pending = [self.root]
        while pending:
            directory = pending.pop()
            for entry in sftp.listdir_attr(directory):
                path = posixpath.join(directory, entry.filename)
                if stat.S_ISDIR(entry.st_mode):
                    pending.append(path)
                # Deleting one name of a hard-linked file frees nothing and loses that name.
                elif (
                    stat.S_ISREG(entry.st_mode)
                    and path in single_link
                    and may_delete(entry.filename, entry.st_mtime, newest)
                ):
                    yield Candidate(path, entry.st_mtime, entry.st_size)

    def _delete(self, path: str) -> bool:
        sftp = self._connect()
        try:
            sftp.remove(path)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise StorageError(f'cannot delete {self.address}:{path}: {exc}') from exc
        directory = posixpath.dirname(path)
        while directory != self.root and directory.startswith(f'{self.root}/'):
            try:
                sftp.rmdir(directory)
            except OSError:
                break
            directory = posixpath.dirname(directory)
        return True

    def _sftp_call(self, action: str, function: Any, *args: Any) -> Any:
        """Run an SFTP operation; its failures become StorageErrors naming the host."""
        try:
            return function(*args)
        except StorageError:
            raise
        except (OSError, EOFError, _paramiko().SSHException) as exc:
            raise StorageError(f'cannot {action} on {self.address}: {exc}') from exc
