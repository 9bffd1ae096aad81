"""Creating catalog records and querying them spatially, on either backend."""

from datetime import UTC, datetime

import pytest
from django.contrib.gis.geos import GEOSGeometry

from geospaas_processing.catalog import services
from geospaas_processing.catalog.models import Dataset, DatasetURI, GeographicLocation
from geospaas_processing.catalog.records import DatasetRecord, create_dataset

pytestmark = pytest.mark.django_db


def record(entry_id, wkt='POLYGON((0 60,10 60,10 70,0 70,0 60))', **kwargs):
    return DatasetRecord(
        entry_id, datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 3, 2, tzinfo=UTC), wkt, **kwargs
    )


def test_footprint_queries_select_the_right_datasets():
    create_dataset(record('nordic'))
    create_dataset(record('tropics', 'POLYGON((0 -10,10 -10,10 10,0 10,0 -10))'))
    point = GEOSGeometry('POINT(5 65)', srid=4326)
    found = Dataset.objects.filter(geographic_location__geometry__intersects=point)
    assert [d.entry_id for d in found] == ['nordic']


def test_same_footprint_shares_one_location_and_uris_are_not_duplicated():
    uri = ('https://example.org/a.nc', services.HTTP_SERVICE)
    first = create_dataset(record('a', uris=[uri]))
    again = create_dataset(record('a', uris=[uri]))
    create_dataset(record('b'))
    assert first.id == again.id
    assert GeographicLocation.objects.count() == 1
    stored = DatasetURI.objects.get(dataset=first)
    assert (stored.service, stored.name) == ('HTTPServer', 'http')


def test_dataset_filters_by_source_and_time():
    create_dataset(record('s3', platform='Sentinel-3A', instrument='SLSTR'))
    create_dataset(record('modis'))
    found = Dataset.objects.filter(
        source__instrument__short_name='SLSTR',
        time_coverage_start__gte=datetime(2024, 2, 1, tzinfo=UTC),
    )
    assert [d.entry_id for d in found] == ['s3']
