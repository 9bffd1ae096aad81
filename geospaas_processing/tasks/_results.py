"""The result backend of the tasks: django-celery-results, surviving a database restart."""

from __future__ import annotations

import logging
from typing import Any

from celery.exceptions import BackendStoreError

import geospaas_processing
from geospaas_processing.tasks import _policy

# The backend's models need Django configured: a client sending tasks may not have done it.
geospaas_processing.setup()

from django_celery_results.backends.database import DatabaseBackend  # noqa: E402

logger = logging.getLogger(__name__)


class ReconnectingDatabaseBackend(DatabaseBackend):
    """Stores results in the catalog database, reconnecting after a broken connection.

    django-celery-results retries only ``InterfaceError`` (a connection already closed); a
    server restart first shows as ``OperationalError``. Both close the connection, so the
    next attempt (``result_backend_always_retry``, with backoff) opens a new one.

    The RETRY state is not essential: when it cannot be recorded, the retry (already
    published) goes on, instead of Celery recording the task as failed once the database
    is back.
    """

    def exception_safe_to_retry(self, exc: Exception) -> bool:
        if _policy.is_database_connection_error(exc):
            from geospaas_processing.tasks import close_database_connections

            close_database_connections()
            return True
        return super().exception_safe_to_retry(exc)

    def mark_as_retry(self, task_id: str, exc: Exception, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().mark_as_retry(task_id, exc, *args, **kwargs)
        except BackendStoreError as error:
            logger.warning('could not record the retry of task %s: %s', task_id, error)
            return None
