"""The catalog's schema is GeoSPaaS's, whoever created the database.

The reference is the schema and migration records of a database migrated by django-geo-spaas
itself (``../shared/reference/geospaas``, see conftest). Databases created from scratch by
this package, adopted from GeoSPaaS, or created by this package's first schema (a previous
version) must all end with the same tables, columns, constraints, indexes and migration
records, every difference being listed by name.
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.catalog.conftest import (
    REPOSITORY,
    connect,
    postgis_environment,
    python_in,
    reference_migrations,
)
from tests.catalog.schema_snapshot import differences, snapshot
from tests.helpers import run_command

# The one addition this package makes to GeoSPaaS's tables (issue 12, item 5): Django's
# pattern index on the unique text column entry_id, so that entry_id__startswith uses an
# index. Databases migrated by django-geo-spaas under Django 3.2 do not have it (catalog
# migration 0010 dropped it when the column became text).
PATTERN_INDEX = 'catalog_dataset.catalog_dataset_entry_id_452ab797_like'
PATTERN_INDEX_DIFFERENCE = (
    f'index {PATTERN_INDEX}: extra (CREATE INDEX catalog_dataset_entry_id_452ab797_like '
    'ON public.catalog_dataset USING btree (entry_id text_pattern_ops))'
)


def schema_of(database: str) -> dict:
    connection = connect(database)
    try:
        return snapshot(connection)
    finally:
        connection.close()


def init_db(database: str, *options: str, env: dict | None = None) -> None:
    result = run_command(
        ['geospaas_processing', 'init-db', *options],
        env or postgis_environment(database),
        cwd=REPOSITORY,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_a_catalog_created_by_the_package_has_geospaas_schema(postgis_database, geospaas_database):
    reference = schema_of(geospaas_database())
    created = postgis_database()
    init_db(created)
    assert differences(reference, schema_of(created)) == [PATTERN_INDEX_DIFFERENCE]


def test_reference_database_lacks_the_pattern_index_and_adoption_adds_it(geospaas_database):
    adopted = geospaas_database()
    before = schema_of(adopted)
    assert PATTERN_INDEX not in before['index']
    init_db(adopted, '--fake-initial')
    assert differences(before, schema_of(adopted)) == [PATTERN_INDEX_DIFFERENCE]


def test_geospaas_side_has_nothing_left_to_migrate_on_a_package_database(postgis_database):
    created = postgis_database()
    init_db(created)
    recorded = set(schema_of(created)['migration'])
    assert recorded == {f'{app}.{name}' for app, name in reference_migrations()}


FIRST_SCHEMA_ROWS = """
INSERT INTO vocabularies_platform VALUES (1, 'Earth Observation Satellites', '', 'Aqua', 'Aqua');
INSERT INTO vocabularies_instrument VALUES (1, '', '', '', '', 'MODIS', 'MODIS');
INSERT INTO vocabularies_isotopiccategory VALUES (1, 'Oceans');
INSERT INTO vocabularies_datacenter VALUES (1, '', '', '', '', 'NERSC', '', '');
INSERT INTO catalog_source VALUES (1, '', 1, 1);
INSERT INTO catalog_dataset (id, entry_id, entry_title, summary, "ISO_topic_category_id",
  data_center_id, source_id) VALUES (1, 'first-schema-dataset', 't', 's', 1, 1, 1);
INSERT INTO geospaas_processing_processingresult (path, type, created, dataset_id)
  VALUES ('idf/first', 'idf', CURRENT_TIMESTAMP, 1);
"""


def migrate_with_first_schema(env: dict) -> None:
    env = dict(env, DJANGO_SETTINGS_MODULE='tests.catalog.first_schema.settings')
    result = python_in(
        env,
        'import django; django.setup(); from django.core.management import call_command;'
        'call_command("migrate", verbosity=0)',
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_a_first_schema_postgis_catalog_migrates_to_geospaas_schema(
    postgis_database, geospaas_database
):
    reference = schema_of(geospaas_database())
    database = postgis_database()
    migrate_with_first_schema(postgis_environment(database))
    with connect(database) as connection, connection.cursor() as cursor:
        cursor.execute(FIRST_SCHEMA_ROWS)
    init_db(database)
    assert differences(reference, schema_of(database)) == [PATTERN_INDEX_DIFFERENCE]
    with connect(database) as connection, connection.cursor() as cursor:
        cursor.execute('SELECT entry_id FROM catalog_dataset')
        assert cursor.fetchall() == [('first-schema-dataset',)]
        cursor.execute('SELECT path FROM geospaas_processing_processingresult')
        assert cursor.fetchall() == [('idf/first',)]


@pytest.mark.parametrize('upgrade', ['init-db', 'first use'])
def test_a_first_schema_spatialite_catalog_migrates_to_geospaas_history(upgrade, tmp_path):
    import os

    env = dict(os.environ, GEOSPAAS_DB_PATH=str(tmp_path / 'catalog.sqlite3'))
    env.pop('GEOSPAAS_DB_HOST', None)
    migrate_with_first_schema(env)
    with sqlite3.connect(tmp_path / 'catalog.sqlite3') as database:
        database.executescript(FIRST_SCHEMA_ROWS)
    if upgrade == 'init-db':
        init_db('', env=env)
    else:  # an embedded catalog is migrated when the package is set up
        used = python_in(env, 'import geospaas_processing; geospaas_processing.setup()')
        assert used.returncode == 0, used.stderr[-3000:]
    with sqlite3.connect(tmp_path / 'catalog.sqlite3') as database:
        tables = {row[0] for row in database.execute('SELECT name FROM sqlite_master')}
        recorded = set(
            database.execute(
                "SELECT app, name FROM django_migrations WHERE app IN ('catalog', 'vocabularies')"
            )
        )
        (results_table,) = database.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'geospaas_processing_processingresult'"
        ).fetchone()
        entry_ids = database.execute('SELECT entry_id FROM catalog_dataset').fetchall()
    assert {
        'catalog_personnel',
        'catalog_role',
        'vocabularies_project',
        'vocabularies_horizontaldataresolution',
        'vocabularies_verticaldataresolution',
        'vocabularies_temporaldataresolution',
        'unique_catalog_geographiclocation',
    } <= tables
    assert recorded == set(reference_migrations())
    assert 'REFERENCES "catalog_dataset" ("id") ON DELETE CASCADE' in results_table
    assert entry_ids == [('first-schema-dataset',)]
