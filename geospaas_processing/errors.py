"""The root of the package's exceptions and the configuration errors.

Tree::

    GeospaasProcessingError
    ├── ConfigurationError      missing or invalid settings, libraries or services
    └── TemporaryError          worth retrying later: a busy lock or slot, a timeout, a 503

Each stage adds its own subtree (``DownloadError`` in ``downloaders``,
``ConversionError`` in ``converters``, ...), rooted here so that a caller can
catch everything the package raises with one class. Every failure worth retrying, whatever
its stage, also derives from :class:`TemporaryError` (and from nothing else that is not a
subclass of the stage's root): the Celery tasks retry on that one class, and usage or
configuration errors are never under it.
"""

from __future__ import annotations


class GeospaasProcessingError(Exception):
    """Base class of every error raised on purpose by geospaas_processing."""


class ConfigurationError(GeospaasProcessingError, RuntimeError):
    """A setting, library or service the package needs is missing or invalid.

    The message names what is wrong and how to fix it. Also a RuntimeError, which is what
    the original geospaas_processing raised for missing settings.
    """


class TemporaryError(GeospaasProcessingError):
    """A failure worth retrying later: a busy lock or download slot, a timeout, a 429 or 503.

    Stages derive their temporary errors from this class as well as from their own root.

    Attributes:
        retry_after: seconds the other side asked us to wait (``Retry-After``), already
            bounded, or None when it said nothing; the retry policy uses its backoff then.
    """

    retry_after: float | None = None
