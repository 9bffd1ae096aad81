"""The errors of the harvesting stage.

Tree::

    GeospaasProcessingError
    └── HarvestError                    anything harvesting raises on purpose
        ├── HarvestConfigurationError   bad harvest YAML, search config or unknown provider
        │                               (also a ConfigurationError: the CLI exits 2)
        ├── ProviderError               a provider request failed for good (after retries)
        ├── NormalizationError          a search result cannot become a catalog entry
        └── VocabularyError             a vocabulary source cannot be read or parsed

Messages name the file, key, provider or URL (never credentials) so that a user
can act on them. Every error pickles (Celery sends them between processes).
"""

from __future__ import annotations

from geospaas_processing.errors import ConfigurationError, GeospaasProcessingError


class HarvestError(GeospaasProcessingError):
    """Base class of the harvesting errors."""


class HarvestConfigurationError(HarvestError, ConfigurationError):
    """The harvest configuration or a search configuration is missing or invalid.

    The message names the file, the key or the provider that is wrong.
    """


class ProviderError(HarvestError):
    """A provider request failed for good, after the retries its configuration allows.

    Attributes:
        url: the URL requested, without credentials.
        status: the HTTP status code, or None when no response came back.
    """

    def __init__(self, message: str, url: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status

    def __reduce__(self):
        return (type(self), (str(self), self.url, self.status))


class NormalizationError(HarvestError):
    """A search result lacks what a catalog entry needs or holds unusable values."""


class VocabularyError(HarvestError):
    """A vocabulary source could not be fetched or its CSV could not be read."""
