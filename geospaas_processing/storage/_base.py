"""Errors, partial-file names and the free-space rule shared by local and remote storage."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from geospaas_processing.errors import GeospaasProcessingError

PARTIAL_SUFFIX = '.part'
MIN_AGE = 60.0
#: Seconds since its last change during which a work-directory entry counts as in use.
ACTIVE_AGE = 600.0
LOCK_TIMEOUT = 120.0


class StorageError(GeospaasProcessingError):
    """Root of the errors of ``geospaas_processing.storage``."""


class NotEnoughSpaceError(StorageError):
    """The space asked for cannot be made free.

    Attributes:
        needed: bytes asked for.
        available: bytes that were free, or could have been made free, at most.
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


def check_needed(needed_bytes: int) -> int:
    """Validate a number of bytes asked for."""
    if isinstance(needed_bytes, bool) or not isinstance(needed_bytes, int) or needed_bytes < 0:
        raise ValueError(f'needed_bytes must be a non-negative integer, got {needed_bytes!r}')
    return needed_bytes


@dataclass(frozen=True)
class Candidate:
    """A file that a clean-up may delete, with the bytes deleting it should free."""

    path: str
    mtime: float
    size: int


def may_delete(name: str, mtime: float, newest: float) -> bool:
    """The free-space rule for one regular file: not partial and not younger than ``newest``."""
    return not is_partial_file(name) and mtime <= newest


def free_oldest(
    candidates: Iterable[Candidate],
    free: int,
    needed: int,
    where: str,
    delete: Callable[[str], bool],
    measure: Callable[[], int],
) -> list[str]:
    """Delete the oldest candidates until ``measure()`` reports ``needed`` bytes free.

    Nothing is deleted when the candidates' sizes cannot add up to enough.
    ``delete(path)`` returns False for a file already gone. Returns the deleted paths.

    Raises:
        NotEnoughSpaceError: the room cannot be made.
    """
    ordered = sorted(candidates, key=lambda candidate: (candidate.mtime, candidate.path))
    deletable = sum(candidate.size for candidate in ordered)
    if free + deletable < needed:
        raise NotEnoughSpaceError(
            f'{needed} bytes needed on {where} but only {free} are free and deleting the '
            f'{len(ordered)} old file(s) that may be deleted would free {deletable} more; '
            'make room there or use a larger disk',
            needed=needed,
            available=free + deletable,
        )
    deleted: list[str] = []
    expected = free
    for candidate in ordered:
        if delete(candidate.path):
            deleted.append(candidate.path)
            expected += candidate.size
        if expected >= needed:
            expected = measure()  # the estimate says enough: ask the disk
            if expected >= needed:
                return deleted
    raise NotEnoughSpaceError(
        f'deleted {len(deleted)} file(s) on {where} but only {expected} bytes are free of the '
        f'{needed} needed (files still open elsewhere keep their space until closed)',
        needed=needed,
        available=expected,
    )
