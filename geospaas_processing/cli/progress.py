"""The command line's view of transfers: one bar on a terminal's stderr, counts for the summary.

:class:`ProgressBar` is a :class:`geospaas_processing.downloaders.progress.TransferProgress`:
the transfers call its ``start``, ``advance`` and ``finish`` directly, so what the bar shows
is what the transfer loop reports, nothing inferred. The bar's total is every planned byte
(sizes known before the first transfer starts; files of unknown size are counted and shown as
such), with a file count (``3/8 files``). It is drawn only when stderr is a terminal. A
transfer that resumes a partial file says so ("resumed at 4.0 MiB");
:attr:`ProgressBar.transferred` counts only the bytes actually transferred in this run.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Hashable
from types import TracebackType
from typing import TextIO

from geospaas_processing.cli.util import human_size
from geospaas_processing.downloaders.progress import TransferProgress


class ProgressBar(TransferProgress):
    """Counts (and on a terminal draws) the progress of a command's planned transfers.

    Args:
        files: how many files are planned.
        planned_bytes: the sum of their known sizes.
        unknown_sizes: how many of them have no known size.
        draw: draw a bar (the caller passes False for ``--quiet`` or ``--json``); a bar is
            drawn only when ``stream`` is a terminal and there is something to transfer.

    Attributes:
        transferred: bytes received in this run (resumed bytes not included).
        finished: transfers that ended with a complete file.
    """

    def __init__(
        self,
        files: int,
        planned_bytes: int = 0,
        unknown_sizes: int = 0,
        draw: bool = True,
        stream: TextIO | None = None,
    ) -> None:
        self.files = files
        self.planned_bytes = planned_bytes
        self.unknown_sizes = unknown_sizes
        self.transferred = 0
        self.finished = 0
        self._stream = stream or sys.stderr
        self._draw = draw and files > 0 and self._stream.isatty()
        self._lock = threading.Lock()
        self._on_bar: dict[Hashable, int] = {}  # bytes each transfer in flight put on the bar
        self._resumed_note = ''
        self._bar = None

    def __enter__(self) -> ProgressBar:
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

    def start(self, key: Hashable, size: int | None, offset: int) -> None:
        """A transfer begins (again, for another URI or a refused resume: offset 0)."""
        with self._lock:
            self._take_off_bar(key)
            self._on_bar[key] = offset
            if offset:
                self._resumed_note = f', resumed at {human_size(offset)}'
                if self._bar is not None:
                    self._bar.update(offset)
            self._refresh_postfix()

    def advance(self, key: Hashable, count: int) -> None:
        """``count`` more bytes were written."""
        with self._lock:
            self.transferred += count
            self._on_bar[key] = self._on_bar.get(key, 0) + count
            if self._bar is not None:
                self._bar.update(count)

    def finish(self, key: Hashable, completed: bool) -> None:
        """A transfer ended: a complete file counts once; an incomplete one leaves the bar."""
        with self._lock:
            if completed:
                self._on_bar.pop(key, None)
                self.finished += 1
            else:  # its bytes will come again in another transfer, or never
                self._take_off_bar(key)
            self._refresh_postfix()

    def _take_off_bar(self, key: Hashable) -> None:
        shown = self._on_bar.pop(key, 0)
        if shown and self._bar is not None:
            self._bar.update(-shown)

    def _refresh_postfix(self) -> None:
        if self._bar is None:
            return
        unknown = f', {self.unknown_sizes} of unknown size' if self.unknown_sizes else ''
        self._bar.set_postfix_str(
            f'{self.finished}/{self.files} files{unknown}{self._resumed_note}', refresh=True
        )
