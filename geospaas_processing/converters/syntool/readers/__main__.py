"""Runner of the package's Syntool readers, with syntool-converter's command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from geospaas_processing.converters.syntool.readers import ReaderError, get_reader


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``-t TYPE [-opt key=value ...] -i IN -o OUT``, as syntool-converter takes them."""
    parser = argparse.ArgumentParser(
        prog='python -m geospaas_processing.converters.syntool.readers',
        description="Convert a file with one of the package's Syntool readers.",
    )
    parser.add_argument('-t', dest='type', required=True, help='reader type')
    parser.add_argument('-i', dest='input', required=True, type=Path, help='input file')
    parser.add_argument('-o', dest='output', required=True, type=Path, help='output directory')
    parser.add_argument(
        '-opt',
        dest='options',
        nargs='*',
        action='extend',
        default=[],
        help='key=value reader options (all after one -opt, as syntool-converter takes them)',
    )
    arguments = parser.parse_args(argv)
    options = {}
    for option in arguments.options:
        key, separator, value = option.partition('=')
        if not separator:
            parser.error(f'option {option!r} is not key=value')
        options[key] = value
    arguments.options = options
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    """Run the reader; 0 when it wrote files, 1 (message on stderr) when it failed."""
    arguments = parse_arguments(argv)
    try:
        reader = get_reader(arguments.type)
        if not arguments.input.exists():
            raise ReaderError(f'input not found: {arguments.input}')
        arguments.output.mkdir(parents=True, exist_ok=True)
        written = reader(arguments.input, arguments.output, arguments.options)
    except (ReaderError, OSError, KeyError, ValueError) as error:
        print(f'{arguments.type}: {error}', file=sys.stderr)
        return 1
    for path in written:
        print(f'wrote {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
