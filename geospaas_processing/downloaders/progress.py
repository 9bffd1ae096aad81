"""Progress of transfers as a callback object, from the transfer loop up to the command line.

A :class:`TransferProgress` receives, for each transfer (``key``: the dataset ID, or the
job's name for a job without dataset), from the download threads:

- ``start(key, size, offset)`` once the server answered: ``size`` the whole file's size or
  None when unknown, ``offset`` the bytes already on disk (more than 0: a resumed transfer);
- ``advance(key, count)`` after each block written (``count`` new bytes);
- ``finish(key, completed)`` when the transfer ends: ``completed`` False when it failed or
  was cancelled (the partial file is kept for a resume).

When the server refuses a resume (changed file, wrong range), ``start`` says offset 0.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable


class TransferProgress:
    """Receives the progress of transfers; subclass and override what you need (no-ops here).

    Methods are called from worker threads, several transfers at once.
    """

    def start(self, key: Hashable, size: int | None, offset: int) -> None:
        """A transfer begins: ``size`` of the whole file (None: unknown), ``offset`` resumed."""

    def advance(self, key: Hashable, count: int) -> None:
        """``count`` more bytes of ``key``'s file are written."""

    def finish(self, key: Hashable, completed: bool) -> None:
        """``key``'s transfer ended: complete, or not (failed, cancelled)."""


#: The older form: ``progress(dataset_id, bytes_done, bytes_total_or_None)``.
ProgressCallback = Callable[[Hashable, int, int | None], None]


class CallableProgress(TransferProgress):
    """Adapts a ``progress(key, bytes_done, bytes_total)`` callable to :class:`TransferProgress`.

    Keeps the behaviour of the ``progress`` argument that :class:`DownloadManager` and the
    command line's bar have always used: called at the start with the offset, then with the
    running total after each block.
    """

    def __init__(self, callback: ProgressCallback) -> None:
        self.callback = callback
        self._state: dict[Hashable, tuple[int, int | None]] = {}
        self._lock = threading.Lock()

    def start(self, key: Hashable, size: int | None, offset: int) -> None:
        with self._lock:
            self._state[key] = (offset, size)
        self.callback(key, offset, size)

    def advance(self, key: Hashable, count: int) -> None:
        with self._lock:
            done, size = self._state.get(key, (0, None))
            done += count
            self._state[key] = (done, size)
        self.callback(key, done, size)

    def finish(self, key: Hashable, completed: bool) -> None:
        with self._lock:
            self._state.pop(key, None)


def as_progress(progress: TransferProgress | ProgressCallback | None) -> TransferProgress | None:
    """A :class:`TransferProgress` from either form (None stays None)."""
    if progress is None or isinstance(progress, TransferProgress):
        return progress
    if all(callable(getattr(progress, name, None)) for name in ('start', 'advance', 'finish')):
        return progress  # duck-typed progress object
    return CallableProgress(progress)
