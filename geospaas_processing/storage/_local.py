"""Storage in a directory of a local disk."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from geospaas_processing import locks
from geospaas_processing.storage._base import (
    ACTIVE_AGE,
    LOCK_TIMEOUT,
    MIN_AGE,
    Candidate,
    NotEnoughSpaceError,
    StorageError,
    check_needed,
    free_oldest,
    may_delete,
)
from geospaas_processing.storage._downloads import (
    DOWNLOAD_RECORD_NAME,
    completed_download,
    delete_download,
    deleting_download,
    is_deletable_download,
)


class LocalStorage:
    """A directory on a local disk.

    Args:
        root: the directory; created when first needed.
        managed: whether :meth:`free_space` may delete files under ``root`` to make room.
        min_age: files modified less than this many seconds ago are never deleted.
    """

    def __init__(
        self, root: str | os.PathLike[str], *, managed: bool = True, min_age: float = MIN_AGE
    ) -> None:
        self.root = Path(root).expanduser().absolute()
        self.managed = managed
        self.min_age = min_age

    def __repr__(self) -> str:
        return f'LocalStorage({str(self.root)!r}, managed={self.managed})'

    def path(self, relative_path: str | os.PathLike[str]) -> Path:
        """The absolute path of ``relative_path`` under the root; refuses to leave the root."""
        candidate = (self.root / relative_path).resolve()
        if not candidate.is_relative_to(self.root.resolve()):
            raise StorageError(f'{relative_path} is outside the storage root {self.root}')
        return candidate

    def get_free_space(self) -> int:
        """Bytes free for this user on the disk of the root."""
        self.root.mkdir(parents=True, exist_ok=True)
        return shutil.disk_usage(self.root).free

    def get_file_size(self, relative_path: str | os.PathLike[str]) -> int:
        """Size in bytes of a file, or of every file in a directory, under the root."""
        path = self.path(relative_path)
        if path.is_dir():
            return sum(entry.stat().st_size for entry in path.rglob('*') if entry.is_file())
        return path.stat().st_size

    def listdir(self, relative_path: str | os.PathLike[str] = '.') -> list[str]:
        """Names of the entries of a directory under the root, sorted."""
        return sorted(os.listdir(self.path(relative_path)))

    def remove(self, relative_path: str | os.PathLike[str]) -> None:
        """Delete a file or a directory tree under the root (missing: nothing to do)."""
        path = self.path(relative_path)
        if path == self.root.resolve():
            raise StorageError(f'refusing to remove the storage root {self.root}')
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)

    def clear(self, *, active_within: float = ACTIVE_AGE) -> list[str]:
        """Remove every entry at the top of the root except those in use; return their names.

        An entry in use is one where anything (a file, a partial download being written, a
        directory) was modified less than ``active_within`` seconds ago: a clean-up must not
        rely on locks alone, which a restarted or flushed Redis forgets. Nothing is removed
        when the root does not exist.
        """
        if not self.root.is_dir():
            return []
        newest = time.time() - active_within
        removed = []
        for entry in sorted(self.root.iterdir()):
            if _modified_since(entry, newest):
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry.name)
        return removed

    def free_space(self, needed_bytes: int, *, lock_timeout: float = LOCK_TIMEOUT) -> list[Path]:
        """Make ``needed_bytes`` free on the disk of the root; return the paths deleted.

        Follows the package's free-space rule for download directories: only completed
        downloads (named by their dataset directory's manifest) are deleted, oldest first,
        with their manifest, and never one whose dataset lock is held (it is held while
        deleting); partial files, young files, links, hard-linked files and every other file
        are kept. An unmanaged storage deletes nothing.

        Raises:
            NotEnoughSpaceError: the room cannot be made; nothing was deleted (unless
                deleted files stay open elsewhere and keep their space).
            locks.LockBusy: another process kept cleaning for ``lock_timeout`` seconds.
        """
        needed_bytes = check_needed(needed_bytes)
        if self.get_free_space() >= needed_bytes:
            return []
        with locks.named_lock(f'free-space:{self.root}', blocking_timeout=lock_timeout):
            free = self.get_free_space()  # another process may have cleaned meanwhile
            if free >= needed_bytes:
                return []
            if not self.managed:
                raise NotEnoughSpaceError(
                    f'{needed_bytes} bytes needed under {self.root} but only {free} are free, '
                    'and this storage is not managed (files are never deleted to make room)',
                    needed=needed_bytes,
                    available=free,
                )
            deleted = free_oldest(
                self._candidates(), free, needed_bytes, str(self.root), self._delete, self._measure
            )
            return [Path(path) for path in deleted]

    def _candidates(self) -> Iterator[Candidate]:
        newest = time.time() - self.min_age
        for directory, _, names in os.walk(self.root):
            if DOWNLOAD_RECORD_NAME not in names:
                continue
            download = completed_download(directory)
            if download is None:
                continue
            try:
                status = os.lstat(download.path)
            except FileNotFoundError:
                continue
            # Deleting one name of a hard-linked file frees nothing: such files stay.
            if (
                status.st_nlink == 1
                and may_delete(download.path.name, status.st_mtime, newest)
                and is_deletable_download(directory)
            ):
                # Blocks in use, not the apparent size (sparse files, block rounding).
                yield Candidate(str(download.path), status.st_mtime, status.st_blocks * 512)

    def _delete(self, path: str) -> bool:
        directory = Path(path).parent
        with deleting_download(directory) as download:
            if download is None or str(download.path) != path:  # taken meanwhile, or gone
                return False
            deleted = delete_download(download)
        self._remove_empty_parents(directory.parent)
        return deleted

    def _measure(self) -> int:
        return shutil.disk_usage(self.root).free

    def _remove_empty_parents(self, directory: Path) -> None:
        while directory != self.root and directory.is_relative_to(self.root):
            try:
                directory.rmdir()
            except OSError:
                return
            directory = directory.parent


def _modified_since(entry: Path, moment: float) -> bool:
    """Whether ``entry`` or anything under it (links not followed) changed after ``moment``."""
    try:
        if entry.lstat().st_mtime > moment:
            return True
    except FileNotFoundError:
        return False
    if not entry.is_dir() or entry.is_symlink():
        return False
    for directory, subdirectories, names in os.walk(entry):
        for name in subdirectories + names:
            try:
                if os.lstat(os.path.join(directory, name)).st_mtime > moment:
                    return True
            except FileNotFoundError:
                continue
    return False
