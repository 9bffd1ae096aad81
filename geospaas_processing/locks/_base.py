"""The errors, the lease a holder gets, and lock-name helpers shared by both backends."""

from __future__ import annotations

import hashlib
import re
import threading
import time

from geospaas_processing.errors import GeospaasProcessingError, TemporaryError

NAMESPACE = 'geospaas_processing'
_UNSAFE_CHARACTERS = re.compile(r'[^A-Za-z0-9_-]+')


class LockError(GeospaasProcessingError):
    """Root of the errors of ``geospaas_processing.locks``.

    Attributes:
        name: the lock concerned, when there is one.
    """

    def __init__(self, message: str, *, name: str | None = None) -> None:
        super().__init__(message)
        self.name = name


class LockBusy(LockError, TemporaryError):
    """The lock, or every slot of a semaphore, is held by someone else: retry later."""


class LeaseLost(LockError, TemporaryError):
    """A holder lost its lease (expired while the process was paused, Redis restarted...).

    The holder must stop what the lease protected: someone else may hold it now.
    """


class LockBackendUnavailable(LockError, TemporaryError):
    """The lock service (Redis) cannot be reached or refused the request; retry later."""


class Lease:
    """What the holder of a lock or of a semaphore slot gets.

    A lease is valid until its holder leaves the ``with`` block. Long operations call
    :meth:`check` now and then (between chunks of a download, say): it raises
    :class:`LeaseLost` once the lease is known to belong to us no more, so the holder stops
    instead of carrying on without the protection.

    Attributes:
        name: the lock's name, e.g. ``dataset:42``, ``provider:example.com``.
        backend: ``'redis'`` or ``'file'``.
    """

    backend = 'none'

    def __init__(self, name: str) -> None:
        self.name = name
        self._lost_reason: str | None = None
        self._state_lock = threading.Lock()

    @property
    def lost(self) -> bool:
        """Whether the lease is known to be no longer ours."""
        return self._lost_reason is not None

    def check(self) -> None:
        """Raise :class:`LeaseLost` if the lease is no longer ours; return quietly otherwise."""
        if self._lost_reason is not None:
            raise LeaseLost(f'lost the lock {self.name}: {self._lost_reason}', name=self.name)

    def _mark_lost(self, reason: str) -> None:
        with self._state_lock:
            if self._lost_reason is None:
                self._lost_reason = reason

    def release(self) -> None:
        """Give the lease back (the ``with`` block does it); a second call does nothing."""
        raise NotImplementedError

    def __repr__(self) -> str:
        state = 'lost' if self.lost else 'held'
        return f'<{type(self).__name__} {self.name!r} {state}>'


def file_stem(name: str) -> str:
    """A file name for a lock name: only safe characters, bounded, distinct for distinct names.

    Separators and ``..`` cannot survive, so a name can never point outside the locks
    directory; a hash of the original name keeps ``a/b`` and ``a_b`` apart.
    """
    readable = _UNSAFE_CHARACTERS.sub('_', name).strip('_')[:80] or 'lock'
    digest = hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:12]
    return f'{readable}-{digest}'


def check_expiry(expiry: float) -> int:
    """Validate a lease duration in seconds and return it in milliseconds."""
    if not expiry > 0:
        raise ValueError(f'expiry must be a positive number of seconds, got {expiry!r}')
    return max(1, round(expiry * 1000))


def check_limit(limit: int) -> int:
    """Validate a semaphore's number of slots."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f'limit must be a positive integer, got {limit!r}')
    return limit


def poll_until(attempt, deadline: float, what: str, name: str):
    """Call ``attempt()`` until it returns something other than None or ``deadline`` passes.

    Raises:
        LockBusy: the deadline passed.
    """
    delay = 0.02
    while True:
        result = attempt()
        if result is not None:
            return result
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LockBusy(f'{what} is held elsewhere; retry later', name=name)
        time.sleep(min(delay, remaining))
        delay = min(delay * 2, 0.25)
