"""Conversion of downloaded datasets: the managers, converters and their errors.

The contract is in :mod:`geospaas_processing.converters.base`; each family of
converters has its own subpackage (``idf`` for SEAScope's IDF format).
"""

from geospaas_processing.converters.base import (
    ConversionManager,
    Converter,
    ParameterSelector,
)
from geospaas_processing.converters.errors import (
    AuxiliaryFileError,
    ConversionError,
    ConversionInputError,
    ConversionToolError,
    ConversionToolMissing,
    NoMatch,
    PartialConversionError,
)

__all__ = [
    'AuxiliaryFileError',
    'ConversionError',
    'ConversionInputError',
    'ConversionManager',
    'ConversionToolError',
    'ConversionToolMissing',
    'Converter',
    'NoMatch',
    'ParameterSelector',
    'PartialConversionError',
]
