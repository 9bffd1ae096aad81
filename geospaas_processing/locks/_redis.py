"""Redis locks: leases with an expiry timed by the Redis server and an owner token.

A mutex is a key set with ``SET NX PX`` to the holder's random token. A semaphore is a
sorted set of holder tokens scored by the instant (server clock, milliseconds) their lease
ends; a Lua script drops the ended leases, then adds the new holder if fewer than ``limit``
remain, atomically. Renewing and releasing are scripts that act only if the token is still
there, so only the owner extends or releases its lease, and a lease that ended (holder
paused, Redis restarted or flushed) is found lost instead of being resurrected.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from geospaas_processing.locks._base import (
    NAMESPACE,
    Lease,
    LockBackendUnavailable,
    LockBusy,
    LockError,
    poll_until,
)

if TYPE_CHECKING:
    import redis

LOGGER = logging.getLogger(__name__)

_RENEW_MUTEX = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

_RELEASE_MUTEX = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# Shared by acquire and renew: the server's clock in milliseconds, ended leases dropped,
# and the key kept alive as long as its longest lease.
_SEMAPHORE_PRELUDE = """
if redis.replicate_commands then redis.replicate_commands() end  -- TIME then writes, Redis < 5
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local function keep_key()
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if last[2] then redis.call('PEXPIREAT', KEYS[1], math.floor(tonumber(last[2])) + 1000) end
end
"""

_ACQUIRE_SLOT = (
    _SEMAPHORE_PRELUDE
    + """
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  keep_key()
  return 1
end
return 0
"""
)

_RENEW_SLOT = (
    _SEMAPHORE_PRELUDE
    + """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
  keep_key()
  return 1
end
return 0
"""
)

_RELEASE_SLOT = """
return redis.call('ZREM', KEYS[1], ARGV[1])
"""


def key(kind: str, name: str) -> str:
    """The namespaced Redis key of a lock."""
    return f'{NAMESPACE}:{kind}:{name}'


class RedisBackend:
    """Runs the lock scripts on one Redis server, turning its failures into LockErrors."""

    def __init__(self, client: redis.Redis, address: tuple[str, int]) -> None:
        self.client = client
        self.address = address
        self._scripts: dict[str, Any] = {}

    def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run one Redis command or script; connection problems become LockBackendUnavailable."""
        import redis

        host, port = self.address
        try:
            return function(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise LockBackendUnavailable(
                f'cannot reach Redis at {host}:{port} ({type(exc).__name__}); check that it runs '
                'and GEOSPAAS_PROCESSING_REDIS_HOST/GEOSPAAS_PROCESSING_REDIS_PORT'
            ) from exc
        except redis.RedisError as exc:
            raise LockError(
                f'Redis at {host}:{port} refused a lock operation ({type(exc).__name__}: {exc})'
            ) from exc

    def script(self, source: str, keys: list[str], args: list[Any]) -> Any:
        """Run a Lua script (by hash once the server knows it)."""
        script = self._scripts.get(source)
        if script is None:
            script = self._scripts[source] = self.client.register_script(source)
        return self.call(script, keys=keys, args=args)


class RedisLease(Lease):
    """A lease in Redis, renewed by a background thread every ``expiry / 3`` while held."""

    backend = 'redis'

    def __init__(
        self, name: str, backend: RedisBackend, redis_key: str, expiry_ms: int, semaphore: bool
    ) -> None:
        super().__init__(name)
        self.key = redis_key
        self.token = uuid.uuid4().hex
        self._backend = backend
        self._expiry_ms = expiry_ms
        self._semaphore = semaphore
        self._confirmed_at = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start_renewal(self) -> None:
        """Start the background thread that keeps the lease alive until release."""
        self._confirmed_at = time.monotonic()
        self._thread = threading.Thread(
            target=self._renew_loop, name=f'lease-renewal:{self.name}', daemon=True
        )
        self._thread.start()

    def _renew_loop(self) -> None:
        interval = self._expiry_ms / 3000
        while not self._stop.wait(interval):
            try:
                if not self.renew():
                    return
            except Exception as exc:  # a dead thread would let the lease lapse unnoticed
                LOGGER.exception('renewing the lease of %s failed', self.name)
                self._mark_lost(f'renewing it failed ({type(exc).__name__}: {exc})')
                return

    def renew(self) -> bool:
        """Extend the lease by its expiry if it is still ours; False once it is lost."""
        if self.lost:
            return False
        started = time.monotonic()
        source = _RENEW_SLOT if self._semaphore else _RENEW_MUTEX
        try:
            renewed = self._backend.script(source, [self.key], [self.token, self._expiry_ms])
        except LockError as exc:
            # Unreachable for now: the lease is ours until its expiry could have passed.
            if started - self._confirmed_at >= self._expiry_ms / 1000:
                self._mark_lost(f'could not renew it before its expiry ({exc})')
                return False
            LOGGER.warning('could not renew the lease of %s, will retry: %s', self.name, exc)
            return True
        if not renewed:
            self._mark_lost(
                'it expired or was removed from Redis (process paused past the expiry, '
                'Redis restarted or flushed)'
            )
            LOGGER.warning('lost the lease of %s', self.name)
            return False
        self._confirmed_at = started
        return True

    def check(self) -> None:
        """Raise LeaseLost if the lease is no longer ours.

        Cheap while the renewal thread keeps up; when the last renewal is older than the
        expiry (the process was paused, say), asks Redis before answering.
        """
        if not self.lost and time.monotonic() - self._confirmed_at >= self._expiry_ms / 1000:
            self.renew()
        super().check()

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._thread = None
        if self.lost:
            return
        source = _RELEASE_SLOT if self._semaphore else _RELEASE_MUTEX
        try:
            released = self._backend.script(source, [self.key], [self.token])
        except LockError as exc:
            LOGGER.warning('could not release %s (it will expire by itself): %s', self.name, exc)
            return
        if not released:
            self._mark_lost('it had expired before its release')
            LOGGER.warning('the lease of %s had expired before its release', self.name)


def acquire_mutex(
    backend: RedisBackend, name: str, redis_key: str, expiry_ms: int, blocking_timeout: float
) -> RedisLease:
    """Take a mutex, waiting up to ``blocking_timeout`` seconds, else LockBusy."""
    deadline = time.monotonic() + blocking_timeout

    def attempt() -> RedisLease | None:
        lease = RedisLease(name, backend, redis_key, expiry_ms, semaphore=False)
        acquired = backend.call(backend.client.set, redis_key, lease.token, nx=True, px=expiry_ms)
        return lease if acquired else None

    lease = poll_until(attempt, deadline, f'the lock {name}', name)
    lease.start_renewal()
    return lease


def acquire_slot(backend: RedisBackend, provider: str, limit: int, expiry_ms: int) -> RedisLease:
    """Take one of ``limit`` slots of ``provider`` at once, else LockBusy."""
    name = f'provider:{provider}'
    lease = RedisLease(name, backend, key('provider', provider), expiry_ms, semaphore=True)
    if not backend.script(_ACQUIRE_SLOT, [lease.key], [lease.token, limit, expiry_ms]):
        raise LockBusy(
            f'all {limit} slot(s) of provider {provider} are in use; retry later', name=name
        )
    lease.start_renewal()
    return lease


def any_dataset_locked(backend: RedisBackend) -> bool:
    """Whether any dataset lock key exists on the server."""
    pattern = key('dataset', '*')

    def first_match() -> bool:
        return next(iter(backend.client.scan_iter(match=pattern, count=1000)), None) is not None

    return backend.call(first_match)
