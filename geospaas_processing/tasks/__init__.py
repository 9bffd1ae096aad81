"""The Celery application of geospaas_processing and the conventions its tasks follow.

Conventions:
    * the first positional argument of a dataset task is a tuple whose first
      element is the dataset ID; the task returns ``(dataset_id, result)``, so
      that tasks chain: ``download.s((180,)) | crop.s(bounding_box=[0, 20, 20, 0])``;
    * the tasks that touch a dataset's files hold that dataset's lock
      (:func:`lock_dataset_files`); a task finding it held retries later instead
      of blocking a worker process;
    * every task follows one retry policy (:mod:`geospaas_processing.tasks._policy`):
      a :class:`~geospaas_processing.errors.TemporaryError` or a broken database connection
      is retried with Celery's backoff and jitter, in a worker and in-process alike.

The application is configured from the environment (see :mod:`geospaas_processing.config`).
Without ``GEOSPAAS_PROCESSING_BROKER`` (a laptop), tasks run in-process:
``download((1,))`` and ``download.delay((1,))`` both execute synchronously, waiting
between retries.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import celery
from celery import signals, states
from celery._state import _task_stack, get_current_task
from celery.exceptions import Reject, Retry
from kombu.exceptions import OperationalError as BrokerUnreachable

from geospaas_processing import config, locks
from geospaas_processing.errors import TemporaryError
from geospaas_processing.tasks import _policy

logger = logging.getLogger(__name__)

QUEUES = ('core', 'idf', 'syntool', 'harvesting')
# A long download must not be delivered a second time while it runs (Redis broker).
VISIBILITY_TIMEOUT_SECONDS = 2 * 24 * 3600
LOCK_MAX_RETRIES = _policy.LOCK_MAX_RETRIES
# Publishing a task (the next one of a chain, a retry) waits out a broker outage of two
# minutes: kombu's own retries (this policy) end early once a connection was made (Redis),
# so DatasetTask.apply_async publishes again, PUBLISH_RETRY_INTERVAL_SECONDS apart.
PUBLISH_RETRY_POLICY = {
    'max_retries': 3,
    'interval_start': 0,
    'interval_step': 1,
    'interval_max': 2,
}
PUBLISH_RETRY_SECONDS = 120
PUBLISH_RETRY_INTERVAL_SECONDS = 2
# Storing a result waits out a database outage of about a minute (backoff up to 10 s).
RESULT_STORE_MAX_RETRIES = 10


# django-celery-results' backend, reconnecting after a broken database connection.
DATABASE_BACKEND = 'geospaas_processing.tasks._results:ReconnectingDatabaseBackend'


def celery_settings() -> dict[str, Any]:
    """The Celery configuration read from the environment."""
    broker = config.get('GEOSPAAS_PROCESSING_BROKER')
    settings: dict[str, Any] = {
        'broker_url': broker or 'memory://',
        'result_backend': config.get('GEOSPAAS_PROCESSING_RESULT_BACKEND') or DATABASE_BACKEND,
        'result_backend_always_retry': True,
        'result_backend_max_retries': RESULT_STORE_MAX_RETRIES,
        'result_backend_max_sleep_between_retries_ms': 10_000,
        'task_publish_retry': True,
        'task_publish_retry_policy': PUBLISH_RETRY_POLICY,
        'task_routes': {
            f'geospaas_processing.tasks.{queue}.*': {'queue': queue} for queue in QUEUES
        },
        'task_default_queue': 'core',
        'worker_prefetch_multiplier': 1,
        'task_serializer': 'json',
        'result_serializer': 'json',
        'accept_content': ['json'],
        'result_extended': True,
        'broker_connection_retry_on_startup': True,
        'broker_transport_options': {'visibility_timeout': VISIBILITY_TIMEOUT_SECONDS},
        'result_backend_transport_options': {'visibility_timeout': VISIBILITY_TIMEOUT_SECONDS},
        'task_always_eager': broker is None,
        'task_eager_propagates': True,
        'task_store_eager_result': False,
    }
    return settings


class _GeospaasCelery(celery.Celery):
    """The package's Celery class: the default result backend brings up Django by itself.

    django-celery-results needs configured Django apps in every process that reads or
    stores results, the client included; importing the task modules is thus enough to
    send tasks and wait for their results.
    """

    def _get_backend(self):
        if str(self.conf.result_backend).startswith('django-db'):
            import geospaas_processing

            geospaas_processing.setup()
        return super()._get_backend()


class _ReopenDatabase(Exception):
    """The first broken database connection of an attempt: run the task again at once."""


# Per thread (a worker process runs one task at a time per thread): whether the current
# attempt already re-opened its database connections once.
_attempt = threading.local()


def close_database_connections() -> None:
    """Close this thread's database connections; the next query opens fresh ones."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()


class DatasetTask(celery.Task):
    """Base task: sets up Django and the catalog, and applies the package's retry policy.

    Retries (see :mod:`geospaas_processing.tasks._policy`): Celery's ``autoretry_for`` on
    :class:`TemporaryError` and broken database connections, with exponential backoff and
    jitter; the countdown follows ``retry_after`` when the other side gave one. A broken
    database connection is first re-opened once and the task run again at once. In a
    worker, the result is stored before the task is acknowledged; when it cannot be stored
    the task is retried. In-process (no broker), the task waits and retries in the calling
    process with the same countdowns and limits.
    """

    autoretry_for = (TemporaryError, *_policy.DATABASE_CONNECTION_ERRORS)
    # Read when the task modules are imported (when a worker starts).
    retry_backoff = _policy.backoff_seconds()
    retry_backoff_max = _policy.max_countdown_seconds()
    retry_jitter = True
    max_retries = _policy.TEMPORARY_MAX_RETRIES

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        import geospaas_processing

        geospaas_processing.setup()
        in_process = bool(self.request.called_directly or self.request.is_eager)
        retries = self.request.retries or 0
        _attempt.database_reopened = False
        while True:
            try:
                if in_process:
                    return self._run_in_process(args, kwargs, retries)
                result = super().__call__(*args, **kwargs)
                self._store_result(result)
                return result
            except _ReopenDatabase as reopen:
                logger.warning('%s: database connection lost, reconnecting: %s', self.name, reopen)
                _attempt.database_reopened = True
                close_database_connections()
            except Retry as retry:
                if not in_process:
                    raise
                close_database_connections()
                wait = float(retry.when or 0)
                logger.info('%s: retry %d in %.0f s (in-process)', self.name, retries + 1, wait)
                time.sleep(wait)
                retries += 1

    def _run_in_process(self, args: tuple, kwargs: dict, retries: int) -> Any:
        # Celery's own in-process request is marked "called directly", on which its retry()
        # re-raises the error at once: run with an eager request that carries the retry count.
        _task_stack.push(self)
        self.push_request(
            args=args, kwargs=kwargs, retries=retries, is_eager=True, called_directly=False
        )
        try:
            return self.run(*args, **kwargs)
        finally:
            self.pop_request()
            _task_stack.pop()

    def _store_result(self, result: Any) -> None:
        """Store a worker's result now, so that a database outage leads to a retry, not a loss."""
        from geospaas_processing.tasks._results import ReconnectingDatabaseBackend

        if self.ignore_result or not isinstance(self.backend, ReconnectingDatabaseBackend):
            return
        try:
            self.backend.store_result(self.request.id, result, states.SUCCESS, request=self.request)
        except Exception as exc:
            logger.warning('%s: could not store the result, retrying the task: %s', self.name, exc)
            close_database_connections()
            raise self.retry(exc=exc, countdown=self.backoff_countdown()) from exc

    def backoff_countdown(self) -> float:
        """Celery's backoff with jitter for the current retry count."""
        from celery.utils.time import get_exponential_backoff_interval

        return get_exponential_backoff_interval(
            factor=self.retry_backoff,
            retries=self.request.retries or 0,
            maximum=self.retry_backoff_max,
            full_jitter=self.retry_jitter,
        )

    def retry(
        self,
        args: Any = None,
        kwargs: Any = None,
        exc: BaseException | None = None,
        throw: bool = True,
        eta: Any = None,
        countdown: float | None = None,
        max_retries: int | None = None,
        **options: Any,
    ) -> Any:
        """Celery's retry, with the countdown and limit of the package's policy."""
        reopened = getattr(_attempt, 'database_reopened', True)
        if exc is not None and _policy.is_database_connection_error(exc) and not reopened:
            raise _ReopenDatabase(str(exc)) from exc
        countdown, max_retries = _policy.schedule(exc, countdown, max_retries)
        if exc is not None:
            logger.info(
                '%s[%s]: retry %d in %s s: %s',
                self.name,
                self.request.id,
                (self.request.retries or 0) + 1,
                countdown,
                exc,
            )
        try:
            return super().retry(args, kwargs, exc, throw, eta, countdown, max_retries, **options)
        except Reject as rejected:
            # Celery drops the message when its retry cannot be published: give it back.
            raise Reject(rejected.reason, requeue=True) from rejected

    def apply_async(self, *args: Any, **kwargs: Any) -> Any:
        """Celery's apply_async, publishing again for up to PUBLISH_RETRY_SECONDS while the
        broker is unreachable.

        When it is still unreachable, a running task handing off to this one (the next task
        of a chain) goes back to its queue instead of being recorded as failed; elsewhere
        (a client) the error is raised.
        """
        deadline = time.monotonic() + PUBLISH_RETRY_SECONDS
        while True:
            try:
                return super().apply_async(*args, **kwargs)
            except BrokerUnreachable as exc:
                if time.monotonic() >= deadline:
                    error = exc
                    break
                logger.warning(
                    'broker unreachable, publishing %s again in %s s: %s',
                    self.name,
                    PUBLISH_RETRY_INTERVAL_SECONDS,
                    exc,
                )
                time.sleep(PUBLISH_RETRY_INTERVAL_SECONDS)
        running = get_current_task()
        if running is None or running.request.called_directly or running.request.is_eager:
            raise error
        logger.warning(
            '%s: cannot publish %s (%s); giving the task back to the queue',
            running.name,
            self.name,
            error,
        )
        raise Reject(f'cannot publish {self.name}: {error}', requeue=True) from error


# Every worker knows every task, so that a chain may cross queues (download on ``core``,
# conversion on ``idf``); the task modules import their heavy dependencies lazily.
TASK_MODULES = [f'geospaas_processing.tasks.{queue}' for queue in QUEUES]
app = _GeospaasCelery('geospaas_processing', task_cls=DatasetTask, include=TASK_MODULES)
app.conf.update(celery_settings())

# Options of the tasks that may run for long: a worker killed while running one
# leaves the message unacknowledged, so the broker delivers it again.
LONG_TASK_OPTIONS: dict[str, Any] = {'acks_late': True, 'reject_on_worker_lost': True}


@signals.celeryd_init.connect
def _set_up_catalog_in_worker(**_: Any) -> None:
    """Configure Django and check the catalog before the worker starts its pool.

    The result backend needs Django from the start; a bad database configuration
    stops the worker at once with the package's one-line message.
    """
    from django.db import connections

    import geospaas_processing

    config.validate()
    geospaas_processing.setup()
    connections.close_all()  # forked pool processes must open connections of their own


@signals.task_postrun.connect
def _close_database_connections(**_: Any) -> None:
    """Each task gets fresh connections, so a worker survives a database restart."""
    close_database_connections()


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _add_graylog_handler(logger: logging.Logger, **_: Any) -> None:
    host = config.get('GEOSPAAS_PROCESSING_LOGGING_HOST')
    if host is None:
        return
    import graypy

    port = config.value('GEOSPAAS_PROCESSING_LOGGING_PORT')
    # TCP by default, as upstream: deployments' Graylog inputs are GELF TCP.
    protocol = config.value('GEOSPAAS_PROCESSING_LOGGING_PROTOCOL')
    handler_class = graypy.GELFTCPHandler if protocol == 'tcp' else graypy.GELFUDPHandler
    logger.addHandler(handler_class(host, port, facility='geospaas_processing'))


F = TypeVar('F', bound=Callable[..., Any])


def dataset_id_of(args: tuple[Any, ...]) -> int:
    """The dataset ID of a task's arguments (the first element of the first argument)."""
    try:
        return int(args[0][0])
    except (IndexError, TypeError, ValueError):
        raise ValueError(
            'a dataset task takes a tuple starting with the dataset ID as its first argument, '
            f'e.g. (180,) or (180, "path.nc"); got {args[:1]!r}'
        ) from None


def lock_dataset_files(function: F) -> F:
    """Run a bound task while holding its dataset's lock; retry later when someone else holds it.

    The lock has an expiry renewed while the task runs, so the lock of a killed
    worker frees itself. A full disk becomes :class:`~._policy.WorkDiskFull` (retried a
    few times, minutes apart). The wrapped task must be declared with ``bind=True``.
    """

    @functools.wraps(function)
    def wrapper(task: celery.Task, *args: Any, **kwargs: Any) -> Any:
        dataset_id = dataset_id_of(args)
        try:
            with locks.dataset_lock(dataset_id, expiry=lock_expiry()):
                return function(task, *args, **kwargs)
        except Exception as exc:
            if _policy.is_disk_full(exc):
                raise _policy.WorkDiskFull(
                    f'no room left on the disk for dataset {dataset_id}: {exc}'
                ) from exc
            raise

    return wrapper  # type: ignore[return-value]


def lock_expiry() -> float:
    """Seconds before the lock of a dead holder frees itself (GEOSPAAS_PROCESSING_LOCK_EXPIRY)."""
    return locks.configured_expiry()


def wait_before_retry(task: celery.Task, countdown: float) -> None:
    """Nothing any more: :class:`DatasetTask` waits between in-process retries itself.

    Kept for the task modules that still call it before ``task.retry``.
    """
