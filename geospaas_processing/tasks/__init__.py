"""The Celery application of geospaas_processing and the conventions its tasks follow.

Conventions:
    * the first positional argument of a dataset task is a tuple whose first
      element is the dataset ID; the task returns ``(dataset_id, result)``, so
      that tasks chain: ``download.s((180,)) | crop.s(bounding_box=[0, 20, 20, 0])``;
    * the tasks that touch a dataset's files hold that dataset's lock
      (:func:`lock_dataset_files`); a task finding it held retries later instead
      of blocking a worker process.

The application is configured from the environment (see :mod:`geospaas_processing.config`).
Without ``GEOSPAAS_PROCESSING_BROKER`` (a laptop), tasks run in-process:
``download((1,))`` and ``download.delay((1,))`` both execute synchronously.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import celery
from celery import signals

from geospaas_processing import config, locks

logger = logging.getLogger(__name__)

QUEUES = ('core', 'idf', 'syntool', 'harvesting')
# A long download must not be delivered a second time while it runs (Redis broker).
VISIBILITY_TIMEOUT_SECONDS = 2 * 24 * 3600
LOCK_MAX_RETRIES = 240
# In-process mode cannot defer a retry: it waits (bounded) between attempts instead.
EAGER_MAX_WAIT_SECONDS = 10
EAGER_LOCK_MAX_RETRIES = 6


def celery_settings() -> dict[str, Any]:
    """The Celery configuration read from the environment."""
    broker = config.get('GEOSPAAS_PROCESSING_BROKER')
    settings: dict[str, Any] = {
        'broker_url': broker or 'memory://',
        'result_backend': config.get('GEOSPAAS_PROCESSING_RESULT_BACKEND') or 'django-db',
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


class DatasetTask(celery.Task):
    """Base task: sets up Django and the catalog before running, in workers and in-process."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        import geospaas_processing

        geospaas_processing.setup()
        return super().__call__(*args, **kwargs)


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
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()


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
    worker frees itself. The wrapped task must be declared with ``bind=True``.
    """

    @functools.wraps(function)
    def wrapper(task: celery.Task, *args: Any, **kwargs: Any) -> Any:
        dataset_id = dataset_id_of(args)
        try:
            with locks.dataset_lock(dataset_id, expiry=lock_expiry()):
                return function(task, *args, **kwargs)
        except locks.LockBusy as busy:
            countdown = config.value('GEOSPAAS_PROCESSING_LOCK_RETRY_DELAY')
            logger.info(
                'dataset %s is locked by another task, retrying in %ss', dataset_id, countdown
            )
            wait_before_retry(task, countdown)
            max_retries = EAGER_LOCK_MAX_RETRIES if task.request.is_eager else LOCK_MAX_RETRIES
            raise task.retry(exc=busy, countdown=countdown, max_retries=max_retries) from busy

    return wrapper  # type: ignore[return-value]


def lock_expiry() -> float:
    """Seconds before the lock of a dead holder frees itself (GEOSPAAS_PROCESSING_LOCK_EXPIRY)."""
    return float(config.value('GEOSPAAS_PROCESSING_LOCK_EXPIRY'))


def wait_before_retry(task: celery.Task, countdown: float) -> None:
    """In-process (eager) mode retries at once: wait there, bounded, instead of spinning."""
    if task.request.is_eager:
        time.sleep(min(countdown, EAGER_MAX_WAIT_SECONDS))
