"""Host-local locks: ``flock`` on files under the locks directory.

The kernel releases a ``flock`` when its file is closed, including when the holding process
dies, so a dead holder never keeps a lock. Locks hold between processes of one host (and
between threads of one process: each lease opens its own file description). Lock files are
never removed: removing one while another process has it open would let two holders in.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from pathlib import Path

from geospaas_processing import config
from geospaas_processing.locks._base import Lease, LockBusy, LockError, file_stem, poll_until


class FileLease(Lease):
    """A held ``flock``: valid as long as its file stays open, it cannot be lost."""

    backend = 'file'

    def __init__(self, name: str, descriptor: int, path: Path) -> None:
        super().__init__(name)
        self.path = path
        self._descriptor: int | None = descriptor

    def release(self) -> None:
        with self._state_lock:
            descriptor, self._descriptor = self._descriptor, None
        if descriptor is not None:
            os.close(descriptor)  # closing drops the flock


def _directory(*parts: str) -> Path:
    directory = config.locks_dir().joinpath(*parts)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LockError(
            f'cannot create the locks directory {directory} ({exc.strerror}); '
            'set GEOSPAAS_PROCESSING_LOCKS_DIR to a writable directory'
        ) from exc
    return directory


def try_flock(path: Path) -> int | None:
    """Open ``path`` and take an exclusive flock without waiting; None when someone holds it."""
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise LockError(f'cannot open the lock file {path} ({exc.strerror})') from exc
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(descriptor)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return None
        raise LockError(f'cannot lock {path} ({exc.strerror})') from exc
    return descriptor


def _mutex(name: str, path: Path, blocking_timeout: float) -> FileLease:
    deadline = time.monotonic() + blocking_timeout

    def attempt() -> FileLease | None:
        descriptor = try_flock(path)
        return None if descriptor is None else FileLease(name, descriptor, path)

    return poll_until(attempt, deadline, f'the lock {name}', name)


def acquire_dataset(dataset_id: int) -> FileLease:
    """Lock one dataset, or raise LockBusy at once."""
    name = f'dataset:{dataset_id}'
    return _mutex(name, _directory('dataset') / f'{dataset_id}.lock', 0)


def acquire_named(name: str, blocking_timeout: float) -> FileLease:
    """Take the lock ``name``, waiting up to ``blocking_timeout`` seconds, else LockBusy."""
    return _mutex(name, _directory('named') / f'{file_stem(name)}.lock', blocking_timeout)


def acquire_slot(provider: str, limit: int) -> FileLease:
    """Take one of the ``limit`` slot files of ``provider``, or raise LockBusy at once."""
    directory = _directory('provider', file_stem(provider))
    for slot in range(limit):
        path = directory / f'{slot}.lock'
        descriptor = try_flock(path)
        if descriptor is not None:
            return FileLease(f'provider:{provider}', descriptor, path)
    raise LockBusy(
        f'all {limit} slot(s) of provider {provider} are in use; retry later',
        name=f'provider:{provider}',
    )


def any_dataset_locked() -> bool:
    """Whether some process of this host holds a dataset lock."""
    directory = config.locks_dir() / 'dataset'
    if not directory.is_dir():
        return False
    for path in directory.glob('*.lock'):
        descriptor = try_flock(path)
        if descriptor is None:
            return True
        os.close(descriptor)
    return False
