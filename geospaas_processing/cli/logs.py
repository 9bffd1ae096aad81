"""The output options every command shares, and the one log format they all use.

On a terminal a log line is ``LEVEL logger: message``; elsewhere (cron, a pipe, a
file) it starts with a UTC timestamp. ``-v`` raises only the package's own loggers
to DEBUG (not filelock's or urllib3's); ``--log-level`` sets every logger's level.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

PACKAGE_LOGGER = 'geospaas_processing'
TERMINAL_FORMAT = '%(levelname)s %(name)s: %(message)s'
TIMESTAMPED_FORMAT = '%(asctime)s ' + TERMINAL_FORMAT
LEVELS = ('DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL')


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """``--dry-run``, ``--json``, ``-v/--verbose``, ``--quiet`` and ``--log-level``."""
    parser.add_argument(
        '--dry-run', action='store_true', help='list what would be done; write nothing'
    )
    parser.add_argument('--json', action='store_true', help='print the summary as JSON')
    volume = parser.add_mutually_exclusive_group()
    volume.add_argument(
        '-v', '--verbose', action='store_true', help="log every step of the package's own code"
    )
    volume.add_argument('--quiet', action='store_true', help='print only errors')
    volume.add_argument(
        '--log-level',
        choices=LEVELS,
        type=str.upper,
        help='level of every logger, third-party libraries included',
    )


class _UTCFormatter(logging.Formatter):
    converter = time.gmtime

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return time.strftime('%Y-%m-%dT%H:%M:%SZ', self.converter(record.created))


def configure_logging(args: argparse.Namespace | None = None) -> None:
    """Log to stderr in the one format, at the levels the flags ask for.

    By default a terminal gets the package's warnings (the progress bar and the summary
    say the rest) and cron gets the package's line per step, with timestamps.
    """
    terminal = sys.stderr.isatty()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_UTCFormatter(TERMINAL_FORMAT if terminal else TIMESTAMPED_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    package = logging.getLogger(PACKAGE_LOGGER)
    log_level = getattr(args, 'log_level', None)
    if log_level:
        root.setLevel(log_level)
        package.setLevel(logging.NOTSET)
    elif getattr(args, 'quiet', False):
        root.setLevel(logging.ERROR)
        package.setLevel(logging.ERROR)
    else:
        root.setLevel(logging.WARNING)
        verbose = getattr(args, 'verbose', False)
        package.setLevel(
            logging.DEBUG if verbose else logging.WARNING if terminal else logging.INFO
        )
