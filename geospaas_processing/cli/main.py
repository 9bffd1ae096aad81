"""``geospaas-processing``: the package's main command and its subcommands.

Exit status: 0 success, 1 the work failed, 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from geospaas_processing import __version__
from geospaas_processing.cli.util import EXIT_OK, EXIT_USAGE
from geospaas_processing.errors import ConfigurationError

# Subcommands that live in their own modules: name -> module exposing
# ``add_arguments(parser)`` and ``run(args) -> int``.
PLUGGED_SUBCOMMANDS: dict[str, tuple[str, str]] = {
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
        description='Create or update the catalog tables. On an existing GeoSPaaS database, '
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
        'process them, printing each step.',
    )
    demo.add_argument(
        '--directory',
        type=Path,
        default=Path('demo-output'),
        help='where the demo writes its files (default: %(default)s)',
    )
    demo.set_defaults(handler=_demo)

    show_config = subcommands.add_parser(
        'config', help='list the environment variables the package reads'
    )
    show_config.set_defaults(handler=_config)

    for name, (module_name, help_text) in PLUGGED_SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        sub = subcommands.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(sub)
        sub.set_defaults(handler=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format='%(levelname)s %(name)s: %(message)s')
    try:
        return args.handler(args)
    except ConfigurationError as exc:
        print(f'geospaas-processing: error: {exc}', file=sys.stderr)
        return EXIT_USAGE


def _init_db(args: argparse.Namespace) -> int:
    from geospaas_processing.database import migrate_catalog, setup

    setup(migrate=False)
    migrate_catalog(fake_initial=args.fake_initial)
    print('catalog tables are up to date')
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from geospaas_processing.database import setup

    # The demo's tasks work inside the demo directory unless a work directory is configured.
    os.environ.setdefault('GEOSPAAS_PROCESSING_WORK_DIR', str(args.directory.resolve() / 'work'))
    setup()
    from geospaas_processing.demo.run import run_demo

    run_demo(args.directory)
    return EXIT_OK


def _config(args: argparse.Namespace) -> int:
    from geospaas_processing import config

    print(config.describe())
    return EXIT_OK


if __name__ == '__main__':
    sys.exit(main())
