"""Write harvested datasets into the catalog in bulk, idempotently.

A batch costs a handful of queries whatever its size: vocabulary entries are
cached per ingester, footprints and datasets are written with ``bulk_create``
(datasets as an upsert on ``entry_id``), URIs are merged with the ones a dataset
already has. When a batch fails in the database, its datasets are retried one by
one so that a single bad dataset does not sink the others.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.gis.geos import GEOSGeometry
from django.contrib.gis.geos.error import GEOSException
from django.db import DatabaseError, IntegrityError, connection, transaction

from geospaas_processing.catalog.models import Dataset, DatasetURI, GeographicLocation, Source
from geospaas_processing.catalog.records import service_name
from geospaas_processing.harvesting.normalize import HarvestedDataset
from geospaas_processing.vocabularies.models import (
    DataCenter,
    Instrument,
    ISOTopicCategory,
    Platform,
)

logger = logging.getLogger(__name__)

UNKNOWN = 'Unknown'
_UPDATED_FIELDS = [
    'entry_title',
    'summary',
    'ISO_topic_category',
    'data_center',
    'source',
    'time_coverage_start',
    'time_coverage_end',
    'geographic_location',
]
_QUERY_CHUNK = 500


@dataclass
class BatchResult:
    """What became of a batch: entry_ids created and updated, datasets that failed and why."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    failed: list[tuple[HarvestedDataset, str]] = field(default_factory=list)


def vocabulary_key(name: str) -> str:
    """The form under which names are compared: lower case, letters and digits only."""
    return re.sub(r'[^0-9a-z]', '', name.lower())


class _VocabularyIndex:
    """Vocabulary entries by the key of their short or long name, created when missing."""

    def __init__(self, model, short_field: str, long_field: str | None, blank: dict) -> None:
        self.model, self.short_field, self.blank = model, short_field, blank
        self.ids: dict[str, int] = {}
        fields = [short_field, long_field] if long_field else [short_field]
        rows = model.objects.order_by('-id').values_list('id', *fields)
        # Long names first, then short names over them: a short-name match wins.
        for position in range(len(fields), 0, -1):
            for row in rows:
                if row[position]:
                    self.ids[vocabulary_key(row[position])] = row[0]

    def id_of(self, name: str) -> int:
        key = vocabulary_key(name) or vocabulary_key(UNKNOWN)
        if key not in self.ids:
            short_name = name[:50]
            self.ids[key] = (
                self.model.objects.filter(**{self.short_field: short_name})
                .values_list('id', flat=True)
                .first()
                or self.model.objects.create(**{self.short_field: short_name}, **self.blank).id
            )
        return self.ids[key]


class CatalogIngester:
    """Writes batches of :class:`HarvestedDataset` into the catalog.

    Re-ingesting an entry_id updates the dataset and adds the URIs it did not
    have. Keep one ingester for a whole harvest: it caches vocabulary entries.
    """

    def __init__(self) -> None:
        self._platforms: _VocabularyIndex | None = None
        self._instruments: _VocabularyIndex | None = None
        self._data_centers: _VocabularyIndex | None = None
        self._sources: dict[tuple[int, int], int] = {}
        self._iso_categories: dict[str, int] = {}

    def ingest(self, datasets: Sequence[HarvestedDataset]) -> BatchResult:
        """Write ``datasets``; the ones the database refuses are returned as failed."""
        unique = _merge_duplicates(datasets)
        if not unique:
            return BatchResult()
        try:
            return self._ingest_batch(unique)
        except (DatabaseError, ValueError, GEOSException) as exc:
            if len(unique) == 1:
                return BatchResult(failed=[(unique[0], _describe(exc))])
            logger.warning('batch of %d failed (%s); ingesting one by one', len(unique), exc)
            self._forget_cached_ids()
        result = BatchResult()
        for dataset in unique:
            single = self.ingest([dataset])
            result.created += single.created
            result.updated += single.updated
            result.failed += single.failed
        return result

    def _forget_cached_ids(self) -> None:
        # A rolled-back transaction may have taken entries created in it.
        self.__init__()

    @transaction.atomic
    def _ingest_batch(self, datasets: list[HarvestedDataset]) -> BatchResult:
        ids = [dataset.entry_id for dataset in datasets]
        existing = set()
        for start in range(0, len(ids), _QUERY_CHUNK):
            chunk = ids[start : start + _QUERY_CHUNK]
            existing.update(
                Dataset.objects.filter(entry_id__in=chunk).values_list('entry_id', flat=True)
            )
        locations = self._location_ids({dataset.footprint_wkt for dataset in datasets})
        rows = [self._dataset_row(dataset, locations) for dataset in datasets]
        Dataset.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=['entry_id'],
            update_fields=_UPDATED_FIELDS,
        )
        if any(row.pk is None for row in rows):
            self._fill_primary_keys(rows)
        self._add_uris(datasets, rows)
        return BatchResult(
            created=[entry_id for entry_id in ids if entry_id not in existing],
            updated=[entry_id for entry_id in ids if entry_id in existing],
        )

    def _dataset_row(self, dataset: HarvestedDataset, locations: dict[str, int]) -> Dataset:
        return Dataset(
            entry_id=dataset.entry_id,
            entry_title=(dataset.entry_title or dataset.entry_id)[:220],
            summary=dataset.summary,
            ISO_topic_category_id=self._iso_category_id(dataset.iso_topic_category),
            data_center_id=self._data_center_index().id_of(dataset.data_center),
            source_id=self._source_id(dataset.platform, dataset.instrument),
            time_coverage_start=dataset.time_coverage_start,
            time_coverage_end=dataset.time_coverage_end,
            geographic_location_id=locations[dataset.footprint_wkt],
        )

    def _fill_primary_keys(self, rows: list[Dataset]) -> None:
        by_entry = dict(
            Dataset.objects.filter(entry_id__in=[row.entry_id for row in rows]).values_list(
                'entry_id', 'id'
            )
        )
        for row in rows:
            row.pk = by_entry[row.entry_id]

    def _add_uris(self, datasets: list[HarvestedDataset], rows: list[Dataset]) -> None:
        uris = [
            (service_name(service), service, uri, row.pk)
            for dataset, row in zip(datasets, rows, strict=True)
            for uri, service in dataset.uris
        ]
        if connection.vendor == 'postgresql':
            _insert_uris_postgis(uris)
            return
        DatasetURI.objects.bulk_create(
            [
                DatasetURI(name=name, service=service, uri=uri, dataset_id=dataset_id)
                for name, service, uri, dataset_id in uris
            ],
            ignore_conflicts=True,
        )

    def _location_ids(self, wkts: set[str]) -> dict[str, int]:
        if connection.vendor == 'postgresql':
            return _upsert_locations_postgis(sorted(wkts))
        geometries = {wkt: GEOSGeometry(wkt, srid=4326) for wkt in wkts}
        found = _existing_locations(geometries)
        missing = [wkt for wkt in geometries if wkt not in found]
        rows = [GeographicLocation(geometry=geometries[wkt]) for wkt in missing]
        GeographicLocation.objects.bulk_create(rows)
        found.update(zip(missing, (row.pk for row in rows), strict=True))
        return found

    def _source_id(self, platform: str | None, instrument: str | None) -> int | None:
        if not platform and not instrument:
            return None
        key = (
            self._platform_index().id_of(platform or UNKNOWN),
            self._instrument_index().id_of(instrument or UNKNOWN),
        )
        if key not in self._sources:
            source, _ = Source.objects.get_or_create(platform_id=key[0], instrument_id=key[1])
            self._sources[key] = source.id
        return self._sources[key]

    def _iso_category_id(self, name: str) -> int:
        if name not in self._iso_categories:
            category, _ = ISOTopicCategory.objects.get_or_create(name=name)
            self._iso_categories[name] = category.id
        return self._iso_categories[name]

    def _platform_index(self) -> _VocabularyIndex:
        if self._platforms is None:
            blank = {'category': '', 'series_entity': '', 'long_name': ''}
            self._platforms = _VocabularyIndex(Platform, 'short_name', 'long_name', blank)
        return self._platforms

    def _instrument_index(self) -> _VocabularyIndex:
        if self._instruments is None:
            blank = dict.fromkeys(
                ('category', 'instrument_class', 'type', 'subtype', 'long_name'), ''
            )
            self._instruments = _VocabularyIndex(Instrument, 'short_name', 'long_name', blank)
        return self._instruments

    def _data_center_index(self) -> _VocabularyIndex:
        if self._data_centers is None:
            blank = {
                'long_name': '',
                'bucket_level0': '',
                'bucket_level1': '',
                'bucket_level2': '',
                'bucket_level3': '',
                'data_center_url': '',
            }
            self._data_centers = _VocabularyIndex(DataCenter, 'short_name', 'long_name', blank)
        return self._data_centers


_UPSERT_LOCATIONS = (
    'INSERT INTO {table} (geometry) '
    'SELECT ST_GeomFromText(wkt, 4326) FROM unnest(%s::text[]) WITH ORDINALITY AS input(wkt, n) '
    'ORDER BY n '
    'ON CONFLICT ((md5(ST_AsBinary(geometry)))) DO UPDATE SET geometry = EXCLUDED.geometry '
    'RETURNING id'
)


def _upsert_locations_postgis(wkts: list[str]) -> dict[str, int]:
    """Insert the footprints not stored yet; the ids of all, by WKT, in one statement.

    PostGIS parses the WKT itself, which saves building a GEOS geometry per
    footprint in Python. The upsert targets GeoSPaaS's unique index on
    ``md5(ST_AsBinary(geometry))`` (catalog migration 0008), the one GeoSPaaS databases
    have, and returns the ids of new and existing rows alike (rows come back in insertion
    order), including rows a concurrent harvest inserted meanwhile.
    """
    table = connection.ops.quote_name(GeographicLocation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT_LOCATIONS.format(table=table), [wkts])
        ids = [row[0] for row in cursor.fetchall()]
    return dict(zip(wkts, ids, strict=True))


_INSERT_URIS = (
    'INSERT INTO {table} (name, service, uri, dataset_id) '
    'SELECT * FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[], %s::integer[]) '
    'ON CONFLICT DO NOTHING'
)


def _insert_uris_postgis(uris: list[tuple[str, str, str, int]]) -> None:
    """Add ``(name, service, uri, dataset_id)`` rows in one statement; known pairs are kept."""
    if not uris:
        return
    table = connection.ops.quote_name(DatasetURI._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_URIS.format(table=table), [list(column) for column in zip(*uris, strict=True)]
        )


def _existing_locations(geometries: dict[str, GEOSGeometry]) -> dict[str, int]:
    """The ids of the stored locations equal to the given geometries, by WKT (SpatiaLite)."""
    found: dict[str, int] = {}
    for wkt, geometry in geometries.items():
        location_id = (
            GeographicLocation.objects.filter(geometry__equals=geometry)
            .values_list('id', flat=True)
            .first()
        )
        if location_id is not None:
            found[wkt] = location_id
    return found


def _merge_duplicates(datasets: Sequence[HarvestedDataset]) -> list[HarvestedDataset]:
    """One dataset per entry_id: the last values win, URIs of all are kept in order."""
    merged: dict[str, HarvestedDataset] = {}
    for dataset in datasets:
        previous = merged.get(dataset.entry_id)
        if previous is not None:
            uris = list(dict.fromkeys([*previous.uris, *dataset.uris]))
            dataset = HarvestedDataset(**{**dataset.__dict__, 'uris': uris})
        merged[dataset.entry_id] = dataset
    return list(merged.values())


def _describe(exc: Exception) -> str:
    kind = 'database refused it' if isinstance(exc, (DatabaseError, IntegrityError)) else 'invalid'
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f'{kind}: {first_line}'


def ingest_results(provider, results, ingester: CatalogIngester, store) -> dict[str, int]:
    """Normalize raw results with ``provider`` and write them; keep the failures in ``store``.

    Returns:
        ``{'created': n, 'updated': n, 'failed': n}``.
    """
    from geospaas_processing.harvesting.errors import NormalizationError

    normalized, raw_by_entry, failed = [], {}, 0
    for result in results:
        try:
            dataset = provider.normalize(result)
        except NormalizationError as exc:
            store.record(provider.name, provider.type, result, f'invalid result: {exc}')
            failed += 1
            continue
        normalized.append(dataset)
        raw_by_entry[dataset.entry_id] = result
    batch = ingester.ingest(normalized)
    for dataset, error in batch.failed:
        store.record(provider.name, provider.type, raw_by_entry[dataset.entry_id], error)
    return {
        'created': len(batch.created),
        'updated': len(batch.updated),
        'failed': failed + len(batch.failed),
    }
