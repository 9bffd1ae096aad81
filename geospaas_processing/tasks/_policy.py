"""The retry policy of the tasks: which failures are retried, after how long, how many times.

One policy for every task (see the README's "Celery tasks and workers"):

* every :class:`~geospaas_processing.errors.TemporaryError`, and a lost database connection,
  is retried by Celery's ``autoretry_for`` with exponential backoff and full jitter
  (``GEOSPAAS_PROCESSING_RETRY_BACKOFF`` seconds doubled at each retry, at most
  ``GEOSPAAS_PROCESSING_RETRY_MAX_COUNTDOWN``), :data:`TEMPORARY_MAX_RETRIES` times;
* the countdown is overridden only when the other side said how long to wait: a
  ``Retry-After`` (``retry_after``), or a dataset locked by another task
  (``GEOSPAAS_PROCESSING_LOCK_RETRY_DELAY``, :data:`LOCK_MAX_RETRIES` times);
* a full disk is retried :data:`DISK_FULL_MAX_RETRIES` times, :data:`DISK_FULL_COUNTDOWN_SECONDS`
  apart (the clean-up or another task may free room meanwhile);
* no countdown exceeds ``GEOSPAAS_PROCESSING_RETRY_MAX_COUNTDOWN`` (25 minutes by default),
  because a worker holds a retried message unacknowledged until its countdown ends and
  RabbitMQ closes the channel of a consumer holding one longer than its ``consumer_timeout``
  (30 minutes by default: https://www.rabbitmq.com/docs/consumers#acknowledgement-timeout).
"""

from __future__ import annotations

import errno

from django.db import InterfaceError, OperationalError

from geospaas_processing import config, locks
from geospaas_processing.errors import ConfigurationError, TemporaryError

TEMPORARY_MAX_RETRIES = 30
LOCK_MAX_RETRIES = 240
DISK_FULL_COUNTDOWN_SECONDS = 300
DISK_FULL_MAX_RETRIES = 3
DEFAULT_BACKOFF_SECONDS = 60
# Under RabbitMQ's default consumer_timeout of 1800 s, with a margin for a busy worker.
DEFAULT_MAX_COUNTDOWN_SECONDS = 1500
# Errors of a database connection that broke (server restarted, network cut): the work is
# worth doing again on a new connection, unlike an IntegrityError or a bad query.
DATABASE_CONNECTION_ERRORS = (OperationalError, InterfaceError)


class WorkDiskFull(TemporaryError):
    """The disk of the work directory is full; retried a few times, minutes apart."""


def _positive_seconds(name: str, default: int) -> int:
    value = config.get_int(name)
    if value is None:
        return default
    if value <= 0:
        raise ConfigurationError(f'{name} must be a positive number of seconds, got {value}')
    return value


def backoff_seconds() -> int:
    """The first backoff wait (``GEOSPAAS_PROCESSING_RETRY_BACKOFF``), doubled at each retry."""
    return _positive_seconds('GEOSPAAS_PROCESSING_RETRY_BACKOFF', DEFAULT_BACKOFF_SECONDS)


def max_countdown_seconds() -> int:
    """The longest wait before a retry (``GEOSPAAS_PROCESSING_RETRY_MAX_COUNTDOWN``)."""
    return _positive_seconds(
        'GEOSPAAS_PROCESSING_RETRY_MAX_COUNTDOWN', DEFAULT_MAX_COUNTDOWN_SECONDS
    )


def lock_retry_delay() -> int:
    """Seconds before trying again a dataset locked by another task."""
    return _positive_seconds('GEOSPAAS_PROCESSING_LOCK_RETRY_DELAY', 30)


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc``, or an error it was raised from, says the disk is full.

    ENOSPC or EDQUOT, or the package's own no-space errors (``NoSpaceLeftError`` of the
    downloaders, ``NotEnoughSpaceError`` of the storage), wrapped or not (``ArchiveError``).
    """
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if type(exc).__name__ in ('NoSpaceLeftError', 'NotEnoughSpaceError'):
            return True
        exc = exc.__cause__
    return False


def is_database_connection_error(exc: BaseException) -> bool:
    """Whether ``exc`` is a broken database connection (worth a new connection and a retry)."""
    return isinstance(exc, DATABASE_CONNECTION_ERRORS)


def schedule(
    exc: BaseException | None, countdown: float | None, max_retries: int | None
) -> tuple[float | None, int | None]:
    """The countdown and retry limit of a retry caused by ``exc``, capped as the policy says.

    ``countdown`` is Celery's backoff (with jitter); it is replaced only by a wait the other
    side asked for (``retry_after``, a busy dataset lock) or by the disk-full policy.
    """
    if isinstance(exc, WorkDiskFull):
        countdown, max_retries = DISK_FULL_COUNTDOWN_SECONDS, DISK_FULL_MAX_RETRIES
    elif isinstance(exc, locks.LockBusy) and exc.retry_after is None:
        countdown, max_retries = lock_retry_delay(), LOCK_MAX_RETRIES
    elif isinstance(exc, TemporaryError) and exc.retry_after is not None:
        countdown = exc.retry_after
    if countdown is not None:
        countdown = max(0.0, min(float(countdown), max_countdown_seconds()))
    return countdown, max_retries
