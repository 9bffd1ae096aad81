"""Django settings built from the environment: PostGIS when configured, SpatiaLite otherwise.

Use it with ``DJANGO_SETTINGS_MODULE=geospaas_processing.settings`` (the default
that :func:`geospaas_processing.setup` sets), or import its values into a
deployment's own settings module. A deployment that installs django-geo-spaas's
``geospaas.vocabularies`` and ``geospaas.catalog`` lists those instead of this
package's two catalog apps, keeping ``geospaas_processing``: the package then uses
GeoSPaaS's models (see :mod:`geospaas_processing.catalog.installed`).
"""

from __future__ import annotations

import importlib.util
import os
import tempfile

from geospaas_processing import config

SECRET_KEY = 'geospaas-processing-has-no-web-views-so-this-key-signs-nothing'
DEBUG = False
USE_TZ = True
TIME_ZONE = 'UTC'
DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'

INSTALLED_APPS = [
    'django.contrib.gis',
    'geospaas_processing.vocabularies',
    'geospaas_processing.catalog',
    'geospaas_processing',
]
if importlib.util.find_spec('django_celery_results') is not None:
    INSTALLED_APPS.append('django_celery_results')


def _database() -> dict:
    if config.uses_postgis():
        return {
            'ENGINE': 'django.contrib.gis.db.backends.postgis',
            'HOST': config.get('GEOSPAAS_DB_HOST'),
            'PORT': config.get('GEOSPAAS_DB_PORT'),
            'NAME': config.get('GEOSPAAS_DB_NAME'),
            'USER': config.get('GEOSPAAS_DB_USER'),
            'PASSWORD': config.get('GEOSPAAS_DB_PASSWORD') or '',
            'CONN_MAX_AGE': 0,
            'OPTIONS': {'connect_timeout': 10},
            # One test database per test run, so that concurrent runs do not collide.
            'TEST': {'NAME': f'test_{config.get("GEOSPAAS_DB_NAME")}_{os.getpid()}'},
        }
    return {
        'ENGINE': 'django.contrib.gis.db.backends.spatialite',
        'NAME': str(config.spatialite_path()),
        # Several processes (a CLI and a worker) may write; wait rather than fail at once.
        'OPTIONS': {'timeout': 30},
        # A file, not memory: tests run the CLIs and workers in other processes.
        'TEST': {
            'NAME': os.path.join(
                tempfile.gettempdir(), f'geospaas_processing_test_{os.getpid()}.sqlite3'
            )
        },
    }


DATABASES = {'default': _database()}

# None (unset): GeoDjango looks the libraries up by their usual names.
GDAL_LIBRARY_PATH = config.get('GDAL_LIBRARY_PATH')
GEOS_LIBRARY_PATH = config.get('GEOS_LIBRARY_PATH')
SPATIALITE_LIBRARY_PATH = config.get('SPATIALITE_LIBRARY_PATH')

# Debian 12 ships GDAL 3.6; the warning is about untrusted spatial references in
# web input, which this package does not take.
SILENCED_SYSTEM_CHECKS = ['gis.W001']
