"""GCMD keywords into the vocabulary tables, from the GCMD keyword service's CSV format.

The source is a URL template with ``{scheme}`` (default: the GCMD keyword
management service), a directory holding ``<scheme>.csv`` files, or
``snapshot``: the small set of keywords shipped in ``harvesting/data/gcmd`` for
offline use. Loading is idempotent: entries already present are left alone.
"""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlsplit

from geospaas_processing import config
from geospaas_processing.harvesting.config import (
    CONFIG_VARIABLE,
    HarvestConfig,
    load_harvest_config,
)
from geospaas_processing.harvesting.errors import VocabularyError
from geospaas_processing.redaction import redact_url

DEFAULT_SOURCE = 'https://gcmd.earthdata.nasa.gov/kms/concepts/concept_scheme/{scheme}?format=csv'
SNAPSHOT = 'snapshot'

# scheme -> (model name, {model field: CSV headers that may hold it, lower case})
SCHEMES: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    'platforms': (
        'Platform',
        {
            'category': ('category',),
            'series_entity': ('series_entity', 'sub_category'),
            'short_name': ('short_name',),
            'long_name': ('long_name',),
        },
    ),
    'instruments': (
        'Instrument',
        {
            'category': ('category',),
            'instrument_class': ('class', 'instrument_class'),
            'type': ('type',),
            'subtype': ('subtype',),
            'short_name': ('short_name',),
            'long_name': ('long_name',),
        },
    ),
    'providers': (
        'DataCenter',
        {
            'bucket_level0': ('bucket_level0',),
            'bucket_level1': ('bucket_level1',),
            'bucket_level2': ('bucket_level2',),
            'bucket_level3': ('bucket_level3',),
            'short_name': ('short_name',),
            'long_name': ('long_name',),
            'data_center_url': ('data_center_url',),
        },
    ),
    'sciencekeywords': (
        'ScienceKeyword',
        {
            'category': ('category',),
            'topic': ('topic',),
            'term': ('term',),
            'variable_level_1': ('variable_level_1',),
            'variable_level_2': ('variable_level_2',),
            'variable_level_3': ('variable_level_3',),
            'detailed_variable': ('detailed_variable',),
        },
    ),
    'locations': (
        'Location',
        {
            'category': ('location_category', 'category'),
            'type': ('location_type', 'type'),
            'subregion1': ('location_subregion1', 'subregion1'),
            'subregion2': ('location_subregion2', 'subregion2'),
            'subregion3': ('location_subregion3', 'subregion3'),
        },
    ),
    'isotopiccategory': ('ISOTopicCategory', {'name': ('iso_topic_category', 'name')}),
}


class SchemeSummary(TypedDict):
    """What loading one keyword scheme did."""

    source: str
    read: int
    added: int


def parse_keywords_csv(text: str, scheme: str) -> list[dict[str, str]]:
    """The rows of a GCMD keyword CSV as model field values (empty rows dropped).

    The first line of the service's files (``"Keyword Version: ..."``) is
    skipped; headers are matched case-insensitively.

    Raises:
        VocabularyError: unknown scheme, or no known column in the header.
    """
    try:
        columns = SCHEMES[scheme][1]
    except KeyError:
        raise VocabularyError(
            f'unknown keyword scheme {scheme!r}: use one of {", ".join(SCHEMES)}'
        ) from None
    rows = csv.reader(io.StringIO(text.lstrip('\ufeff')))
    header = next(rows, [])
    if header and header[0].strip().lower().startswith('keyword version'):
        header = next(rows, [])
    positions = {name.strip().lower(): index for index, name in enumerate(header)}
    chosen = {
        field: next((positions[h] for h in headers if h in positions), None)
        for field, headers in columns.items()
    }
    if all(position is None for position in chosen.values()):
        raise VocabularyError(f'{scheme}: no known column in the CSV header {header[:8]}')
    entries = []
    for row in rows:
        values = {
            field: (row[position].strip() if position is not None and position < len(row) else '')
            for field, position in chosen.items()
        }
        if any(values.values()):
            entries.append(values)
    return entries


def update_vocabularies(
    source: str | None = None,
    *,
    schemes: tuple[str, ...] = tuple(SCHEMES),
    harvest_config: HarvestConfig | None = None,
    fallback_to_snapshot: bool = True,
) -> dict[str, SchemeSummary]:
    """Load the GCMD keyword schemes into the vocabulary tables.

    Args:
        source: URL template with ``{scheme}``, directory of ``<scheme>.csv``, or
            ``snapshot``. Default: ``vocabularies.source`` of the harvest
            configuration when one is set, else the GCMD keyword service.
        schemes: which schemes to load.
        harvest_config: the harvest configuration to take the source from.
        fallback_to_snapshot: when the source cannot be read, load the shipped
            snapshot instead (the summary's ``source`` says so).

    Returns:
        Per scheme: the source read, rows read and entries added (JSON-serializable).

    Raises:
        VocabularyError: the source cannot be read (and no fallback) or parsed.
    """
    import geospaas_processing

    geospaas_processing.setup()
    source = source or _configured_source(harvest_config) or DEFAULT_SOURCE
    summary: dict[str, SchemeSummary] = {}
    for scheme in schemes:
        used = source
        try:
            text = read_scheme(source, scheme)
        except VocabularyError as exc:
            if not fallback_to_snapshot or source == SNAPSHOT:
                raise
            used, text = f'{SNAPSHOT} ({exc})', read_scheme(SNAPSHOT, scheme)
        entries = parse_keywords_csv(text, scheme)
        summary[scheme] = {'source': used, 'read': len(entries), 'added': _store(scheme, entries)}
    return summary


def _configured_source(harvest_config: HarvestConfig | None) -> str | None:
    if harvest_config is None and config.get(CONFIG_VARIABLE):
        harvest_config = load_harvest_config()
    return harvest_config.vocabulary_source if harvest_config else None


def read_scheme(source: str, scheme: str) -> str:
    """The CSV text of one scheme from a source (see :func:`update_vocabularies`)."""
    if source == SNAPSHOT:
        return (
            resources.files('geospaas_processing.harvesting')
            .joinpath(f'data/gcmd/{scheme}.csv')
            .read_text(encoding='utf-8')
        )
    scheme_of_url = urlsplit(source).scheme
    if scheme_of_url in ('http', 'https'):
        return _download(source.replace('{scheme}', scheme))
    path = Path(urlsplit(source).path if scheme_of_url == 'file' else source)
    path = Path(str(path).replace('{scheme}', scheme))
    if path.is_dir():
        path = path / f'{scheme}.csv'
    try:
        return path.read_text(encoding='utf-8')
    except OSError as exc:
        raise VocabularyError(f'cannot read the {scheme} keywords from {path}: {exc}') from exc


def _download(url: str) -> str:
    import requests

    from geospaas_processing.httpclient import new_session

    # Only the exception's class: requests' messages repeat the URL with its query.
    try:
        with new_session() as session:
            response = session.get(url, timeout=60)
    except requests.RequestException as exc:
        raise VocabularyError(f'cannot download {redact_url(url)}: {type(exc).__name__}') from exc
    if response.status_code != 200:
        raise VocabularyError(
            f'cannot download {redact_url(url)}: HTTP status {response.status_code}'
        )
    response.encoding = response.encoding or 'utf-8'
    return response.text


def _store(scheme: str, entries: list[dict[str, Any]]) -> int:
    from django.apps import apps

    model = apps.get_model('vocabularies', SCHEMES[scheme][0])
    limits = {field: model._meta.get_field(field).max_length for field in SCHEMES[scheme][1]}
    unique = {
        tuple(sorted((f, str(v)[: limits[f]]) for f, v in entry.items())) for entry in entries
    }
    existing = set(tuple(sorted(row.items())) for row in model.objects.values(*SCHEMES[scheme][1]))
    new = [model(**dict(values)) for values in unique - existing]
    model.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return len(new)
