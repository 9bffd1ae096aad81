"""Cross-process locks: a per-dataset mutex, named mutexes and a per-provider semaphore.

Tree of errors::

    GeospaasProcessingError
    └── LockError
        ├── LockBusy                 held by someone else: retry later
        ├── LeaseLost                the holder's lease ended while it worked
        └── LockBackendUnavailable   Redis unreachable or refusing

``LockBusy``, ``LeaseLost`` and ``LockBackendUnavailable`` are also
:class:`~geospaas_processing.errors.TemporaryError`: the tasks retry them with backoff.

The backend is chosen at each call from the configuration: Redis when
``GEOSPAAS_PROCESSING_REDIS_HOST`` is set (locks shared by every host using that server,
leases timed by the server's clock, renewed while held, released only by their owner),
otherwise ``flock`` files under ``config.locks_dir()`` (shared by the processes of one host,
released by the kernel when a holder dies).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from geospaas_processing import config
from geospaas_processing.errors import ConfigurationError
from geospaas_processing.locks import _file, _redis
from geospaas_processing.locks._base import (
    Lease,
    LeaseLost,
    LockBackendUnavailable,
    LockBusy,
    LockError,
    check_expiry,
    check_limit,
)

if TYPE_CHECKING:
    import redis

__all__ = [
    'Lease',
    'LeaseLost',
    'LockBackendUnavailable',
    'LockBusy',
    'LockError',
    'any_dataset_locked',
    'configured_expiry',
    'dataset_lock',
    'named_lock',
    'provider_slot',
    'redis_client',
]

_clients: dict[tuple[str, int], redis.Redis] = {}


def configured_expiry() -> float:
    """Seconds before the lock or slot of a dead holder frees itself (``..._LOCK_EXPIRY``).

    Raises:
        ConfigurationError: the variable is not a positive number (0 is refused: a lease
            that ends at once protects nothing).
    """
    value = config.get('GEOSPAAS_PROCESSING_LOCK_EXPIRY')
    try:
        expiry = float(value)
    except (TypeError, ValueError):
        expiry = -1.0
    if not 0 < expiry < float('inf'):
        raise ConfigurationError(
            f'GEOSPAAS_PROCESSING_LOCK_EXPIRY must be a positive number of seconds, got {value!r}'
        )
    return expiry


_clients_lock = threading.Lock()


def redis_client() -> redis.Redis | None:
    """The shared Redis client of the configured server, or None when Redis is not configured.

    One client (and connection pool) per address, created on first use; it returns bytes
    (``decode_responses`` off) and gives up within about a second when the server is down.

    Raises:
        ConfigurationError: Redis is configured but the ``redis`` library is not installed.
    """
    address = config.redis_address()
    if address is None:
        return None
    with _clients_lock:
        client = _clients.get(address)
        if client is None:
            try:
                import redis
                from redis.backoff import ExponentialBackoff
                from redis.retry import Retry
            except ImportError as exc:
                raise ConfigurationError(
                    'GEOSPAAS_PROCESSING_REDIS_HOST is set but the redis library is missing: '
                    "pip install 'geospaas_processing[redis]'"
                ) from exc
            host, port = address
            client = redis.Redis(
                host=host,
                port=port,
                socket_connect_timeout=3,
                socket_timeout=10,
                health_check_interval=30,
                # Fail within a second when the server is down: callers retry whole tasks.
                retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
            )
            _clients[address] = client
    return client


_backends: dict[tuple[str, int], _redis.RedisBackend] = {}


def _redis_backend() -> _redis.RedisBackend | None:
    client = redis_client()
    if client is None:
        return None
    address = config.redis_address()
    backend = _backends.get(address)
    if backend is None or backend.client is not client:
        backend = _backends[address] = _redis.RedisBackend(client, address)
    return backend


@contextmanager
def _holding(lease: Lease) -> Iterator[Lease]:
    try:
        yield lease
    finally:
        lease.release()


@contextmanager
def dataset_lock(dataset_id: int, *, expiry: float = 60.0) -> Iterator[Lease]:
    """Hold the lock of one dataset for the duration of a ``with`` block.

    Does not wait: raises :class:`LockBusy` at once when another process (or another
    ``with`` block of this process) holds it. On Redis the lease lasts ``expiry`` seconds
    and is renewed every ``expiry / 3`` seconds while held; only its owner releases it.

    Raises:
        LockBusy: someone else holds the lock.
        LockBackendUnavailable: Redis is configured but unreachable.
    """
    if isinstance(dataset_id, bool):
        raise TypeError(f'dataset_id must be an integer, got {dataset_id!r}')
    dataset_id = int(dataset_id)
    expiry_ms = check_expiry(expiry)
    backend = _redis_backend()
    if backend is None:
        lease: Lease = _file.acquire_dataset(dataset_id)
    else:
        redis_key = _redis.key('dataset', str(dataset_id))
        lease = _redis.acquire_mutex(backend, f'dataset:{dataset_id}', redis_key, expiry_ms, 0)
    with _holding(lease):
        yield lease


@contextmanager
def named_lock(name: str, *, expiry: float = 60.0, blocking_timeout: float = 0) -> Iterator[Lease]:
    """Hold the mutex ``name`` (clean-up, token refresh, free space...) during a ``with`` block.

    Waits up to ``blocking_timeout`` seconds for it (0: not at all). Any string is a valid
    name; on the file backend it is reduced to a safe file name.

    Raises:
        LockBusy: still held by someone else after ``blocking_timeout`` seconds.
        LockBackendUnavailable: Redis is configured but unreachable.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f'a lock name must be a non-empty string, got {name!r}')
    if blocking_timeout < 0:
        raise ValueError(f'blocking_timeout must not be negative, got {blocking_timeout!r}')
    expiry_ms = check_expiry(expiry)
    backend = _redis_backend()
    if backend is None:
        lease: Lease = _file.acquire_named(name, blocking_timeout)
    else:
        redis_key = _redis.key('lock', name)
        lease = _redis.acquire_mutex(backend, name, redis_key, expiry_ms, blocking_timeout)
    with _holding(lease):
        yield lease


@contextmanager
def provider_slot(provider: str, limit: int, *, expiry: float = 60.0) -> Iterator[Lease]:
    """Hold one of the ``limit`` slots of ``provider`` (parallel downloads) during a ``with`` block.

    Does not wait. A slot of a holder that died comes back by itself: after ``expiry``
    seconds on Redis (the lease is no longer renewed), at once on the file backend.

    Raises:
        LockBusy: all ``limit`` slots are held.
        LockBackendUnavailable: Redis is configured but unreachable.
    """
    if not isinstance(provider, str) or not provider:
        raise ValueError(f'a provider name must be a non-empty string, got {provider!r}')
    limit = check_limit(limit)
    expiry_ms = check_expiry(expiry)
    backend = _redis_backend()
    if backend is None:
        lease: Lease = _file.acquire_slot(provider, limit)
    else:
        lease = _redis.acquire_slot(backend, provider, limit, expiry_ms)
    with _holding(lease):
        yield lease


def any_dataset_locked() -> bool:
    """Whether any dataset lock is held (by any host on Redis, by this host on files).

    On files, each lock is probed by taking it for an instant: a ``dataset_lock`` attempted
    at that very instant may get ``LockBusy`` (and retry like any busy lock).

    Raises:
        LockBackendUnavailable: Redis is configured but unreachable.
    """
    backend = _redis_backend()
    if backend is None:
        return _file.any_dataset_locked()
    return _redis.any_dataset_locked(backend)
