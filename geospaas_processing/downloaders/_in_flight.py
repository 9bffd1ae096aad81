"""Cutting the transfers in flight of one download run as soon as its cancel event is set."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from geospaas_processing.downloaders.base import RemoteFile

#: Seconds between two looks of the watcher at the end of its run (it sees a cancel at once).
RUN_END_POLL = 0.5


class InFlight:
    """The open transfers of one run; when ``cancel`` is set, each is aborted at once.

    The transfer loop checks the cancel event between blocks only, so a read waiting on a
    server that sends nothing would hold a Ctrl-C for the whole low-speed time. One
    watcher thread per run (started by the first transfer, none for a run with nothing to
    transfer) waits for the event and calls :meth:`RemoteFile.abort` on every transfer
    registered with :meth:`track`, which wakes their reads. A transfer registered after
    the cancel is aborted on registration. The watcher ends within ``RUN_END_POLL`` seconds
    of the run's end, without the run waiting for it.
    """

    def __init__(self, cancel: threading.Event) -> None:
        self.cancel = cancel
        self._remotes: dict[int, RemoteFile] = {}  # by id: a RemoteFile is not hashable
        self._lock = threading.Lock()
        self._aborting = False
        self._ended = threading.Event()
        self._watcher: threading.Thread | None = None

    def __enter__(self) -> InFlight:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._ended.set()

    @contextmanager
    def track(self, remote: RemoteFile) -> Iterator[None]:
        """Within the block, ``remote`` is aborted when the cancel event is set."""
        with self._lock:
            if self._watcher is None and not self._ended.is_set():
                self._watcher = threading.Thread(
                    target=self._watch, name='download-cancel-watch', daemon=True
                )
                self._watcher.start()
            aborting = self._aborting
            if not aborting:
                self._remotes[id(remote)] = remote
        if aborting:
            remote.abort()
        try:
            yield
        finally:
            with self._lock:
                self._remotes.pop(id(remote), None)

    def _watch(self) -> None:
        while not self._ended.is_set():
            if self.cancel.wait(RUN_END_POLL):
                with self._lock:
                    self._aborting = True
                    remotes = list(self._remotes.values())
                for remote in remotes:
                    remote.abort()
                return
