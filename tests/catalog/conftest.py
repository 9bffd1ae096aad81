"""PostGIS databases for the catalog tests, and the reference GeoSPaaS database.

``../shared/reference/geospaas/`` (beside the repository) holds ``schema.sql``, a
``pg_dump --schema-only`` of a PostGIS database migrated by django-geo-spaas itself, and
``migrations.txt``, the migration names django-geo-spaas records for ``catalog`` and
``vocabularies``: together they are "an existing GeoSPaaS database". Tests that need them
are skipped when the folder is missing, and fail under CI.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import SERVICE_ADDRESSES, require_service

REPOSITORY = Path(__file__).parents[2]
REFERENCE = REPOSITORY.parent / 'shared' / 'reference' / 'geospaas'
STANDIN = Path(__file__).with_name('standin')
_USER = os.environ.get('GEOSPAAS_TEST_DB_USER', 'postgres')
_PASSWORD = os.environ.get('GEOSPAAS_TEST_DB_PASSWORD', '')


def _require_reference() -> None:
    missing = [
        name for name in ('schema.sql', 'migrations.txt') if not (REFERENCE / name).is_file()
    ]
    if not missing:
        return
    message = f'the GeoSPaaS reference {", ".join(missing)} is missing from {REFERENCE}'
    if os.environ.get('CI', '').lower() == 'true':
        pytest.fail(f'{message} (CI must run every test)')
    pytest.skip(message)


def reference_migrations() -> list[tuple[str, str]]:
    """The ``(app, name)`` migrations django-geo-spaas records, from ``migrations.txt``."""
    _require_reference()
    records = []
    for line in (REFERENCE / 'migrations.txt').read_text().splitlines():
        if line.strip() and not line.startswith('#'):
            app, _, name = line.partition(':')
            records.append((app.strip(), name.strip()))
    return records


def connect(database: str):
    """A psycopg2 connection (autocommit) to a database of the test PostgreSQL server."""
    import psycopg2

    host, port = SERVICE_ADDRESSES['postgis']
    connection = psycopg2.connect(
        host=host, port=port, user=_USER, password=_PASSWORD, dbname=database
    )
    connection.autocommit = True
    return connection


def postgis_environment(database: str, **extra: str) -> dict[str, str]:
    """The environment of a subprocess using ``database`` as its catalog."""
    host, port = SERVICE_ADDRESSES['postgis']
    env = dict(os.environ)
    env.pop('GEOSPAAS_DB_PATH', None)
    env.update(
        GEOSPAAS_DB_HOST=host,
        GEOSPAAS_DB_PORT=str(port),
        GEOSPAAS_DB_USER=_USER,
        GEOSPAAS_DB_PASSWORD=_PASSWORD,
        GEOSPAAS_DB_NAME=database,
    )
    env.update(extra)
    return env


def standin_environment(env: dict[str, str], settings: str) -> dict[str, str]:
    """``env`` for a project whose settings module is ``tests.catalog.standin.<settings>``."""
    paths = [str(STANDIN), str(REPOSITORY), *filter(None, [env.get('PYTHONPATH')])]
    return dict(
        env,
        PYTHONPATH=os.pathsep.join(paths),
        DJANGO_SETTINGS_MODULE=f'tests.catalog.standin.{settings}',
    )


@pytest.fixture
def postgis_database() -> Iterator[Callable[[], str]]:
    """A factory of empty PostGIS databases with unique names, all dropped after the test."""
    pytest.importorskip('psycopg2')
    require_service('postgis')
    admin = connect('postgres')
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
        available = cursor.fetchone() is not None
    if not available:
        admin.close()
        message = (
            'the PostgreSQL server has no postgis extension '
            '(Debian: apt-get install postgresql-15-postgis-3)'
        )
        if os.environ.get('CI', '').lower() == 'true':
            pytest.fail(f'{message} (CI must run every test)')
        pytest.skip(message)
    created: list[str] = []

    def create() -> str:
        name = f'gp_catalog_{uuid.uuid4().hex[:12]}'
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE {name}')
        created.append(name)
        with connect(name) as connection, connection.cursor() as cursor:
            cursor.execute('CREATE EXTENSION IF NOT EXISTS postgis')
        return name

    yield create
    with admin.cursor() as cursor:
        for name in created:
            cursor.execute(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')
    admin.close()


@pytest.fixture
def geospaas_database(postgis_database) -> Callable[[], str]:
    """A factory of databases as django-geo-spaas leaves them: the reference schema, with the
    reference migration records (no rows otherwise)."""

    def create() -> str:
        _require_reference()
        name = postgis_database()
        # psql meta-commands (\restrict) are not SQL; the dump has nothing else of that kind.
        schema = '\n'.join(
            line
            for line in (REFERENCE / 'schema.sql').read_text().splitlines()
            if not line.startswith('\\')
        )
        connection = connect(name)
        with connection.cursor() as cursor:
            cursor.execute(schema)
        connection.close()
        with connect(name) as connection, connection.cursor() as cursor:
            for app, migration in reference_migrations():
                cursor.execute(
                    'INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, now())',
                    [app, migration],
                )
        return name

    return create


def python_in(env: dict[str, str], script: str):
    """Run a script with this interpreter in the repository, capturing text output."""
    import subprocess

    return subprocess.run(
        [sys.executable, '-c', script],
        env=env,
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=300,
    )
