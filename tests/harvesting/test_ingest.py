"""Bulk ingestion: few queries per batch, duplicates merged, one bad dataset isolated."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import geospaas_processing.harvesting as harvesting
from geospaas_processing.catalog.models import Dataset, DatasetURI, GeographicLocation
from geospaas_processing.harvesting.ingest import CatalogIngester
from geospaas_processing.harvesting.normalize import HarvestedDataset

pytestmark = pytest.mark.django_db


def harvested(index, wkt=None, uris=None, **values):
    values.setdefault('summary', '')
    return HarvestedDataset(
        entry_id=f'granule-{index}',
        entry_title=f'Granule {index}',
        time_coverage_start=datetime(2022, 8, 1, tzinfo=UTC),
        time_coverage_end=datetime(2022, 8, 1, 1, tzinfo=UTC),
        footprint_wkt=wkt
        or f'POLYGON(({index} 0,{index + 1} 0,{index + 1} 1,{index} 1,{index} 0))',
        data_center='NERSC',
        platform='Sentinel-3A',
        instrument='SLSTR',
        uris=uris if uris is not None else [(f'https://x.test/{index}.nc', 'HTTPServer')],
        **values,
    )


def test_a_batch_costs_a_bounded_number_of_queries():
    ingester = CatalogIngester()
    ingester.ingest([harvested(0)])  # warm the vocabulary caches
    with CaptureQueriesContext(connection) as small:
        ingester.ingest([harvested(index) for index in range(1, 3)])
    with CaptureQueriesContext(connection) as large:
        ingester.ingest([harvested(index) for index in range(3, 203)])
    assert Dataset.objects.count() == 203
    if connection.vendor == 'postgresql':
        assert len(large.captured_queries) == len(small.captured_queries) <= 10


def test_duplicates_in_a_batch_are_merged_and_locations_shared():
    square = 'POLYGON((0 0,1 0,1 1,0 1,0 0))'
    result = CatalogIngester().ingest(
        [
            harvested(1, square, [('https://a.test/1.nc', 'HTTPServer')]),
            harvested(1, square, [('ftp://b.test/1.nc', 'ftp')], summary='second'),
            harvested(2, square),
        ]
    )
    assert (sorted(result.created), result.updated, result.failed) == (
        ['granule-1', 'granule-2'],
        [],
        [],
    )
    assert Dataset.objects.get(entry_id='granule-1').summary == 'second'
    assert DatasetURI.objects.filter(dataset__entry_id='granule-1').count() == 2
    assert GeographicLocation.objects.count() == 1


def test_a_bad_dataset_fails_alone():
    batch = [harvested(index) for index in range(5)]
    batch[2] = harvested(2, wkt='POLYGON((0 0, 1 1')
    result = CatalogIngester().ingest(batch)
    assert len(result.created) == 4
    ((failed, error),) = result.failed
    assert failed.entry_id == 'granule-2' and error
    assert not Dataset.objects.filter(entry_id='granule-2').exists()


def test_the_public_names_are_the_documented_ones():
    assert sorted(harvesting.__all__) == [
        'HarvestConfig',
        'HarvestConfigurationError',
        'HarvestError',
        'NormalizationError',
        'PlannedSearch',
        'ProviderConfig',
        'ProviderError',
        'RetrySummary',
        'SearchSummary',
        'VocabularyError',
        'harvest',
        'load_harvest_config',
        'plan_harvest',
        'retry_ingestion',
        'save_search_results',
        'update_vocabularies',
    ]
