"""Progress of a command's transfers: one bar on a terminal's stderr, counts for the summary.

The bar's total is every planned byte (sizes known before the first transfer starts;
files of unknown size are counted and shown as such), with a file count (``3/8``).
It is drawn only when stderr is a terminal. A transfer that resumes a partial file
says so ("resumed at 4.0 MiB"); :attr:`TransferProgress.transferred` counts only the
bytes actually transferred in this run, for the summary.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from geospaas_processing.cli.util import human_size


class DatasetTransfer:
    """The progress of one dataset's transfer: ``start``, ``advance``, ``finish``.

    ``check`` (optional) is called before each step and may raise to stop the transfer
    (Ctrl-C).
    """

    def __init__(self, tracker: TransferProgress, key: int, check: Callable[[], None] | None):
        self._tracker = tracker
        self._key = key
        self._check = check
        self._done = 0
        self._size: int | None = None
        self._started = False

    def start(self, size: int | None, resumed_from: int = 0) -> None:
        """The transfer starts: ``size`` in bytes (None: unknown), ``resumed_from`` on disk."""
        if self._check is not None:
            self._check()
        self._started, self._size, self._done = True, size, resumed_from
        self._tracker._started(size, resumed_from)

    def advance(self, count: int) -> None:
        """``count`` more bytes were written."""
        if self._check is not None:
            self._check()
        self._done += count
        self._tracker._advanced(count)
        if self._size is not None and self._done >= self._size:
            self.finish()

    def finish(self) -> None:
        """The transfer ended with a complete file (counted once)."""
        if self._started:
            self._started = False
            self._tracker._finished()

    def update(self, done: int, total: int | None) -> None:
        """Today's downloader callback ``(bytes on disk, total or None)``, as start/advance."""
        if not self._started and self._done == 0:
            self.start(total, resumed_from=done)
            if total is not None and done >= total:
                self.finish()
            return
        self.advance(done - self._done)


class TransferProgress:
    """Counts (and on a terminal draws) the progress of a command's planned transfers.

    Args:
        files: how many files are planned.
        planned_bytes: the sum of their known sizes.
        unknown_sizes: how many of them have no known size.
        draw: draw a bar (the caller passes False for ``--quiet`` or ``--json``); a bar is
            drawn only when ``stream`` is a terminal and there is something to transfer.
        check: called at every step of every transfer; raise in it to stop them.
    """

    def __init__(
        self,
        files: int,
        planned_bytes: int = 0,
        unknown_sizes: int = 0,
        draw: bool = True,
        stream: TextIO | None = None,
        check: Callable[[], None] | None = None,
    ) -> None:
        self.files = files
        self.planned_bytes = planned_bytes
        self.unknown_sizes = unknown_sizes
        self.transferred = 0
        self.finished = 0
        self._stream = stream or sys.stderr
        self._draw = draw and files > 0 and self._stream.isatty()
        self._check = check
        self._lock = threading.Lock()
        self._transfers: dict[int, DatasetTransfer] = {}
        self._resumed_note = ''
        self._bar = None

    def __enter__(self) -> TransferProgress:
        if self._draw:
            from tqdm import tqdm

            self._bar = tqdm(
                total=self.planned_bytes or None,
                unit='B',
                unit_scale=True,
                unit_divisor=1024,
                desc='downloading',
                file=self._stream,
                dynamic_ncols=True,
            )
            self._refresh_postfix()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.close()

    def for_dataset(self, dataset_id: int) -> DatasetTransfer:
        """The progress object of one dataset's transfer."""
        with self._lock:
            transfer = self._transfers.get(dataset_id)
            if transfer is None:
                transfer = self._transfers[dataset_id] = DatasetTransfer(
                    self, dataset_id, self._check
                )
            return transfer

    def callback(self, dataset_id: int, done: int, total: int | None) -> None:
        """The download manager's ``progress(dataset_id, bytes_done, bytes_total)``."""
        self.for_dataset(dataset_id).update(done, total)

    def _started(self, size: int | None, resumed_from: int) -> None:
        with self._lock:
            if resumed_from and self._bar is not None:
                self._bar.update(resumed_from)
            if resumed_from:
                self._resumed_note = f', resumed at {human_size(resumed_from)}'
            self._refresh_postfix()

    def _advanced(self, count: int) -> None:
        with self._lock:
            self.transferred += count
            if self._bar is not None:
                self._bar.update(count)

    def _finished(self) -> None:
        with self._lock:
            self.finished += 1
            self._refresh_postfix()

    def _refresh_postfix(self) -> None:
        if self._bar is None:
            return
        unknown = f', {self.unknown_sizes} of unknown size' if self.unknown_sizes else ''
        self._bar.set_postfix_str(
            f'{self.finished}/{self.files} files{unknown}{self._resumed_note}', refresh=True
        )
