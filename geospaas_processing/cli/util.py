"""What the download and copy commands share: dataset criteria from flags, checks, output.

The flags are those existing scripts use: ``-b/--begin``, ``-e/--end``,
``-r/--rel_time_flag``, ``-g/--geometry``, ``-q/--query``, ``-d/--destination_path``,
plus ``--id``, ``--entry-id`` and ``--overlap``.
Every check raises :class:`UsageError` with one line saying what is wrong and
how to fix it; the commands turn it into exit status 2 before touching anything.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from geospaas_processing.errors import GeospaasProcessingError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(GeospaasProcessingError):
    """A flag's value is invalid; the message says which and how to fix it."""


def add_destination_argument(parser: argparse.ArgumentParser) -> None:
    """``-d/--destination_path``, the directory the download and copy commands write to."""
    parser.add_argument(
        '-d',
        '--destination_path',
        required=True,
        help='destination directory (strftime placeholders such as %%Y/%%m '
        'are resolved per dataset for downloads)',
    )


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags selecting datasets, common to every command that selects them."""
    parser.add_argument(
        '-b',
        '--begin',
        help='start of the time range: YYYY-MM-DD or ISO 8601 '
        '(UTC); with -r, a number of hours back from now',
    )
    parser.add_argument('-e', '--end', help='end of the time range: YYYY-MM-DD or ISO 8601 (UTC)')
    parser.add_argument(
        '-r',
        '--rel_time_flag',
        action='store_true',
        help='read -b as a number of hours back from now; the end is now',
    )
    parser.add_argument(
        '--overlap',
        action='store_true',
        help='select the datasets whose time coverage overlaps the range '
        '(default: those whose coverage lies within it)',
    )
    parser.add_argument(
        '-g', '--geometry', help='WKT geometry (lon/lat, WGS 84) that the footprints must intersect'
    )
    parser.add_argument(
        '-q',
        '--query',
        help='JSON object of extra Django lookups on Dataset, '
        'e.g. \'{"source__instrument__short_name__icontains": "AMSR2"}\'',
    )
    parser.add_argument(
        '--id',
        type=int,
        action='append',
        dest='ids',
        metavar='ID',
        help='the dataset with this catalog ID (repeat for several)',
    )
    parser.add_argument(
        '--entry-id',
        action='append',
        dest='entry_ids',
        metavar='ENTRY_ID',
        help='the dataset with this entry_id (repeat for several)',
    )


def parse_time(value: str, flag: str) -> datetime:
    """A ``YYYY-MM-DD`` date or ISO 8601 datetime, as an aware UTC datetime."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f'{flag} {value!r} is not a date: use YYYY-MM-DD or an ISO 8601 '
            'datetime such as 2024-03-01T12:00:00Z'
        ) from None
    try:
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:
        raise UsageError(
            f'{flag} {value!r} is out of range once converted to UTC: give a date between '
            'years 1 and 9999 in UTC'
        ) from None


def time_range(
    args: argparse.Namespace, now: datetime | None = None
) -> tuple[datetime | None, datetime | None]:
    """``(begin, end)`` from ``-b``, ``-e`` and ``-r``; either may be None (unbounded)."""
    if args.rel_time_flag:
        if args.begin is None:
            raise UsageError('-r/--rel_time_flag needs -b/--begin as a number of hours')
        try:
            hours = float(args.begin)
        except ValueError:
            raise UsageError(f'with -r, -b must be a number of hours, not {args.begin!r}') from None
        end = now or datetime.now(UTC)
        try:
            if not math.isfinite(hours):
                raise OverflowError
            return end - timedelta(hours=hours), end
        except OverflowError:
            raise UsageError(
                f'with -r, -b must be a finite number of hours reaching no further back than '
                f'year 1, not {args.begin!r}'
            ) from None
    begin = parse_time(args.begin, '-b/--begin') if args.begin else None
    end = parse_time(args.end, '-e/--end') if args.end else None
    if begin and end and begin > end:
        raise UsageError(f'-b/--begin {args.begin} is after -e/--end {args.end}')
    return begin, end


def parse_query(value: str | None) -> dict[str, Any]:
    """The ``-q`` JSON object of Django lookups."""
    if not value:
        return {}
    try:
        query = json.loads(value)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f'-q/--query is not valid JSON ({exc.msg} at character {exc.pos}); '
            'give an object such as \'{"entry_id__startswith": "S1A"}\''
        ) from None
    if not isinstance(query, dict):
        raise UsageError(
            '-q/--query must be a JSON object of lookups, such as '
            '\'{"entry_id__startswith": "S1A"}\''
        )
    for lookup, value in query.items():
        _check_query_value(lookup, value)
    return query


# What a database column holds: a signed 64-bit integer at most (PostgreSQL bigint, SQLite).
_SMALLEST_INTEGER, _LARGEST_INTEGER = -(2**63), 2**63 - 1


def _check_query_value(lookup: str, value: Any) -> None:
    """Refuse values no database can compare, before they reach one as a traceback."""
    if isinstance(value, list | tuple):
        for item in value:
            _check_query_value(lookup, item)
        return
    if isinstance(value, int) and not isinstance(value, bool):
        if not _SMALLEST_INTEGER <= value <= _LARGEST_INTEGER:
            raise UsageError(
                f'-q/--query: {lookup} = {value} is out of range: integers are stored in 64 '
                'bits (at most 9223372036854775807)'
            )
    elif isinstance(value, float) and not math.isfinite(value):
        raise UsageError(f'-q/--query: {lookup} = {value} is not a finite number')
    elif lookup.endswith(('__regex', '__iregex')):
        try:
            re.compile(str(value))
        except re.error as exc:
            raise UsageError(
                f'-q/--query: {lookup} = {value!r} is not a valid regular expression ({exc})'
            ) from None


def parse_geometry(wkt: str | None):
    """The ``-g`` WKT as a GEOS geometry in WGS 84, or None."""
    if not wkt:
        return None
    from django.contrib.gis.geos import GEOSException, GEOSGeometry

    geos_logger = logging.getLogger('django.contrib.gis')
    # GEOS logs its parse error itself; the user gets our one-line message instead.
    geos_logger.disabled = True
    try:
        geometry = GEOSGeometry(wkt, srid=4326)
    except (GEOSException, ValueError, TypeError):
        raise UsageError(
            f'-g/--geometry {wkt!r} is not valid WKT; e.g. '
            '"POLYGON((0 60,10 60,10 70,0 70,0 60))" or "POINT(5 65)"'
        ) from None
    finally:
        geos_logger.disabled = False
    if not geometry.valid:
        raise UsageError(f'-g/--geometry is not a valid geometry: {geometry.valid_reason}')
    return geometry


def dataset_criteria(args: argparse.Namespace) -> dict[str, Any]:
    """Django lookups on Dataset from the selection flags, checked against the model."""
    criteria = parse_query(args.query)
    begin, end = time_range(args)
    overlap = getattr(args, 'overlap', False)
    if begin:
        criteria['time_coverage_end__gte' if overlap else 'time_coverage_start__gte'] = begin
    if end:
        criteria['time_coverage_start__lte' if overlap else 'time_coverage_end__lte'] = end
    if getattr(args, 'ids', None):
        criteria['id__in'] = args.ids
    if getattr(args, 'entry_ids', None):
        criteria['entry_id__in'] = args.entry_ids
    geometry = parse_geometry(args.geometry)
    if geometry is not None:
        criteria['geographic_location__geometry__intersects'] = geometry
    check_lookups(criteria)
    return criteria


def check_lookups(criteria: dict[str, Any]) -> None:
    """Refuse lookups on fields Dataset does not have, naming the valid ones."""
    from django.core.exceptions import FieldError, ValidationError

    from geospaas_processing.catalog.models import Dataset

    try:
        str(Dataset.objects.filter(**criteria).query)
    except FieldError as exc:
        raise UsageError(f'invalid lookup in the dataset criteria: {exc}') from None
    except (ValidationError, ValueError, TypeError) as exc:
        raise UsageError(f'invalid value in the dataset criteria: {exc}') from None


def check_writable_directory(destination: str) -> None:
    """The destination, or the deepest existing folder above it, must be writable."""
    fixed_part = destination.split('%', 1)[0] or '.'
    candidate = Path(fixed_part).expanduser().absolute()
    while not candidate.exists() and candidate != candidate.parent:
        candidate = candidate.parent
    if not candidate.is_dir() or not os.access(candidate, os.W_OK | os.X_OK):
        raise UsageError(
            f'-d/--destination_path {destination!r} is not writable '
            f'({candidate} cannot be written to); choose another directory'
        )


def human_size(size: int | None) -> str:
    """``1.5 MiB``-style rendering of a byte count; ``?`` when unknown."""
    if size is None:
        return '?'
    value = float(size)
    for unit in ('B', 'KiB', 'MiB', 'GiB', 'TiB'):
        if value < 1024 or unit == 'TiB':
            return f'{value:.0f} {unit}' if unit == 'B' else f'{value:.1f} {unit}'
        value /= 1024
    return f'{value:.1f} TiB'
