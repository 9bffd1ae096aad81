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
from geospaas_processing.cli.interrupt import EXIT_INTERRUPTED, Interrupt
from geospaas_processing.cli.progress import ProgressBar
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


def _print_database_failure(
    args: argparse.Namespace, exc: Exception, outcomes: Sequence = (), transferred: int = 0
) -> None:
    """The error, and the outcomes of the datasets finished before the catalog failed."""
    detail = (str(exc).strip().splitlines() or ['no detail'])[0]
    reason = f'the catalog database failed during the run ({type(exc).__name__}: {detail})'
    advice = 'files already downloaded are kept; run the same command again to finish'
    print(f'geospaas-download: error: {reason}', file=sys.stderr)
    if args.json:
        print(json.dumps({'error': reason, **_outcome_lists(outcomes)}))
        return
    if outcomes:
        _print_summary(args, outcomes, len(outcomes), transferred)
    if not args.quiet:
        print(f'stopped: {reason}; {advice}')


def _select_and_download(args: argparse.Namespace) -> int:
    from geospaas_processing.downloaders.errors import SelectionError

    try:
        manager = _manager(args)
        matched = manager.count()  # the one COUNT query of the run
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
    # The first Ctrl-C sets the manager's cancel event: transfers in flight stop at once
    # (connections cut) keeping their partial files, none starts, and the summary is printed.
    with Interrupt('geospaas-download', cancel=manager.cancel):
        return _download(args, manager, matched)


def _download(args: argparse.Namespace, manager, matched: int) -> int:
    from django.db import DatabaseError

    draw = not args.quiet and not args.json and sys.stderr.isatty()
    files, planned_bytes, unknown = _planned(manager, matched, draw)
    bar = ProgressBar(files, planned_bytes, unknown, draw=draw)
    manager.progress = bar
    try:
        with bar:
            outcomes = manager.download_report()
    except DatabaseError as exc:
        _print_database_failure(args, exc, manager.outcomes, bar.transferred)
        return util.EXIT_FAILED
    interrupted = manager.cancel.is_set()
    _print_summary(args, outcomes, matched, bar.transferred, interrupted)
    if interrupted:
        return EXIT_INTERRUPTED
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
    """List the plan as it comes: the first datasets are printed before the last are read.

    Sizes are probed several at once (see ``DownloadManager.iter_plan``).
    """
    planned = manager.iter_plan(probe_sizes=True)
    if args.json:
        items = list(planned)
        known = [item.size for item in items if item.size is not None]
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
                        for item in items
                    ],
                    'total_known_size': sum(known),
                },
                indent=2,
            )
        )
        return util.EXIT_OK
    count = known_bytes = unknown = 0
    for item in planned:
        count += 1
        if item.size is None:
            unknown += 1
        else:
            known_bytes += item.size
        state = 'already present' if item.present else util.human_size(item.size)
        lines = [f'{item.entry_id}  ->  {item.directory}  ({state})']
        lines.extend(f'    {uri}' for uri in item.uris)
        print('\n'.join(lines), flush=True)  # a pipe gets each dataset as it is planned
    print(
        f'{count} datasets, {util.human_size(known_bytes)} known'
        + (f', {unknown} of unknown size' if unknown else '')
        + '; nothing was written'
    )
    return util.EXIT_OK


def _print_summary(
    args: argparse.Namespace,
    outcomes: Sequence,
    matched: int,
    transferred: int,
    interrupted: bool = False,
) -> None:
    groups = _groups(outcomes)
    not_started = matched - len(outcomes)
    if args.json:
        summary = {
            'matched': matched,
            'bytes_transferred': transferred,
            **_outcome_lists(outcomes),
        }
        if interrupted:
            summary['interrupted'] = True
            summary['stopped'] = [
                {'id': o.dataset_id, 'entry_id': o.entry_id} for o in groups['cancelled']
            ]
            summary['not_started'] = not_started
        print(json.dumps(summary, indent=2))
    elif args.quiet:
        for outcome in groups['failed']:
            print(f'failed: {outcome.entry_id}: {outcome.reason}', file=sys.stderr)
    elif matched == 0:
        print('no dataset matches the criteria; nothing to download')
    else:
        for outcome in groups['failed']:
            print(f'failed: {outcome.entry_id}: {outcome.reason}')
        print(
            f'downloaded: {len(groups["downloaded"])} ({util.human_size(transferred)} '
            f'transferred), already present: {len(groups["already present"])}, '
            f'failed: {len(groups["failed"])}'
        )
    if interrupted:
        finished = len(outcomes) - len(groups['cancelled'])
        print(
            f'interrupted: {finished} of {matched} datasets finished, '
            f'{len(groups["cancelled"])} stopped in flight (partial files kept), '
            f'{not_started} not started; the same command resumes them',
            file=sys.stderr,
        )


def _groups(outcomes: Sequence) -> dict[str, list]:
    return {
        status: [o for o in outcomes if o.status == status]
        for status in ('downloaded', 'already present', 'failed', 'cancelled')
    }


def _outcome_lists(outcomes: Sequence) -> dict[str, list]:
    """The JSON lists of the summary: downloaded, already present and failed datasets."""
    groups = _groups(outcomes)
    return {
        'downloaded': [_as_json(o) for o in groups['downloaded']],
        'already_present': [_as_json(o) for o in groups['already present']],
        'failed': [
            {'id': o.dataset_id, 'entry_id': o.entry_id, 'reason': o.reason}
            for o in groups['failed']
        ],
    }


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
