"""The root of the package's exceptions and the configuration errors.

Tree::

    GeospaasProcessingError
    └── ConfigurationError      missing or invalid settings, libraries or services

Each stage adds its own subtree (``DownloadError`` in ``downloaders``,
``ConversionError`` in ``converters``, ...), rooted here so that a caller can
catch everything the package raises with one class.
"""

from __future__ import annotations


class GeospaasProcessingError(Exception):
    """Base class of every error raised on purpose by geospaas_processing."""


class ConfigurationError(GeospaasProcessingError):
    """A setting, library or service the package needs is missing or invalid.

    The message names what is wrong and how to fix it.
    """
