"""The package's own Syntool readers, run like syntool-converter by their runner.

Runner (same command line as ``syntool-converter``)::

    python -m geospaas_processing.converters.syntool.readers
        -t TYPE [-opt key=value ...] -i IN -o OUT

A reader is a function ``(input_path, output_dir, options) -> [written files]``
registered under its type with :func:`register`; it raises :class:`ReaderError`
with a message for the user when the input does not fit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from geospaas_processing.converters.errors import ConversionError

__all__ = ['READERS', 'Reader', 'ReaderError', 'get_reader', 'register']

Reader = Callable[[Path, Path, Mapping[str, str]], list[Path]]
READERS: dict[str, Reader] = {}
# Modules holding readers, imported when the registry is first consulted.
READER_MODULES = ('argo', 'profiles')


class ReaderError(ConversionError):
    """A custom reader could not read its input."""


def register(reader_type: str) -> Callable[[Reader], Reader]:
    """Decorator registering a reader under ``reader_type``; duplicates are refused."""

    def decorator(function: Reader) -> Reader:
        if reader_type in READERS:
            raise ValueError(f'a Syntool reader is already registered as {reader_type!r}')
        READERS[reader_type] = function
        return function

    return decorator


def get_reader(reader_type: str) -> Reader:
    """The reader registered under ``reader_type``.

    Raises:
        ReaderError: no such reader (the message lists the known ones).
    """
    import importlib

    for module in READER_MODULES:
        importlib.import_module(f'{__name__}.{module}')
    try:
        return READERS[reader_type]
    except KeyError:
        raise ReaderError(
            f'unknown reader type {reader_type!r} (known: {", ".join(sorted(READERS))})'
        ) from None
