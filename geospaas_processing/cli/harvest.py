"""``geospaas-processing harvest``: run the searches of a search file against the providers.

Exit status: 0 every search went through and every result was ingested, 1 a search
stopped early or some results could not be ingested, 2 bad input, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from geospaas_processing.cli import logs
from geospaas_processing.cli.interrupt import EXIT_INTERRUPTED, Cancelled, Interrupt
from geospaas_processing.cli.util import EXIT_FAILED, EXIT_OK, EXIT_USAGE

logger = logging.getLogger('geospaas_processing.cli.harvest')


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
    logs.add_output_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Harvest; 0 all ingested, 1 a search stopped early or results failed, 2 bad input."""
    from geospaas_processing.harvesting import (
        HarvestConfigurationError,
        harvest,
        load_harvest_config,
        plan_harvest,
        retry_ingestion,
    )
    from geospaas_processing.harvesting.config import read_yaml

    logs.configure_logging(args)
    try:
        harvest_config = load_harvest_config(args.config)
        search_config = read_yaml(args.search)
        if args.dry_run:
            return _dry_run(args, plan_harvest(search_config, harvest_config))
        with Interrupt('geospaas-processing harvest') as interrupt:
            summaries = harvest(
                search_config, harvest_config, progress=_progress_reporter(args, interrupt)
            )
    except HarvestConfigurationError as exc:
        print(f'geospaas-processing: error: {exc}', file=sys.stderr)
        return EXIT_USAGE
    except Cancelled:
        print('geospaas-processing harvest: interrupted; what was ingested stays', file=sys.stderr)
        return EXIT_INTERRUPTED
    retried = retry_ingestion(harvest_config) if args.retry_failed else None
    _report(args, summaries, retried)
    complete = all(summary['complete'] and not summary['failed'] for summary in summaries)
    return EXIT_OK if complete else EXIT_FAILED


def _dry_run(args: argparse.Namespace, planned) -> int:
    if args.json:
        print(json.dumps({'searches': planned}, indent=2, default=str))
        return EXIT_OK
    for search in planned:
        print(f'{search["provider_name"]}: {search["search_parameters"]}')
    print(f'{len(planned)} searches; nothing was harvested')
    return EXIT_OK


def _progress_reporter(args: argparse.Namespace, interrupt: Interrupt):
    def report(summary) -> None:
        interrupt.check()
        if not args.quiet and not args.json:
            _print_progress(summary)

    return report


def _report(args: argparse.Namespace, summaries, retried) -> None:
    if args.json:
        print(json.dumps({'searches': summaries, 'retried': retried}, indent=2, default=str))
        return
    if args.quiet:
        for summary in summaries:
            for error in summary['errors']:
                print(f'{summary["provider_name"]}: error: {error}', file=sys.stderr)
        return
    for summary in summaries:
        _print_summary(summary)
    _print_totals(summaries)
    if retried is not None:
        print(
            f'retried {retried["retried"]} earlier failures: {retried["succeeded"]} ingested, '
            f'{retried["failed"]} still failing'
        )


def _print_progress(summary) -> None:
    line = (
        f'{summary["provider_name"]}: page {summary["pages"]}, found {summary["found"]}, '
        f'created {summary["created"]}, updated {summary["updated"]}, failed {summary["failed"]}'
    )
    if sys.stderr.isatty():
        print(line, file=sys.stderr, flush=True)
    else:  # cron: a log line in the one format, with its timestamp
        logger.info('%s', line)


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
