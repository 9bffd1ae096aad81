"""Bring up Django and the catalog database from a plain script, CLI or worker.

``setup()`` is what every front door calls first: it configures Django with
:mod:`geospaas_processing.settings` unless the caller already chose settings,
checks the geospatial libraries and the database, and creates the embedded
SpatiaLite catalog on first use. Each failure becomes one
:class:`~geospaas_processing.errors.ConfigurationError` naming the cause and
the fix, instead of a Django traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from geospaas_processing import config
from geospaas_processing.errors import ConfigurationError

SETTINGS_MODULE = 'geospaas_processing.settings'

_APT_HINT = (
    'on Debian/Ubuntu: apt-get install gdal-bin libgeos-c1v5 proj-bin libsqlite3-mod-spatialite'
)


def setup(migrate: bool = True, create: bool = False) -> None:
    """Configure Django and make sure the catalog database is usable.

    A SpatiaLite catalog file is created on first use only at the default location;
    a file named by ``GEOSPAAS_DB_PATH`` must exist (a mistyped path must not become
    a new empty catalog) unless ``create`` is true, as for ``init-db``.

    Args:
        migrate: create or update the embedded SpatiaLite catalog's tables when
            needed. A PostGIS catalog is never migrated implicitly: run
            ``geospaas-processing init-db`` for that.
        create: create the SpatiaLite file at ``GEOSPAAS_DB_PATH`` when missing.

    Raises:
        ConfigurationError: a library is missing, the database is unreachable
            or the SpatiaLite file cannot be written.
    """
    import django
    from django.apps import apps

    os.environ.setdefault('DJANGO_SETTINGS_MODULE', SETTINGS_MODULE)
    if apps.ready:
        return
    _check_geospatial_libraries()
    if not config.uses_postgis() and _uses_package_settings():
        _check_spatialite_path(config.spatialite_path(), create)
    django.setup()
    check_connection()
    if migrate and not config.uses_postgis() and _uses_package_settings():
        migrate_catalog(quiet=True)


def _uses_package_settings() -> bool:
    return os.environ.get('DJANGO_SETTINGS_MODULE') == SETTINGS_MODULE


def _check_geospatial_libraries() -> None:
    # Costs nothing of its own: django.setup() imports django.contrib.gis.gdal and .geos
    # anyway (the catalog's geometry fields need them), so the check only moves that import
    # earlier, where a missing library gives one clear message instead of a traceback.
    try:
        from django.contrib.gis import gdal, geos

        gdal.gdal_version()
        geos.geos_version()
    except Exception as exc:  # ctypes raises OSError, Django ImproperlyConfigured
        raise ConfigurationError(
            f'the GDAL/GEOS libraries GeoDjango needs could not be loaded ({exc}); '
            f'install them ({_APT_HINT}) or set GDAL_LIBRARY_PATH/GEOS_LIBRARY_PATH'
        ) from exc


def _check_spatialite_path(path: Path, create: bool) -> None:
    if config.spatialite_path_is_explicit() and not create and not path.exists():
        raise ConfigurationError(
            f'the catalog {path} named by GEOSPAAS_DB_PATH does not exist; check the path, '
            'or create the catalog there with "geospaas-processing init-db"'
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(
            f'cannot create the directory of the SpatiaLite catalog {path} ({exc.strerror}); '
            'set GEOSPAAS_DB_PATH to a writable file path'
        ) from exc
    writable_target = path if path.exists() else path.parent
    if not os.access(writable_target, os.W_OK):
        raise ConfigurationError(
            f'the SpatiaLite catalog {path} is not writable; '
            'set GEOSPAAS_DB_PATH to a writable file path'
        )


def check_connection() -> None:
    """Open a connection to the catalog database, or raise a ConfigurationError saying why not."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError, connection

    try:
        connection.ensure_connection()
    except ImproperlyConfigured as exc:
        raise ConfigurationError(
            f'the catalog database backend could not be loaded ({exc}); for SpatiaLite '
            f'install it ({_APT_HINT}) and use a Python whose sqlite3 module can load '
            "extensions (Debian's python3 can); for PostGIS: pip install psycopg2-binary"
        ) from exc
    except DatabaseError as exc:
        raise ConfigurationError(_describe_database_error(exc)) from exc
    except AttributeError as exc:  # sqlite3 built without enable_load_extension
        raise ConfigurationError(
            "this Python's sqlite3 module cannot load extensions, which SpatiaLite needs; "
            "use Debian's python3 (apt-get install python3 python3-venv) or configure "
            'PostGIS with GEOSPAAS_DB_HOST'
        ) from exc


def _describe_database_error(exc: Exception) -> str:
    if config.uses_postgis():
        where = config.postgis_address()
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return (
            f'cannot connect to the PostGIS catalog {where}: {reason}; check that the '
            'server runs and the GEOSPAAS_DB_* variables are right'
        )
    return (
        f'cannot open the SpatiaLite catalog {config.spatialite_path()}: {exc}; '
        'set GEOSPAAS_DB_PATH to a writable file path'
    )


def migrate_catalog(quiet: bool = False, fake_initial: bool = False) -> None:
    """Create or update the catalog's tables; ``fake_initial`` adopts an existing GeoSPaaS schema.

    A catalog made by this package's first schema is first brought onto django-geo-spaas's
    migration history (:mod:`geospaas_processing.catalog.first_schema`). Concurrent callers
    on one host are serialised with a file lock, so two processes starting on a fresh
    SpatiaLite file do not both create tables.
    """
    from django.core.management import call_command
    from filelock import FileLock

    from geospaas_processing.catalog.first_schema import upgrade_first_schema

    lock_path = config.locks_dir() / 'migrate.lock'
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(lock_path)):
        if quiet and not _has_unapplied_migrations():
            return
        upgrade_first_schema()
        call_command(
            'migrate', interactive=False, fake_initial=fake_initial, verbosity=0 if quiet else 1
        )


def _has_unapplied_migrations() -> bool:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
