"""``geospaas-processing datasets``: look inside the catalog with the download command's flags.

Prints a table of the matching datasets (id, entry_id, time coverage, source, URIs),
or their number (``--count``), or JSON (``--json``). Exit status: 0 (also when nothing
matches), 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from geospaas_processing.cli import logs, util
from geospaas_processing.errors import ConfigurationError

ITERATION_CHUNK = 500


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The selection flags of ``geospaas-download``, ``--count``, ``--json`` and log options."""
    util.add_selection_arguments(parser)
    parser.add_argument('--count', action='store_true', help='print only the number of matches')
    parser.add_argument('--json', action='store_true', help='print the matches as JSON')
    parser.add_argument(
        '-v', '--verbose', action='store_true', help="log every step of the package's own code"
    )
    parser.add_argument(
        '--log-level', choices=logs.LEVELS, type=str.upper, help='level of every logger'
    )


def run(args: argparse.Namespace) -> int:
    """List, count or dump the matching datasets; returns the exit status."""
    logs.configure_logging(args)
    try:
        import geospaas_processing

        geospaas_processing.setup()
        datasets = _select(util.dataset_criteria(args))
    except (util.UsageError, ConfigurationError) as exc:
        print(f'geospaas-processing datasets: error: {exc}', file=sys.stderr)
        return util.EXIT_USAGE
    if args.count:
        count = datasets.count()
        print(json.dumps({'count': count}) if args.json else count)
        return util.EXIT_OK
    rows = (_row(dataset) for dataset in datasets.iterator(chunk_size=ITERATION_CHUNK))
    if args.json:
        print(json.dumps(list(rows), indent=2))
    else:
        _print_table(rows)
    return util.EXIT_OK


def _select(criteria: dict[str, Any]):
    from geospaas_processing.catalog.models import Dataset

    return (
        Dataset.objects.filter(**criteria)
        .distinct()
        .select_related('source__platform', 'source__instrument')
        .prefetch_related('dataseturi_set')
        .order_by('time_coverage_start', 'id')
    )


def _row(dataset) -> dict[str, Any]:
    return {
        'id': dataset.id,
        'entry_id': dataset.entry_id,
        'time_coverage_start': _iso(dataset.time_coverage_start),
        'time_coverage_end': _iso(dataset.time_coverage_end),
        'source': str(dataset.source),
        'uris': [{'uri': uri.uri, 'service': uri.service} for uri in dataset.dataseturi_set.all()],
    }


def _iso(moment) -> str | None:
    return None if moment is None else moment.isoformat().replace('+00:00', 'Z')


def _print_table(rows) -> None:
    count = 0
    print('id\tentry_id\ttime_coverage\tsource\turis')
    for row in rows:
        count += 1
        uris = ' '.join(uri['uri'] for uri in row['uris'])
        coverage = f'{row["time_coverage_start"]}/{row["time_coverage_end"]}'
        print(f'{row["id"]}\t{row["entry_id"]}\t{coverage}\t{row["source"]}\t{uris}')
    print(f'{count} datasets match' if count != 1 else '1 dataset matches', file=sys.stderr)
