"""``geospaas-download``: download the files of the catalog datasets matching the flags.

Exit status: 0 everything downloaded or already present, 1 some datasets failed,
2 bad usage (nothing was downloaded), 130 interrupted (Ctrl-C; what finished is summed up).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

from geospaas_processing.cli import logs, util
from geospaas_processing.cli.interrupt import EXIT_INTERRUPTED, Cancelled, Interrupt
from geospaas_processing.cli.progress import TransferProgress
from geospaas_processing.errors import ConfigurationError

logger = logging.getLogger('geospaas_processing.cli.download')

DEFAULT_SAFETY_LIMIT = 400
# A provider's download slots held by other processes: wait for one rather than fail.
SLOT_TIMEOUT_SECONDS = 600


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The download command's flags (short forms as existing scripts use them)."""
    util.add_destination_argument(parser)
    util.add_selection_arguments(parser)
    parser.add_argument('-c', '--config_file', help='provider settings YAML file')
    parser.add_argument(
        '-s',
        '--safety_limit',
        type=int,
        default=DEFAULT_SAFETY_LIMIT,
        help='download nothing when more datasets match (default: %(default)s)',
    )
    parser.add_argument(
        '-a',
        '--save_path',
        action='store_true',
        help='record the local paths in the catalog (DatasetURI, service local)',
    )
    parser.add_argument(
        '--workers',
        type=int,
        default=16,  # DownloadManager's default; why 16: see its docstring
        help='datasets downloaded at once (default: %(default)s)',
    )
    logs.add_output_arguments(parser)


def build_parser() -> argparse.ArgumentParser:
    """The standalone ``geospaas-download`` parser."""
    parser = argparse.ArgumentParser(
        prog='geospaas-download',
        description='Download the files of the GeoSPaaS catalog datasets matching the criteria.',
    )
    add_arguments(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run a parsed download command; returns the exit status."""
    from django.db import DatabaseError

    logs.configure_logging(args)
    try:
        return _select_and_download(args)
    except DatabaseError as exc:
        # The catalog went away (restart, network cut): a summary and exit 1, no traceback.
        _print_database_failure(args, exc)
        return util.EXIT_FAILED


def _print_database_failure(args: argparse.Namespace, exc: Exception) -> None:
    detail = (str(exc).strip().splitlines() or ['no detail'])[0]
    reason = f'the catalog database failed during the run ({type(exc).__name__}: {detail})'
    advice = 'files already downloaded are kept; run the same command again to finish'
    print(f'geospaas-download: error: {reason}', file=sys.stderr)
    if args.json:
        print(json.dumps({'error': reason, 'downloaded': [], 'already_present': [], 'failed': []}))
    elif not args.quiet:
        print(f'stopped: {reason}; {advice}')


def _select_and_download(args: argparse.Namespace) -> int:
    from geospaas_processing.downloaders.errors import SelectionError

    try:
        manager = _manager(args)
        matched = manager.datasets.count()
        if matched == 0:
            _print_summary(args, [], matched, 0)
            return util.EXIT_OK
        if matched > args.safety_limit:
            raise util.UsageError(
                f'{matched} datasets match, more than the safety limit of {args.safety_limit}: '
                'narrow the criteria or raise -s/--safety_limit'
            )
    except (util.UsageError, ConfigurationError, SelectionError) as exc:
        print(f'geospaas-download: error: {exc}', file=sys.stderr)
        return util.EXIT_USAGE
    if args.dry_run:
        return _dry_run(args, manager)
    with Interrupt('geospaas-download') as interrupt:
        return _download(args, manager, matched, interrupt)


def _download(args: argparse.Namespace, manager, matched: int, interrupt: Interrupt) -> int:
    draw = not args.quiet and not args.json and sys.stderr.isatty()
    files, planned_bytes, unknown = _planned(manager, matched, draw)
    progress = TransferProgress(files, planned_bytes, unknown, draw=draw, check=interrupt.check)
    outcomes = None
    with progress:
        if not interrupt.cancelled.is_set():
            manager.progress = progress.callback
            try:
                outcomes = manager.download_report()
            except Cancelled:
                outcomes = None
    if outcomes is None:
        _print_interrupted(args, progress, matched)
        return EXIT_INTERRUPTED
    _print_summary(args, outcomes, matched, progress.transferred)
    failed = any(outcome.status == 'failed' for outcome in outcomes)
    return util.EXIT_FAILED if failed else util.EXIT_OK


def _planned(manager, matched: int, draw: bool) -> tuple[int, int, int]:
    """``(files to transfer, their known bytes, how many sizes are unknown)``.

    Sizes are asked of the providers only when a bar is drawn: cron needs no total.
    """
    from geospaas_processing.downloaders.errors import DownloadError

    if not draw:
        return matched, 0, matched
    try:
        planned = manager.plan(probe_sizes=True)
    except DownloadError as error:  # the plan cannot be made: the bar shows no total
        logger.info('no planned total for the progress bar: %s', error)
        return matched, 0, matched
    to_transfer = [item for item in planned if not item.present]
    known = [item.size for item in to_transfer if item.size is not None]
    return len(to_transfer), sum(known), len(to_transfer) - len(known)


def _print_interrupted(args: argparse.Namespace, progress: TransferProgress, matched: int) -> None:
    finished = (
        f'interrupted: {progress.finished} of {matched} datasets finished, '
        f'{util.human_size(progress.transferred)} transferred; partial files are kept and '
        'the same command resumes them'
    )
    if args.json:
        print(
            json.dumps(
                {
                    'matched': matched,
                    'interrupted': True,
                    'finished': progress.finished,
                    'bytes_transferred': progress.transferred,
                },
                indent=2,
            )
        )
    print(finished, file=sys.stderr)


def _manager(args: argparse.Namespace):
    if args.safety_limit < 0:
        raise util.UsageError('-s/--safety_limit must be a non-negative number of datasets')
    if args.workers < 1:
        raise util.UsageError('--workers must be at least 1')
    util.check_writable_directory(args.destination_path)
    import geospaas_processing

    geospaas_processing.setup()
    criteria = util.dataset_criteria(args)
    from geospaas_processing.downloaders import DownloadManager

    return DownloadManager(
        download_directory=args.destination_path,
        provider_settings_path=args.config_file,
        max_downloads=args.safety_limit,
        slot_timeout=SLOT_TIMEOUT_SECONDS,
        save_path=args.save_path,
        max_workers=args.workers,
        **criteria,
    )


def _dry_run(args: argparse.Namespace, manager) -> int:
    if args.json:
        planned = manager.plan(probe_sizes=True)
        known = [item.size for item in planned if item.size is not None]
        print(
            json.dumps(
                {
                    'datasets': [
                        {
                            'id': item.dataset_id,
                            'entry_id': item.entry_id,
                            'directory': item.directory,
                            'uris': list(item.uris),
                            'size': item.size,
                            'present': item.present,
                        }
                        for item in planned
                    ],
                    'total_known_size': sum(known),
                },
                indent=2,
            )
        )
        return util.EXIT_OK
    # Printed as the plan streams in: the first datasets show before the last are read.
    count = known_count = known_size = 0
    for item in manager.iter_plan(probe_sizes=True):
        count += 1
        if item.size is not None:
            known_count += 1
            known_size += item.size
        state = 'already present' if item.present else util.human_size(item.size)
        print(f'{item.entry_id}  ->  {item.directory}  ({state})')
        for uri in item.uris:
            print(f'    {uri}')
    unknown = count - known_count
    print(
        f'{count} datasets, {util.human_size(known_size)} known'
        + (f', {unknown} of unknown size' if unknown else '')
        + '; nothing was written'
    )
    return util.EXIT_OK


def _print_summary(
    args: argparse.Namespace, outcomes: Sequence, matched: int, transferred: int
) -> None:
    groups = {
        status: [o for o in outcomes if o.status == status]
        for status in ('downloaded', 'already present', 'failed')
    }
    if args.json:
        print(
            json.dumps(
                {
                    'matched': matched,
                    'bytes_transferred': transferred,
                    'downloaded': [_as_json(o) for o in groups['downloaded']],
                    'already_present': [_as_json(o) for o in groups['already present']],
                    'failed': [
                        {'id': o.dataset_id, 'entry_id': o.entry_id, 'reason': o.reason}
                        for o in groups['failed']
                    ],
                },
                indent=2,
            )
        )
        return
    if args.quiet:
        for outcome in groups['failed']:
            print(f'failed: {outcome.entry_id}: {outcome.reason}', file=sys.stderr)
        return
    if matched == 0:
        print('no dataset matches the criteria; nothing to download')
        return
    for outcome in groups['failed']:
        print(f'failed: {outcome.entry_id}: {outcome.reason}')
    print(
        f'downloaded: {len(groups["downloaded"])} ({util.human_size(transferred)} transferred), '
        f'already present: {len(groups["already present"])}, '
        f'failed: {len(groups["failed"])}'
    )


def _as_json(outcome) -> dict:
    return {
        'id': outcome.dataset_id,
        'entry_id': outcome.entry_id,
        'path': outcome.path,
        'size': outcome.size,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``geospaas-download``."""
    from geospaas_processing.cli.main import run_command

    return run_command('geospaas-download', run, build_parser().parse_args(argv))


if __name__ == '__main__':
    sys.exit(main())
