"""``geospaas-copy``: copy the local files of the matching datasets, after a TTL clean-up.

First deletes from the destination the copies, links and flag files that ``geospaas-copy``
itself made there more than ``-ttl`` days ago (listed in the destination's record; see
:func:`geospaas_processing.copiers.remove_expired`), naming each one, then copies (or
links, ``-l``) the files recorded for the selected datasets (DatasetURIs with service
``local``), never overwriting.

Exit status: 0 done, 1 some files failed, 2 bad usage (nothing was deleted or copied),
130 interrupted (Ctrl-C: no new copy starts; the summary says what was done).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlparse

from geospaas_processing.cli import logs, util
from geospaas_processing.cli.interrupt import EXIT_INTERRUPTED, Interrupt
from geospaas_processing.errors import ConfigurationError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The copy command's flags (short forms as existing scripts use them)."""
    util.add_destination_argument(parser)
    util.add_selection_arguments(parser)
    parser.add_argument(
        '-l', '--link', action='store_true', help='create symbolic links instead of copies'
    )
    parser.add_argument(
        '-t',
        '--type',
        default='',
        help='the type written in the flag files, e.g. "model" or "satellite"',
    )
    parser.add_argument(
        '-f',
        '--flag_file',
        action='store_true',
        help='write <name>.flag next to each copy, describing the dataset',
    )
    parser.add_argument(
        '-ttl',
        '--time_to_live',
        default='90',
        help='first delete from the destination the copies this command made there more '
        'than this many days ago (default: %(default)s)',
    )
    logs.add_output_arguments(parser)


def build_parser() -> argparse.ArgumentParser:
    """The standalone ``geospaas-copy`` parser."""
    parser = argparse.ArgumentParser(
        prog='geospaas-copy',
        description='Copy the local files of the GeoSPaaS catalog datasets matching the '
        'criteria, after deleting expired files from the destination.',
    )
    add_arguments(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run a parsed copy command; returns the exit status."""
    from geospaas_processing import copiers

    logs.configure_logging(args)
    try:
        time_to_live = copiers.validate_time_to_live(args.time_to_live)
        destination = copiers.check_destination(args.destination_path)
        import geospaas_processing

        geospaas_processing.setup()
        selection = _selection(util.dataset_criteria(args))
    except (util.UsageError, copiers.CopyError, ConfigurationError) as exc:
        print(f'geospaas-copy: error: {exc}', file=sys.stderr)
        return util.EXIT_USAGE
    try:
        return _copy(args, selection, destination, time_to_live)
    except copiers.CopyError as exc:  # an unreadable record: nothing removed
        print(f'geospaas-copy: error: {exc}', file=sys.stderr)
        return util.EXIT_FAILED


def _copy(args: argparse.Namespace, selection, destination: Path, time_to_live: float) -> int:
    from geospaas_processing import copiers

    if args.dry_run:
        expired = copiers.remove_expired(destination, time_to_live, dry_run=True)
        return _dry_run(args, selection, destination, expired)
    expired = copiers.remove_expired(destination, time_to_live)
    outcomes = []
    with Interrupt('geospaas-copy') as interrupt:
        for dataset, paths in selection:
            if interrupt.cancelled.is_set():
                break
            flag = copiers.flag_from_dataset(dataset, args.type) if args.flag_file else None
            outcomes.extend(copiers.copy_to(paths, destination, link=args.link, flag=flag))
    _print_summary(args, expired, outcomes)
    if interrupt.cancelled.is_set():
        print('geospaas-copy: interrupted; the summary above is what was done', file=sys.stderr)
        return EXIT_INTERRUPTED
    return util.EXIT_FAILED if any(o.status == 'failed' for o in outcomes) else util.EXIT_OK


def _selection(criteria: dict) -> list[tuple[object, list[Path]]]:
    """The matching datasets with the local paths recorded for them."""
    from geospaas_processing.catalog.models import Dataset
    from geospaas_processing.catalog.services import LOCAL_FILE_SERVICE

    datasets = (
        Dataset.objects.filter(**criteria)
        .distinct()
        .select_related('source__platform', 'source__instrument', 'data_center')
        .prefetch_related('dataseturi_set')
        .order_by('id')
    )
    selection = []
    for dataset in datasets.iterator(chunk_size=500):
        paths = [
            _local_path(uri.uri)
            for uri in dataset.dataseturi_set.all()
            if uri.service == LOCAL_FILE_SERVICE
        ]
        if paths:
            selection.append((dataset, paths))
    return selection


def _local_path(uri: str) -> Path:
    parsed = urlparse(uri)
    return Path(unquote(parsed.path)) if parsed.scheme == 'file' else Path(uri)


def _dry_run(args: argparse.Namespace, selection, destination: Path, expired: list[Path]) -> int:
    items = [
        {'entry_id': dataset.entry_id, 'paths': [str(path) for path in paths]}
        for dataset, paths in selection
    ]
    if args.json:
        print(
            json.dumps(
                {
                    'destination': str(destination),
                    'expired_would_remove': [str(path) for path in expired],
                    'datasets': items,
                },
                indent=2,
            )
        )
    else:
        for path in expired:
            print(f'would remove (expired): {path}')
        for item in items:
            print(f'{item["entry_id"]}: {", ".join(item["paths"])}')
        print(
            f'{len(expired)} expired copies would be removed and {len(items)} datasets would be '
            f'{"linked" if args.link else "copied"} to {destination}; nothing was written'
        )
    return util.EXIT_OK


def _print_summary(args: argparse.Namespace, expired: list[Path], outcomes: list) -> None:
    counts = {
        status: [o for o in outcomes if o.status == status]
        for status in ('copied', 'linked', 'skipped', 'failed')
    }
    if args.json:
        print(
            json.dumps(
                {
                    'expired_removed': [str(path) for path in expired],
                    **{
                        status: [str(o.destination) for o in items]
                        for status, items in counts.items()
                        if status != 'failed'
                    },
                    'failed': [
                        {'source': str(o.source), 'reason': o.reason} for o in counts['failed']
                    ],
                },
                indent=2,
            )
        )
        return
    for outcome in counts['failed']:
        print(f'failed: {outcome.source}: {outcome.reason}', file=sys.stderr)
    if not args.quiet:
        for path in expired:
            print(f'removed (expired): {path}')
        print(
            f'removed {len(expired)} expired, copied {len(counts["copied"])}, '
            f'linked {len(counts["linked"])}, skipped {len(counts["skipped"])} existing, '
            f'failed {len(counts["failed"])}'
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``geospaas-copy``."""
    from geospaas_processing.cli.main import run_command

    return run_command('geospaas-copy', run, build_parser().parse_args(argv))


if __name__ == '__main__':
    sys.exit(main())
