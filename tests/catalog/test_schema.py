"""The catalog schema matches GeoSPaaS's, so existing deployments keep their database."""

import os
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.helpers import run_command, run_python

DDL = Path(__file__).with_name('geospaas_ddl.sql')


@pytest.mark.django_db
def test_models_and_migrations_agree():
    output = StringIO()
    call_command('makemigrations', '--check', '--dry-run', stdout=output)
    assert 'No changes detected' in output.getvalue()


@pytest.mark.django_db
def test_tables_have_the_geospaas_names():
    from django.db import connection

    tables = set(connection.introspection.table_names())
    expected = {
        'catalog_dataset',
        'catalog_dataseturi',
        'catalog_source',
        'catalog_geographiclocation',
        'catalog_datasetrelationship',
        'catalog_dataset_parameters',
        'vocabularies_platform',
        'vocabularies_instrument',
        'vocabularies_parameter',
        'vocabularies_datacenter',
        'vocabularies_isotopiccategory',
        'vocabularies_location',
        'geospaas_processing_processingresult',
    }
    assert expected <= tables


@pytest.fixture
def geospaas_database():
    """A fresh PostGIS database holding the GeoSPaaS tables and one dataset, dropped after."""
    psycopg2 = pytest.importorskip('psycopg2')
    name = f'geospaas_ddl_{uuid.uuid4().hex[:10]}'
    admin = psycopg2.connect(host='127.0.0.1', user='postgres', dbname='postgres')
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE {name}')
    try:
        with psycopg2.connect(host='127.0.0.1', user='postgres', dbname=name) as connection:
            with connection.cursor() as cursor:
                cursor.execute(DDL.read_text())
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')
        admin.close()


@pytest.mark.service('postgis')
def test_existing_geospaas_database_is_adopted_with_fake_initial(geospaas_database, tmp_path):
    env = dict(
        os.environ,
        GEOSPAAS_DB_HOST='127.0.0.1',
        GEOSPAAS_DB_PORT='5432',
        GEOSPAAS_DB_USER='postgres',
        GEOSPAAS_DB_PASSWORD='',
        GEOSPAAS_DB_NAME=geospaas_database,
    )
    adopted = run_command(['geospaas_processing', 'init-db', '--fake-initial'], env)
    assert adopted.returncode == 0, adopted.stderr
    script = (
        'import geospaas_processing; geospaas_processing.setup();'
        'from geospaas_processing.catalog.models import Dataset;'
        'from geospaas_processing.catalog.records import DatasetRecord, create_dataset;'
        'from datetime import datetime, UTC;'
        'd = Dataset.objects.get(entry_id="S1A_EW_GRDM_1SDH_20240301T070000");'
        'print(d.source, d.data_center, d.geographic_location.geometry.extent,'
        '      [u.uri for u in d.dataseturi_set.all()]);'
        'new = create_dataset(DatasetRecord("new-one", datetime(2024, 1, 1, tzinfo=UTC),'
        '      datetime(2024, 1, 2, tzinfo=UTC), "POINT(5 65)"));'
        'print("new id", new.id)'
    )
    read = run_python(script, env)
    assert read.returncode == 0, read.stderr
    assert 'Sentinel-1A/SENTINEL-1 C-SAR ESA/EO (0.0, 60.0, 10.0, 70.0)' in read.stdout
    assert 'https://scihub.example.org/S1A_EW_GRDM_1SDH_20240301T070000.zip' in read.stdout
    assert 'new id 2' in read.stdout
