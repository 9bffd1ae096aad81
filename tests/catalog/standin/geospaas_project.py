"""A Django project installing GeoSPaaS's apps and geospaas_processing."""

from tests.catalog.standin.settings_base import *  # noqa: F403

INSTALLED_APPS = [
    'django.contrib.gis',
    'geospaas.vocabularies',
    'geospaas.catalog',
    'geospaas_processing',
]
