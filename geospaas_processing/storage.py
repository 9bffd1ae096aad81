"""Where files are kept: local and remote (SSH) storage, their free space and its clean-up.

Tree of errors::

    GeospaasProcessingError
    └── StorageError                 a storage could not be read, written or reached
        └── NotEnoughSpaceError      even deleting every deletable file would not make room

Free-space rule (``free_space`` of both storages): when a storage is *managed*, files under
its root are deleted oldest first (by modification time) until the requested room is free.
Never deleted: in-progress downloads (names ending in ``PARTIAL_SUFFIX``, see
:func:`is_partial_file`), files modified less than ``min_age`` seconds ago (a minute by
default: just finished, probably about to be used) and symbolic links. When even deleting
all the others would not be enough, nothing is deleted and ``NotEnoughSpaceError`` is raised.
Two processes never clean the same root at once (``locks.named_lock``).
"""

from __future__ import annotations

import os
import shutil
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from geospaas_processing import locks
from geospaas_processing.errors import GeospaasProcessingError

__all__ = [
    'MIN_AGE',
    'PARTIAL_SUFFIX',
    'LocalStorage',
    'NotEnoughSpaceError',
    'StorageError',
    'is_partial_file',
    'partial_path',
]

PARTIAL_SUFFIX = '.part'
MIN_AGE = 60.0
LOCK_TIMEOUT = 120.0


class StorageError(GeospaasProcessingError):
    """Root of the errors of ``geospaas_processing.storage``."""


class NotEnoughSpaceError(StorageError):
    """The space asked for cannot be made free.

    Attributes:
        needed: bytes asked for.
        available: bytes that were free (or could have been made free), at most.
    """

    def __init__(self, message: str, *, needed: int = 0, available: int = 0) -> None:
        super().__init__(message)
        self.needed = needed
        self.available = available


def is_partial_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names an in-progress download (which clean-ups must leave alone)."""
    return os.fspath(path).endswith(PARTIAL_SUFFIX)


def partial_path(path: str | os.PathLike[str]) -> Path:
    """The temporary name under which the file ``path`` is written before being renamed to it.

    ``dir/name`` gives ``dir/.name.part``: hidden, in the same directory (so the final rename
    is atomic), and recognised by :func:`is_partial_file`.
    """
    path = Path(path)
    return path.with_name(f'.{path.name}{PARTIAL_SUFFIX}')


@dataclass(frozen=True)
class _Candidate:
    """A file that a clean-up may delete."""

    path: str
    mtime: float
    size: int


def _choose_deletions(
    candidates: list[_Candidate], free: int, needed: int, root: str
) -> list[_Candidate]:
    """The oldest candidates whose sizes bring ``free`` up to ``needed``; raise if impossible."""
    chosen, expected = [], free
    for candidate in sorted(candidates, key=lambda candidate: (candidate.mtime, candidate.path)):
        if expected >= needed:
            break
        chosen.append(candidate)
        expected += candidate.size
    if expected < needed:
        raise NotEnoughSpaceError(
            f'{needed} bytes needed under {root} but only {free} are free and deleting the '
            f'{len(candidates)} old file(s) that may be deleted would free {expected - free} '
            'more; make room or point the work directory to a larger disk',
            needed=needed,
            available=expected,
        )
    return chosen


def _check_needed(needed_bytes: int) -> int:
    if isinstance(needed_bytes, bool) or not isinstance(needed_bytes, int) or needed_bytes < 0:
        raise ValueError(f'needed_bytes must be a non-negative integer, got {needed_bytes!r}')
    return needed_bytes


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

    def free_space(self, needed_bytes: int, *, lock_timeout: float = LOCK_TIMEOUT) -> list[Path]:
        """Make ``needed_bytes`` free on the disk of the root; return the paths deleted.

        Follows the module's free-space rule (oldest first; partial, young files and links
        kept). An unmanaged storage deletes nothing.

        Raises:
            NotEnoughSpaceError: the room cannot be made (nothing was deleted).
            locks.LockBusy: another process kept cleaning for ``lock_timeout`` seconds.
        """
        needed_bytes = _check_needed(needed_bytes)
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
            chosen = _choose_deletions(list(self._candidates()), free, needed_bytes, str(self.root))
            return self._delete(chosen, needed_bytes)

    def _candidates(self) -> Iterator[_Candidate]:
        newest = time.time() - self.min_age
        for directory, _, names in os.walk(self.root):
            for name in names:
                path = os.path.join(directory, name)
                try:
                    status = os.lstat(path)
                except FileNotFoundError:
                    continue
                if (
                    stat.S_ISREG(status.st_mode)
                    and not is_partial_file(name)
                    and status.st_mtime <= newest
                ):
                    # Blocks in use, not the apparent size; a hard-linked file frees nothing.
                    freed = status.st_blocks * 512 if status.st_nlink == 1 else 0
                    yield _Candidate(path, status.st_mtime, freed)

    def _delete(self, chosen: list[_Candidate], needed_bytes: int) -> list[Path]:
        deleted = []
        for candidate in chosen:
            try:
                os.unlink(candidate.path)
            except FileNotFoundError:
                continue
            deleted.append(Path(candidate.path))
            self._remove_empty_parents(Path(candidate.path).parent)
            if shutil.disk_usage(self.root).free >= needed_bytes:
                break
        return deleted

    def _remove_empty_parents(self, directory: Path) -> None:
        while directory != self.root and directory.is_relative_to(self.root):
            try:
                directory.rmdir()
            except OSError:
                return
            directory = directory.parent
