"""Holding a provider's parallel-download slot around a transfer."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from geospaas_processing import config, locks
from geospaas_processing.downloaders.errors import (
    DownloadCancelled,
    RetriableDownloadError,
    TooManyDownloadsError,
)
from geospaas_processing.downloaders.provider_settings import ProviderSettings
from geospaas_processing.errors import ConfigurationError

POLL_INTERVAL = 0.5


def slot_expiry() -> float:
    """Seconds before a dead holder's slot frees itself (``GEOSPAAS_PROCESSING_LOCK_EXPIRY``)."""
    value = config.get('GEOSPAAS_PROCESSING_LOCK_EXPIRY')
    try:
        expiry = float(value)
    except (TypeError, ValueError):
        expiry = -1.0
    if expiry <= 0:
        raise ConfigurationError(
            f'GEOSPAAS_PROCESSING_LOCK_EXPIRY must be a positive number of seconds, got {value!r}'
        )
    return expiry


class ProviderSlots:
    """Takes a slot of the provider's ``max_parallel_downloads`` semaphore for each transfer.

    Threads of one manager queue for the provider's slots in the process first, so that they
    do not compete among themselves; then the cross-process slot is taken
    (:func:`geospaas_processing.locks.provider_slot`), waiting up to ``timeout`` seconds
    for one to come free, unless ``cancel`` is set meanwhile.
    """

    def __init__(self, timeout: float = 0.0, cancel: threading.Event | None = None) -> None:
        self.timeout = timeout
        self.cancel = cancel or threading.Event()
        self._semaphores: dict[str, threading.Semaphore] = {}
        self._lock = threading.Lock()

    def _semaphore(self, prefix: str, limit: int) -> threading.Semaphore:
        with self._lock:
            return self._semaphores.setdefault(prefix, threading.BoundedSemaphore(limit))

    @contextmanager
    def hold(self, settings: ProviderSettings) -> Iterator[locks.Lease | None]:
        """Hold a slot of the provider of ``settings`` (nothing when it has no limit).

        Raises:
            TooManyDownloadsError: no slot came free within ``timeout`` seconds.
            DownloadCancelled: ``cancel`` was set while waiting.
            RetriableDownloadError: the lock service is unavailable.
        """
        limit = settings.max_parallel_downloads
        if limit is None:
            yield None
            return
        with self._semaphore(settings.prefix, limit), ExitStack() as stack:
            yield self._acquire(stack, settings.prefix, limit)

    def _acquire(self, stack: ExitStack, prefix: str, limit: int) -> locks.Lease:
        expiry = slot_expiry()
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return stack.enter_context(locks.provider_slot(prefix, limit, expiry=expiry))
            except locks.LockBusy as exc:
                if self.cancel.is_set():
                    raise DownloadCancelled(
                        f'cancelled while waiting for a download slot of provider {prefix}'
                    ) from exc
                if time.monotonic() >= deadline:
                    raise TooManyDownloadsError(
                        f'all {limit} download slots of provider {prefix} are in use; retry later',
                        provider=prefix,
                        limit=limit,
                    ) from exc
                self.cancel.wait(POLL_INTERVAL)
            except locks.LockError as exc:
                raise RetriableDownloadError(
                    f'could not take a download slot of provider {prefix}: {exc}'
                ) from exc
