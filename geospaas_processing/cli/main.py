"""``geospaas-processing``: the package's main command and its subcommands.

Exit status: 0 success, 1 the work failed, 2 bad usage or configuration, 130 interrupted.

Start-up stays light: building the parser, ``--help``, usage errors and ``config``
load neither Django, GDAL nor Celery; each subcommand imports what it uses when it runs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from geospaas_processing import __version__
from geospaas_processing.cli import logs
from geospaas_processing.cli.interrupt import EXIT_INTERRUPTED
from geospaas_processing.cli.util import EXIT_OK, EXIT_USAGE
from geospaas_processing.errors import ConfigurationError

# Subcommands that live in their own modules: name -> module exposing
# ``add_arguments(parser)`` and ``run(args) -> int``.
PLUGGED_SUBCOMMANDS: dict[str, tuple[str, str]] = {
    'datasets': (
        'geospaas_processing.cli.datasets',
        'list the catalog datasets matching the selection flags',
    ),
    'download': ('geospaas_processing.cli.download', 'download the files of matching datasets'),
    'copy': (
        'geospaas_processing.cli.delete_and_copy',
        'copy the local files of matching datasets, after a time-to-live clean-up',
    ),
    'harvest': ('geospaas_processing.cli.harvest', 'fill the catalog from providers'),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``geospaas-processing`` with every subcommand."""
    parser = argparse.ArgumentParser(
        prog='geospaas-processing',
        description='Download, convert, crop and publish the datasets of a GeoSPaaS catalog.',
    )
    parser.add_argument('--version', action='version', version=__version__)
    subcommands = parser.add_subparsers(dest='command', required=True, metavar='COMMAND')

    init_db = subcommands.add_parser(
        'init-db',
        help='create or update the catalog tables',
        description='Create or update the catalog tables (and the SpatiaLite file at '
        'GEOSPAAS_DB_PATH when it does not exist yet). On an existing GeoSPaaS database, '
        'use --fake-initial to adopt the tables it already has.',
    )
    init_db.add_argument(
        '--fake-initial',
        action='store_true',
        help='mark initial migrations as applied when their tables exist',
    )
    init_db.set_defaults(handler=_init_db)

    demo = subcommands.add_parser(
        'demo',
        help='build a demo catalog and run the processing on it',
        description='Generate CF netCDF files, serve them on loopback, catalog them and '
        'process them, printing each step. The demo has a catalog and a work directory of '
        'its own (never your catalog), in a temporary directory removed at the end unless '
        '--keep or --directory is given.',
    )
    demo.add_argument(
        '--directory',
        type=Path,
        help='keep the demo catalog, files and work directory in this directory',
    )
    demo.add_argument(
        '--keep', action='store_true', help='keep the temporary directory of the demo'
    )
    demo.set_defaults(handler=_demo)

    show_config = subcommands.add_parser(
        'config',
        help='show the catalog in use and the environment variables the package reads',
    )
    show_config.set_defaults(handler=_config)

    for name, (module_name, help_text) in PLUGGED_SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        sub = subcommands.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(sub)
        sub.set_defaults(handler=module.run)
    return parser


def run_command(
    prog: str, handler: Callable[[argparse.Namespace], int], args: argparse.Namespace
) -> int:
    """Run a parsed command: configuration checked first, one-line errors, no Ctrl-C traceback."""
    from geospaas_processing import config

    try:
        if handler is not _config:
            config.validate()
        return handler(args)
    except ConfigurationError as exc:
        print(f'{prog}: error: {exc}', file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f'{prog}: interrupted', file=sys.stderr)
        return EXIT_INTERRUPTED


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    if not hasattr(args, 'verbose'):
        logs.configure_logging()
    return run_command('geospaas-processing', args.handler, args)


def _init_db(args: argparse.Namespace) -> int:
    from geospaas_processing.database import migrate_catalog, setup

    setup(migrate=False, create=True)
    migrate_catalog(fake_initial=args.fake_initial)
    from geospaas_processing import config

    print(f'catalog tables are up to date: {config.catalog_description()}')
    return EXIT_OK


# Variables that would point the demo at the user's own catalog, broker or results.
_DEMO_CLEARED_VARIABLES = (
    'GEOSPAAS_DB_HOST',
    'GEOSPAAS_PROCESSING_BROKER',
    'GEOSPAAS_PROCESSING_RESULT_BACKEND',
)


def _demo(args: argparse.Namespace) -> int:
    keep = args.keep or args.directory is not None
    if args.directory is not None:
        directory = args.directory.resolve()
        directory.mkdir(parents=True, exist_ok=True)
    else:
        directory = Path(tempfile.mkdtemp(prefix='geospaas-demo-'))
    for name in _DEMO_CLEARED_VARIABLES:
        os.environ.pop(name, None)
    os.environ['GEOSPAAS_DB_PATH'] = str(directory / 'catalog.sqlite3')
    os.environ['GEOSPAAS_PROCESSING_WORK_DIR'] = str(directory / 'work')
    # One demo dataset has a local URI: its provider folder is the one local source allowed.
    os.environ['GEOSPAAS_PROCESSING_LOCAL_SOURCE_DIRS'] = str(directory / 'provider')
    print(f'demo catalog: {directory / "catalog.sqlite3"} (your own catalog is not touched)')
    print(f'demo work directory: {directory / "work"}')
    try:
        from geospaas_processing.database import setup

        setup(create=True)
        from geospaas_processing.demo.run import run_demo

        run_demo(directory)
    finally:
        if keep:
            print(f'the demo files are kept in {directory}')
        else:
            shutil.rmtree(directory, ignore_errors=True)
            print(f'removed the demo directory {directory} (--keep or --directory keep it)')
    return EXIT_OK


def _config(args: argparse.Namespace) -> int:
    from geospaas_processing import config

    print(config.describe())
    try:
        config.validate()
    except ConfigurationError as exc:
        print(f'geospaas-processing: error: {exc}', file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


if __name__ == '__main__':
    sys.exit(main())
