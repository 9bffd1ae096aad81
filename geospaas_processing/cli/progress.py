"""Progress of downloads: a bar with bytes, rate and ETA on a terminal, log lines otherwise."""

from __future__ import annotations

import logging
import sys
import threading
from types import TracebackType

logger = logging.getLogger('geospaas_processing.cli.progress')


class ProgressDisplay:
    """Receives ``(dataset_id, bytes_done, bytes_total)`` from download threads and shows it.

    On a terminal (stdout is a TTY and tqdm is installed) one bar sums every dataset's
    bytes, with rate and ETA; elsewhere (cron) a log line is written when a dataset's
    transfer completes.
    """

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._lock = threading.Lock()
        self._done: dict[int, int] = {}
        self._totals: dict[int, int] = {}
        self._finished: set[int] = set()
        self._bar = None

    def __enter__(self) -> ProgressDisplay:
        if self.enabled and sys.stdout.isatty():
            try:
                from tqdm import tqdm
            except ImportError:
                return self
            self._bar = tqdm(
                total=0,
                unit='B',
                unit_scale=True,
                unit_divisor=1024,
                desc='downloading',
                dynamic_ncols=True,
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.close()

    def update(self, dataset_id: int, done: int, total: int | None) -> None:
        """Record a dataset's progress (called from download threads)."""
        if not self.enabled:
            return
        with self._lock:
            if total is not None:
                self._totals[dataset_id] = total
            previous = self._done.get(dataset_id, 0)
            self._done[dataset_id] = done
            finished = total is not None and done >= total and dataset_id not in self._finished
            if finished:
                self._finished.add(dataset_id)
            if self._bar is not None:
                self._bar.total = sum(self._totals.values())
                self._bar.update(done - previous)
                self._bar.set_postfix_str(f'{len(self._finished)} done', refresh=False)
            elif finished:
                logger.info('dataset %s: %d bytes transferred', dataset_id, done)
