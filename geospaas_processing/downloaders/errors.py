"""The errors of the downloaders, rooted at :class:`DownloadError`.

Tree::

    GeospaasProcessingError
    └── DownloadError                   root of the download stage
        ├── ObsoleteURLError            the provider no longer serves this URL (404, 410, ...)
        ├── RetriableDownloadError      temporary (also a TemporaryError): connection, timeout,
        │   │                           body cut short, 429, 503
        │   ├── LowSpeedError           slower than the low-speed limit; the partial file is kept
        │   ├── TooManyDownloadsError   every parallel-download slot of the provider is taken
        │   └── RetriableDatasetDownloadError   every URI failed, some of them temporarily
        ├── DatasetDownloadError        every URI of a dataset failed (``errors`` lists each)
        ├── UnexpectedContentError      an HTML page came for a file that is not one
        ├── DownloadCancelled           the caller cancelled; the partial file is kept
        ├── AuthenticationError         the provider refused the credentials
        ├── NoSpaceLeftError            the disk is full (the partial file was removed)
        ├── SelectionError              the criteria select nothing, or too many datasets
        └── ProviderSettingsError       invalid provider settings file (also a ConfigurationError)

Every temporary failure derives from :class:`geospaas_processing.errors.TemporaryError`
through :class:`RetriableDownloadError` only, so a task retries on that one class; no class
inherits from two download errors. Both dataset errors carry ``errors``, the failure of
each URI.

Every error carries the details a caller needs as attributes (URL without credentials,
status code, dataset ID, ``retry_after``) and survives pickling with them: Celery carries
them between processes. Messages and attributes never contain credentials.
"""

from __future__ import annotations

from geospaas_processing.errors import (
    ConfigurationError,
    GeospaasProcessingError,
    TemporaryError,
)


class DownloadError(GeospaasProcessingError):
    """Root of the errors raised while selecting or downloading datasets.

    Attributes:
        url: the URL concerned, credentials removed (None when not about one URL).
        dataset_id: the dataset concerned, when known.
    """

    def __init__(
        self, message: str, *, url: str | None = None, dataset_id: int | None = None
    ) -> None:
        super().__init__(message)
        self.url = url
        self.dataset_id = dataset_id

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ''


class ObsoleteURLError(DownloadError):
    """The provider answered that the URL is gone (HTTP 404/410, a configured invalid status).

    Attributes:
        status_code: the HTTP status (None for other protocols).
    """

    def __init__(self, message: str, *, status_code: int | None = None, **details) -> None:
        super().__init__(message, **details)
        self.status_code = status_code


class RetriableDownloadError(DownloadError, TemporaryError):
    """A failure worth retrying later: connection error, timeout, body cut short, 429, 503.

    Attributes:
        retry_after: seconds the server asked to wait (``Retry-After``, bounded), or None.
        status_code: the HTTP status, when there was one.
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status_code: int | None = None,
        **details,
    ) -> None:
        super().__init__(message, **details)
        self.retry_after = retry_after
        self.status_code = status_code


class LowSpeedError(RetriableDownloadError):
    """The transfer stayed below the low-speed limit for the low-speed time; retry later.

    The partial file is kept, so the next attempt resumes where this one stopped.
    """


class TooManyDownloadsError(RetriableDownloadError):
    """Every parallel-download slot of the provider is held; retry later.

    Attributes:
        provider: the provider settings prefix whose limit is reached.
        limit: its ``max_parallel_downloads``.
    """

    def __init__(
        self, message: str, *, provider: str | None = None, limit: int | None = None, **details
    ) -> None:
        super().__init__(message, **details)
        self.provider = provider
        self.limit = limit


class DatasetDownloadError(DownloadError):
    """Every URI of a dataset failed.

    Attributes:
        errors: ``(url, error)`` for each URI tried, in order.
    """

    def __init__(
        self, message: str, *, errors: list[tuple[str, DownloadError]] | None = None, **details
    ) -> None:
        super().__init__(message, **details)
        self.errors = list(errors or [])


class RetriableDatasetDownloadError(RetriableDownloadError):
    """Every URI of a dataset failed, at least one of them for a temporary reason.

    Attributes:
        errors: ``(url, error)`` for each URI tried, in order.
        retry_after: the longest wait any server asked for.
    """

    def __init__(
        self,
        message: str,
        *,
        errors: list[tuple[str, DownloadError]] | None = None,
        retry_after: float | None = None,
        **details,
    ) -> None:
        super().__init__(message, retry_after=retry_after, **details)
        self.errors = list(errors or [])


class UnexpectedContentError(DownloadError):
    """The server answered an HTML page for a file whose name is not an HTML file.

    Usually a login or error page answered with status 200. Nothing is recorded, so the
    next run tries again; a provider that really serves HTML sets ``allow_html: true``.

    Attributes:
        content_type: the ``Content-Type`` the server sent.
    """

    def __init__(self, message: str, *, content_type: str | None = None, **details) -> None:
        super().__init__(message, **details)
        self.content_type = content_type


class DownloadCancelled(DownloadError):
    """The caller cancelled the download (Ctrl-C); the partial file is kept for a resume."""


class AuthenticationError(DownloadError):
    """The provider (or its token endpoint) refused the configured credentials.

    Attributes:
        status_code: the HTTP status, when there was one.
    """

    def __init__(self, message: str, *, status_code: int | None = None, **details) -> None:
        super().__init__(message, **details)
        self.status_code = status_code


class NoSpaceLeftError(DownloadError):
    """The disk holding the download directory is full; the partial file was removed.

    Attributes:
        directory: where the file was being written.
    """

    def __init__(self, message: str, *, directory: str | None = None, **details) -> None:
        super().__init__(message, **details)
        self.directory = directory


class SelectionError(DownloadError, ValueError):
    """The criteria select no dataset, or more than ``max_downloads``; nothing was downloaded.

    Also a ValueError, which is what upstream raised for "Too many datasets to download".

    Attributes:
        count: how many datasets matched.
        limit: the ``max_downloads`` in force.
    """

    def __init__(
        self, message: str, *, count: int | None = None, limit: int | None = None, **details
    ) -> None:
        super().__init__(message, **details)
        self.count = count
        self.limit = limit


class ProviderSettingsError(DownloadError, ConfigurationError):
    """The provider settings file cannot be read or is invalid; the message names prefix and key.

    Attributes:
        path: the settings file.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path
