"""django-geo-spaas on its own, as a deployment runs it: it knows nothing of geospaas_processing."""

from tests.catalog.standin.settings_base import *  # noqa: F403

INSTALLED_APPS = ['django.contrib.gis', 'geospaas.vocabularies', 'geospaas.catalog']
