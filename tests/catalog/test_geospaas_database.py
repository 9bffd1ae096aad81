"""Working on an existing GeoSPaaS database, side by side with django-geo-spaas.

The database is the reference one (schema and migration records of a database migrated by
django-geo-spaas, see conftest) holding one dataset as django-geo-spaas leaves it: service
``HTTPServer`` named ``http`` (the values of ``geospaas/catalog/managers.py`` at commit
094ade3). django-geo-spaas itself is played by the stand-in ``geospaas`` package
(tests/catalog/standin), which has its app labels, tables and model fields.
"""

from __future__ import annotations

import json

import pytest

from tests.catalog.conftest import (
    REPOSITORY,
    connect,
    postgis_environment,
    python_in,
    standin_environment,
)
from tests.helpers import run_command

pytestmark = pytest.mark.service('postgis')

GEOSPAAS_ROWS = """
INSERT INTO vocabularies_platform VALUES
  (1, 'Earth Observation Satellites', '', 'Sentinel-1A', 'Sentinel-1A');
INSERT INTO vocabularies_instrument VALUES
  (1, 'Earth Remote Sensing Instruments', 'Active Remote Sensing', 'Imaging Radars', '',
   'SENTINEL-1 C-SAR', 'Sentinel-1 C-Band Synthetic Aperture Radar');
INSERT INTO vocabularies_isotopiccategory VALUES (1, 'Oceans');
INSERT INTO vocabularies_datacenter VALUES (1, 'Multinational Organizations', '', '', '',
  'ESA/EO', 'Observing the Earth, European Space Agency', 'http://www.esa.int');
INSERT INTO catalog_geographiclocation VALUES
  (1, ST_GeomFromText('POLYGON((0 60,10 60,10 70,0 70,0 60))', 4326));
INSERT INTO catalog_source VALUES (1, '', 1, 1);
INSERT INTO catalog_dataset (id, entry_title, summary, time_coverage_start, time_coverage_end,
  "ISO_topic_category_id", data_center_id, geographic_location_id, source_id, entry_id)
  VALUES (1, 'Sentinel-1A EW GRD', 'A GeoSPaaS dataset', '2024-03-01 07:00:00+00',
  '2024-03-01 07:01:00+00', 1, 1, 1, 1, 'S1A_EW_GRDM_1SDH_20240301T070000');
INSERT INTO catalog_dataseturi (id, uri, dataset_id, name, service) VALUES
  (1, 'https://scihub.example.org/S1A_EW_GRDM_1SDH_20240301T070000.zip', 1, 'http', 'HTTPServer');
SELECT setval(pg_get_serial_sequence(t, 'id'), 1) FROM unnest(ARRAY[
  'vocabularies_platform', 'vocabularies_instrument', 'vocabularies_isotopiccategory',
  'vocabularies_datacenter', 'catalog_geographiclocation', 'catalog_source', 'catalog_dataset',
  'catalog_dataseturi']) AS t;
"""

HARVEST = """
import json, math
from datetime import UTC, datetime
import geospaas_processing
geospaas_processing.setup()
from geospaas_processing.harvesting.ingest import CatalogIngester
from geospaas_processing.harvesting.normalize import HarvestedDataset
from geospaas_processing.catalog.models import Dataset
from geospaas_processing.models import ProcessingResult

VERTICES = 2000
angles = [2 * math.pi * i / VERTICES for i in range(VERTICES)]
ring = [(10 + 5 * math.cos(angle), 60 + 2 * math.sin(angle)) for angle in angles]
large = 'POLYGON((' + ','.join(f'{x:.6f} {y:.6f}' for x, y in ring + ring[:1]) + '))'

def dataset(entry_id, footprint, uris=()):
    return HarvestedDataset(
        entry_id=entry_id, entry_title=entry_id, summary='harvested',
        time_coverage_start=datetime(2024, 3, 1, tzinfo=UTC),
        time_coverage_end=datetime(2024, 3, 2, tzinfo=UTC), footprint_wkt=footprint,
        data_center='NERSC', platform='Aqua', instrument='MODIS', uris=list(uris))

first = CatalogIngester().ingest([
    dataset('large-1', large, [(SOURCE, 'local')]),
    dataset('same-footprint-as-geospaas', 'POLYGON((0 60,10 60,10 70,0 70,0 60))'),
])
again = CatalogIngester().ingest([dataset('large-2', large), dataset('large-1', large)])
ProcessingResult.objects.create(
    dataset=Dataset.objects.get(entry_id='large-1'), path='idf/large-1', type='idf')
print(json.dumps({
    'failed': [error for _, error in first.failed + again.failed],
    'created': first.created + again.created,
    'updated': again.updated,
}))
"""


@pytest.fixture
def adopted_geospaas_database(geospaas_database) -> str:
    """The reference GeoSPaaS database with one dataset, adopted with init-db --fake-initial."""
    name = geospaas_database()
    with connect(name) as connection, connection.cursor() as cursor:
        cursor.execute(GEOSPAAS_ROWS)
    adopted = run_command(
        ['geospaas_processing', 'init-db', '--fake-initial'],
        postgis_environment(name),
        cwd=REPOSITORY,
    )
    assert adopted.returncode == 0, adopted.stderr[-3000:]
    return name


def query(database: str, sql: str, *params) -> list[tuple]:
    connection = connect(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()


def harvest(database: str, source_uri: str) -> dict:
    script = f'SOURCE = {source_uri!r}\n{HARVEST}'
    result = python_in(postgis_environment(database), script)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_harvest_download_and_deletion_on_an_adopted_geospaas_database(
    adopted_geospaas_database, tmp_path
):
    database = adopted_geospaas_database
    source = tmp_path / 'large-1.nc'
    source.write_bytes(b'netcdf bytes')

    outcome = harvest(database, source.as_uri())
    assert outcome['failed'] == []
    assert sorted(outcome['created']) == ['large-1', 'large-2', 'same-footprint-as-geospaas']
    assert outcome['updated'] == ['large-1']
    locations = dict(
        query(
            database,
            'SELECT d.entry_id, d.geographic_location_id FROM catalog_dataset d',
        )
    )
    # One footprint row per distinct footprint, the GeoSPaaS one reused.
    assert locations['same-footprint-as-geospaas'] == locations['S1A_EW_GRDM_1SDH_20240301T070000']
    assert locations['large-1'] == locations['large-2']
    [(vertices,)] = query(
        database,
        'SELECT ST_NPoints(geometry) FROM catalog_geographiclocation WHERE id = %s',
        locations['large-1'],
    )
    assert vertices >= 2000
    assert query(database, 'SELECT count(*) FROM catalog_geographiclocation') == [(2,)]

    destination = tmp_path / 'downloads'
    downloaded = run_command(
        [
            'geospaas_processing.cli.download',
            '-d',
            str(destination),
            '-q',
            '{"entry_id": "large-1"}',
            '-a',
            '--quiet',
        ],
        postgis_environment(database),
        cwd=REPOSITORY,
    )
    assert downloaded.returncode == 0, downloaded.stderr[-3000:]
    local_copies = query(
        database,
        'SELECT u.name, u.service, u.uri FROM catalog_dataseturi u '
        "JOIN catalog_dataset d ON d.id = u.dataset_id WHERE d.entry_id = 'large-1' "
        'AND u.uri <> %s',
        source.as_uri(),
    )
    assert [(name, service) for name, service, _ in local_copies] == [('fileService', 'local')]
    assert local_copies[0][2].startswith(str(destination))

    deleted = python_in(
        standin_environment(postgis_environment(database), 'geospaas_alone'),
        'import django; django.setup();'
        'from geospaas.catalog.models import Dataset;'
        'Dataset.objects.get(entry_id="large-1").delete();'
        'print(Dataset.objects.count())',
    )
    assert deleted.returncode == 0, deleted.stderr[-3000:]
    assert deleted.stdout.split() == ['3']
    assert query(database, 'SELECT count(*) FROM geospaas_processing_processingresult') == [(0,)]
    assert query(
        database, 'SELECT count(*) FROM catalog_dataseturi WHERE uri LIKE %s', f'%{source.name}'
    ) == [(0,)]


def test_a_project_with_geospaas_apps_gets_its_catalog_models(adopted_geospaas_database):
    database = adopted_geospaas_database
    script = (
        'import geospaas_processing; geospaas_processing.setup();'
        'from datetime import UTC, datetime;'
        'from geospaas_processing.catalog.models import Dataset;'
        'from geospaas_processing.vocabularies.models import Platform;'
        'from geospaas_processing.models import ProcessingResult;'
        'from geospaas_processing.catalog.records import DatasetRecord, create_dataset;'
        'print(Dataset.__module__, Platform.__module__, Dataset._meta.db_table,'
        '      ProcessingResult._meta.get_field("dataset").related_model is Dataset);'
        'd = create_dataset(DatasetRecord("project-dataset", datetime(2024, 1, 1, tzinfo=UTC),'
        '    datetime(2024, 1, 2, tzinfo=UTC), "POINT(5 65)"));'
        'ProcessingResult.objects.create(dataset=d, path="syntool/p", type="syntool")'
    )
    env = standin_environment(postgis_environment(database), 'geospaas_project')
    result = python_in(env, script)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == [
        'geospaas.catalog.models',
        'geospaas.vocabularies.models',
        'catalog_dataset',
        'True',
    ]
    assert query(
        database,
        'SELECT d.entry_id, r.path FROM geospaas_processing_processingresult r '
        'JOIN catalog_dataset d ON d.id = r.dataset_id',
    ) == [('project-dataset', 'syntool/p')]


@pytest.mark.parametrize(
    ('settings', 'message'),
    [
        ('mixed_project', "INSTALLED_APPS mixes 'geospaas.catalog' and "),
        ('no_catalog_project', "no installed Django app has the label 'catalog'"),
    ],
)
def test_a_project_with_a_wrong_catalog_setting_stops_with_the_fix(settings, message, tmp_path):
    import os

    env = standin_environment(dict(os.environ), settings)
    env['GEOSPAAS_DB_PATH'] = str(tmp_path / 'catalog.sqlite3')
    env.pop('GEOSPAAS_DB_HOST', None)
    result = run_command(['geospaas_processing', 'init-db'], env, cwd=REPOSITORY)
    assert result.returncode != 0
    assert message in result.stderr
    assert 'INSTALLED_APPS' in result.stderr
    assert 'Traceback' not in result.stderr
