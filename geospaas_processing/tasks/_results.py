"""The result backend of the tasks: django-celery-results, surviving a database restart."""

from __future__ import annotations

import geospaas_processing
from geospaas_processing.tasks import _policy

# The backend's models need Django configured: a client sending tasks may not have done it.
geospaas_processing.setup()

from django_celery_results.backends.database import DatabaseBackend  # noqa: E402


class ReconnectingDatabaseBackend(DatabaseBackend):
    """Stores results in the catalog database, reconnecting after a broken connection.

    django-celery-results retries only ``InterfaceError`` (a connection already closed); a
    server restart first shows as ``OperationalError``. Both close the connection, so the
    next attempt (``result_backend_always_retry``, with backoff) opens a new one.
    """

    def exception_safe_to_retry(self, exc: Exception) -> bool:
        if _policy.is_database_connection_error(exc):
            from geospaas_processing.tasks import close_database_connections

            close_database_connections()
            return True
        return super().exception_safe_to_retry(exc)
