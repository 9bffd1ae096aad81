"""``geospaas-processing harvest``: run the searches of a search file against the providers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geospaas_processing.cli.util import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the harvest options to the subcommand's parser."""
    parser.add_argument(
        '--config',
        type=Path,
        help='harvest YAML file of the providers (default: $GEOSPAAS_PROCESSING_HARVEST_CONFIG)',
    )
    parser.add_argument(
        '--search',
        type=Path,
        required=True,
        help='YAML file with "common" parameters and a list of "searches"',
    )
    parser.add_argument(
        '--retry-failed',
        action='store_true',
        help='afterwards, retry the results that failed to be ingested before',
    )


def run(args: argparse.Namespace) -> int:
    """Harvest; exit 0 when every search went through, 1 when one stopped early, 2 on bad input."""
    from geospaas_processing.harvesting import (
        HarvestConfigurationError,
        harvest,
        load_harvest_config,
        retry_ingestion,
    )
    from geospaas_processing.harvesting.config import read_yaml

    try:
        harvest_config = load_harvest_config(args.config)
        search_config = read_yaml(args.search)
        summaries = harvest(search_config, harvest_config, progress=_print_progress)
    except HarvestConfigurationError as exc:
        print(f'geospaas-processing: error: {exc}', file=sys.stderr)
        return EXIT_USAGE
    for summary in summaries:
        _print_summary(summary)
    _print_totals(summaries)
    if args.retry_failed:
        retried = retry_ingestion(harvest_config)
        print(
            f'retried {retried["retried"]} earlier failures: {retried["succeeded"]} ingested, '
            f'{retried["failed"]} still failing'
        )
    return EXIT_OK if all(summary['complete'] for summary in summaries) else EXIT_FAILED


def _print_progress(summary) -> None:
    print(
        f'{summary["provider_name"]}: page {summary["pages"]}, found {summary["found"]}, '
        f'created {summary["created"]}, updated {summary["updated"]}, failed {summary["failed"]}',
        file=sys.stderr,
        flush=True,
    )


def _print_summary(summary) -> None:
    state = 'complete' if summary['complete'] else 'STOPPED EARLY'
    print(
        f'{summary["provider_name"]}: {state}: found {summary["found"]}, '
        f'created {summary["created"]}, updated {summary["updated"]}, failed {summary["failed"]}'
    )
    for error in summary['errors']:
        print(f'  error: {error}')


def _print_totals(summaries) -> None:
    from geospaas_processing import config

    totals = {
        key: sum(summary[key] for summary in summaries)
        for key in ('found', 'created', 'updated', 'failed')
    }
    print(
        f'total: found {totals["found"]}, created {totals["created"]}, '
        f'updated {totals["updated"]}, failed {totals["failed"]}'
    )
    if totals['failed']:
        print(
            f'failed results are kept in {config.failed_ingestions_dir()}; '
            'retry them with --retry-failed'
        )
