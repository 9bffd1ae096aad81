"""A misconfigured project: geospaas_processing without any ``catalog`` app."""

from tests.catalog.standin.settings_base import *  # noqa: F403

INSTALLED_APPS = ['django.contrib.gis', 'geospaas_processing.vocabularies', 'geospaas_processing']
