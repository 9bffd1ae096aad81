"""Rules the catalog database itself enforces, on SpatiaLite and on PostGIS.

django-geo-spaas writes to the same tables without this package's code, so these rules must
hold in the database, not only in the ORM: footprints are unique (GeoSPaaS's index
``unique_catalog_geographiclocation``), and deleting a dataset deletes its processing results.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from geospaas_processing.catalog.models import Dataset, GeographicLocation
from geospaas_processing.harvesting.ingest import CatalogIngester
from geospaas_processing.harvesting.normalize import HarvestedDataset
from geospaas_processing.models import ProcessingResult
from tests.helpers import make_dataset

pytestmark = pytest.mark.django_db(transaction=True)


def circle_wkt(vertices: int) -> str:
    angles = [2 * math.pi * i / vertices for i in range(vertices)]
    ring = [(10 + 5 * math.cos(angle), 60 + 2 * math.sin(angle)) for angle in angles]
    return 'POLYGON((' + ','.join(f'{x:.6f} {y:.6f}' for x, y in ring + ring[:1]) + '))'


def harvested(entry_id: str, footprint: str) -> HarvestedDataset:
    return HarvestedDataset(
        entry_id=entry_id,
        entry_title=entry_id,
        summary='',
        time_coverage_start=datetime(2024, 3, 1, tzinfo=UTC),
        time_coverage_end=datetime(2024, 3, 2, tzinfo=UTC),
        footprint_wkt=footprint,
        data_center='NERSC',
    )


def test_a_footprint_of_2000_vertices_is_ingested_once_for_all_its_datasets():
    footprint = circle_wkt(2000)
    first = CatalogIngester().ingest([harvested('swath-a', footprint)])
    second = CatalogIngester().ingest([harvested('swath-b', footprint)])
    assert first.failed == second.failed == []
    assert GeographicLocation.objects.count() == 1
    assert GeographicLocation.objects.get().geometry.num_points == 2001
    assert set(Dataset.objects.values_list('geographic_location', flat=True)) == {
        GeographicLocation.objects.get().id
    }


def test_the_database_refuses_a_second_copy_of_a_footprint():
    footprint = circle_wkt(300)
    GeographicLocation.objects.create(geometry=footprint)
    with pytest.raises(IntegrityError), transaction.atomic():
        GeographicLocation.objects.create(geometry=footprint)


def test_deleting_a_dataset_in_sql_deletes_its_processing_results():
    dataset = make_dataset('with-results')
    ProcessingResult.objects.create(dataset=dataset, path='idf/with-results', type='idf')
    kept = make_dataset('other')
    ProcessingResult.objects.create(dataset=kept, path='idf/other', type='idf')
    # What django-geo-spaas's ORM does, knowing nothing of ProcessingResult.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute('DELETE FROM catalog_dataseturi WHERE dataset_id = %s', [dataset.id])
        cursor.execute('DELETE FROM catalog_dataset WHERE id = %s', [dataset.id])
    assert list(ProcessingResult.objects.values_list('path', flat=True)) == ['idf/other']


def test_deleting_a_dataset_with_the_orm_still_deletes_its_results():
    dataset = make_dataset('orm-delete')
    ProcessingResult.objects.create(dataset=dataset, path='syntool/orm', type='syntool')
    dataset.delete()
    assert not ProcessingResult.objects.exists()
