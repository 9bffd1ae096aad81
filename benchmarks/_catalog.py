"""A PostGIS catalog of N datasets for the dry-run rows, built once with COPY and kept.

The database ``geospaas_bench_catalog_<N>`` stays on the PostgreSQL server between runs
(it is reused when its ``bench_catalog_ready`` table says it is complete), and the COPY
input is kept in ``benchmarks/results/catalog_<N>/`` (ignored by git), so a rebuild costs
the COPY only. Dataset ``i`` starts ``i * 10 years / N`` after 2015-01-01 and lasts an
hour, so a one-year range selects a tenth of the catalog; its one URI is
``<base>/files/<entry_id>.nc`` (HTTPServer).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import _harness as h

START = datetime(2015, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=3652)
SCHEMA_VERSION = 2  # 2: the catalog schema of django-geo-spaas migrations 0002-0011
PLACEHOLDER_BASE = 'http://bench.invalid'

PREPARE_CHILD = r"""
from datetime import UTC, datetime
from django.db import connection
import geospaas_processing
geospaas_processing.setup(migrate=False)
with connection.cursor() as cursor:
    cursor.execute('CREATE EXTENSION IF NOT EXISTS postgis')
from geospaas_processing.database import migrate_catalog
migrate_catalog(quiet=True)
from geospaas_processing.catalog.records import DatasetRecord, create_dataset
template = create_dataset(DatasetRecord('template', datetime(2000, 1, 1, tzinfo=UTC),
                                        datetime(2000, 1, 1, tzinfo=UTC), 'POINT(0 0)'))
print(template.id)
"""


def connection_settings() -> dict[str, str]:
    """Where the catalogs live: GEOSPAAS_DB_HOST/USER/PASSWORD, else postgres on loopback."""
    return {
        'host': os.environ.get('GEOSPAAS_DB_HOST', '127.0.0.1'),
        'user': os.environ.get('GEOSPAAS_DB_USER', 'postgres'),
        'password': os.environ.get('GEOSPAAS_DB_PASSWORD', ''),
    }


def database_name(size: int) -> str:
    return f'geospaas_bench_catalog_{size}'


def env_for(size: int, work: Path) -> dict[str, str]:
    """Our commands' environment pointing at the catalog of ``size`` datasets."""
    settings = connection_settings()
    env = h.our_env(work)
    env.pop('GEOSPAAS_DB_PATH')
    env.update(
        GEOSPAAS_DB_HOST=settings['host'],
        GEOSPAAS_DB_USER=settings['user'],
        GEOSPAAS_DB_NAME=database_name(size),
    )
    if settings['password']:
        env['GEOSPAAS_DB_PASSWORD'] = settings['password']
    return env


def psql_command(size: int) -> list[str]:
    """psql connected to the catalog, unaligned tuples only."""
    settings = connection_settings()
    return [
        h.need('psql', 'postgresql-client'),
        '-X',
        '-q',
        '-A',
        '-t',
        '-h',
        settings['host'],
        '-U',
        settings['user'],
        '-d',
        database_name(size),
    ]


def _connect(dbname: str):
    import psycopg2

    connection = psycopg2.connect(dbname=dbname, **connection_settings())
    connection.autocommit = True
    return connection


def _ready(size: int) -> bool:
    import psycopg2

    try:
        connection = _connect(database_name(size))
    except psycopg2.OperationalError:
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute('SELECT version FROM bench_catalog_ready')
            return cursor.fetchone() == (SCHEMA_VERSION,)
    except psycopg2.Error:
        return False
    finally:
        connection.close()


def ensure(size: int, work: Path) -> None:
    """Make sure the catalog of ``size`` datasets exists and is complete (build it if not)."""
    if _ready(size):
        return
    print(f'building the catalog of {size:,} datasets (once; kept as {database_name(size)})')
    name = database_name(size)
    connection = _connect('postgres')
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE {name}')
    connection.close()
    result = subprocess.run(
        [sys.executable, '-c', PREPARE_CHILD],
        env=env_for(size, work),
        capture_output=True,
        text=True,
        check=True,
    )
    template_id = int(result.stdout.split()[-1])
    datasets, uris = _copy_input(size)
    connection = _connect(name)
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT "ISO_topic_category_id", data_center_id, source_id, geographic_location_id '
            'FROM catalog_dataset WHERE id = %s',
            (template_id,),
        )
        iso, center, source, location = cursor.fetchone()
        cursor.execute('DELETE FROM catalog_dataset WHERE id = %s', (template_id,))
        references = {
            '"ISO_topic_category_id"': iso,
            'data_center_id': center,
            'source_id': source,
            'geographic_location_id': location,
        }
        for column, value in references.items():  # COPY fills them from the defaults
            cursor.execute(
                f'ALTER TABLE catalog_dataset ALTER COLUMN {column} SET DEFAULT %s', (value,)
            )
        with datasets.open() as handle:
            cursor.copy_expert(
                'COPY catalog_dataset (id, entry_id, entry_title, summary, time_coverage_start,'
                ' time_coverage_end) FROM STDIN',
                handle,
            )
        for column in references:
            cursor.execute(f'ALTER TABLE catalog_dataset ALTER COLUMN {column} DROP DEFAULT')
        with uris.open() as handle:
            cursor.copy_expert(
                'COPY catalog_dataseturi (dataset_id, name, service, uri) FROM STDIN', handle
            )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('catalog_dataset', 'id'), %s)", (size + 1,)
        )
        cursor.execute('VACUUM ANALYZE catalog_dataset')
        cursor.execute('VACUUM ANALYZE catalog_dataseturi')
        cursor.execute('CREATE TABLE bench_catalog_ready (version integer)')
        cursor.execute('INSERT INTO bench_catalog_ready VALUES (%s)', (SCHEMA_VERSION,))
    connection.close()


def _copy_input(size: int) -> tuple[Path, Path]:
    """The COPY files (tab-separated), written once into benchmarks/results/."""
    folder = h.RESULTS / f'catalog_{size}'
    datasets, uris = folder / 'datasets.tsv', folder / 'uris.tsv'
    if datasets.exists() and uris.exists():
        return datasets, uris
    folder.mkdir(parents=True, exist_ok=True)
    step = SPAN / size
    with (
        (folder / 'datasets.tmp').open('w') as dataset_file,
        (folder / 'uris.tmp').open('w') as uri_file,
    ):
        for index in range(1, size + 1):
            start = START + step * index
            entry_id = f'bench-{index:08d}'
            dataset_file.write(
                f'{index}\t{entry_id}\tgranule {index}\tbenchmark dataset\t'
                f'{start.isoformat()}\t{(start + timedelta(hours=1)).isoformat()}\n'
            )
            uri_file.write(f'{index}\tfile\tHTTPServer\t{PLACEHOLDER_BASE}/files/{entry_id}.nc\n')
    (folder / 'datasets.tmp').rename(datasets)
    (folder / 'uris.tmp').rename(uris)
    return datasets, uris


def point_uris_at(size: int, base: str) -> None:
    """Make every URI of the catalog start with ``base`` (the nginx of this run)."""
    connection = _connect(database_name(size))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT substring(uri from '^[a-z]+://[^/]+') FROM catalog_dataseturi LIMIT 1"
        )
        (current,) = cursor.fetchone()
        if current != base:
            cursor.execute(
                'UPDATE catalog_dataseturi SET uri = %s || substring(uri from %s)',
                (base, len(current) + 1),
            )
            cursor.execute('VACUUM ANALYZE catalog_dataseturi')
    connection.close()
