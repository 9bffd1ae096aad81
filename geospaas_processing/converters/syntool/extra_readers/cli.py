"""The command line of the GDAL readers: syntool-converter's (``-t -i -o -opt``)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from geospaas_processing.converters.syntool.readers import ReaderError
from geospaas_processing.converters.syntool.readers.__main__ import parse_arguments

Convert = Callable[[Path, Path, Mapping[str, str]], list[Path]]


def run(reader_type: str, convert: Convert, argv: Sequence[str] | None = None) -> int:
    """Run ``convert`` on the command line's input; 0 when it wrote files, else 1.

    The failure's message goes to stderr, for the package to report with the command.
    """
    arguments = parse_arguments(argv, prog=f'python -m {__package__}.{reader_type}')
    if arguments.type != reader_type:
        print(f'this reader converts -t {reader_type}, not -t {arguments.type}', file=sys.stderr)
        return 1
    try:
        if not arguments.input.exists():
            raise ReaderError(f'input not found: {arguments.input}')
        written = convert(arguments.input, arguments.output, arguments.options)
    except (ReaderError, OSError, KeyError, ValueError, IndexError) as error:
        print(f'{reader_type}: {arguments.input}: {error}', file=sys.stderr)
        return 1
    for path in written:
        print(f'wrote {path}')
    return 0


def refuse_unknown_options(options: Mapping[str, str], known: Sequence[str] = ()) -> None:
    """ReaderError naming the options this reader does not have (and the ones it has)."""
    unknown = sorted(set(options) - set(known))
    if unknown:
        have = ', '.join(known) if known else 'none'
        raise ReaderError(f'unknown option(s) {", ".join(unknown)} (this reader has: {have})')
