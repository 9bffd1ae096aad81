"""The real django-geo-spaas and this package share one catalog database.

django-geo-spaas 2.5.5 runs under Django 3.2 in its own environment, .venv-geospaas
(scripts/install_django_geo_spaas.sh, run by ``make setup``). Each side migrates a database
the other created, and django-geo-spaas deletes a dataset that has processing results.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.catalog.conftest import REPOSITORY, connect, postgis_environment
from tests.catalog.schema_snapshot import differences, snapshot
from tests.catalog.test_geospaas_schema import PATTERN_INDEX_DIFFERENCE, init_db
from tests.helpers import run_python

GEOSPAAS_PYTHON = REPOSITORY / '.venv-geospaas' / 'bin' / 'python'


def django_geo_spaas(database: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run django-geo-spaas's Python (``-c`` script or ``-m django`` command) on ``database``."""
    if not GEOSPAAS_PYTHON.exists():
        message = f'django-geo-spaas is not installed in {GEOSPAAS_PYTHON.parent.parent}'
        if os.environ.get('CI', '').lower() == 'true':
            pytest.fail(f'{message} (run scripts/install_django_geo_spaas.sh)')
        pytest.skip(f'{message}: run scripts/install_django_geo_spaas.sh')
    env = postgis_environment(
        database, DJANGO_SETTINGS_MODULE='tests.catalog.django_geo_spaas_settings'
    )
    env.pop('PYTHONPATH', None)
    return subprocess.run(
        [str(GEOSPAAS_PYTHON), *args],
        env=env,
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_django_geo_spaas_has_nothing_to_migrate_on_a_package_database(postgis_database):
    database = postgis_database()
    init_db(database)
    migrated = django_geo_spaas(database, '-m', 'django', 'migrate')
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    assert 'No migrations to apply.' in migrated.stdout


def test_the_package_takes_over_a_database_django_geo_spaas_created(
    postgis_database, geospaas_database
):
    reference = connect(geospaas_database())
    database = postgis_database()
    migrated = django_geo_spaas(database, '-m', 'django', 'migrate')
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    init_db(database)
    created = connect(database)
    try:
        assert differences(snapshot(reference), snapshot(created)) == [PATTERN_INDEX_DIFFERENCE]
    finally:
        reference.close()
        created.close()


def test_django_geo_spaas_deletes_a_dataset_that_has_results(postgis_database):
    database = postgis_database()
    init_db(database)
    recorded = run_python(
        'import geospaas_processing; geospaas_processing.setup();'
        'from datetime import UTC, datetime;'
        'from geospaas_processing.catalog.records import DatasetRecord, create_dataset;'
        'from geospaas_processing.models import ProcessingResult;'
        'd = create_dataset(DatasetRecord("with-result", datetime(2024, 1, 1, tzinfo=UTC),'
        '    datetime(2024, 1, 2, tzinfo=UTC), "POINT(5 65)",'
        '    uris=[("https://example.org/a.nc", "HTTPServer")]));'
        'ProcessingResult.objects.create(dataset=d, path="idf/with-result", type="idf")',
        postgis_environment(database),
    )
    assert recorded.returncode == 0, recorded.stderr[-3000:]
    deleted = django_geo_spaas(
        database,
        '-c',
        'import django; django.setup();'
        'from geospaas.catalog.models import Dataset;'
        'Dataset.objects.get(entry_id="with-result").delete();'
        'print(Dataset.objects.count())',
    )
    assert deleted.returncode == 0, deleted.stderr[-3000:]
    assert deleted.stdout.split() == ['0']
    connection = connect(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute('SELECT count(*) FROM geospaas_processing_processingresult')
            assert cursor.fetchone() == (0,)
    finally:
        connection.close()
