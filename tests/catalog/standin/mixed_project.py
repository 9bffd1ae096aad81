"""A misconfigured project: GeoSPaaS's catalog with geospaas_processing's vocabularies."""

from tests.catalog.standin.settings_base import *  # noqa: F403

INSTALLED_APPS = [
    'django.contrib.gis',
    'geospaas_processing.vocabularies',
    'geospaas.catalog',
    'geospaas_processing',
]
