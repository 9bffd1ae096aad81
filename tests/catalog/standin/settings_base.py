"""What every stand-in project's settings share: the package's settings, GeoSPaaS's migrations."""

from geospaas_processing.settings import *  # noqa: F403

# The stand-in has no migrations of its own: see geospaas/__init__.py.
MIGRATION_MODULES = {
    'catalog': 'geospaas_processing.catalog.migrations',
    'vocabularies': 'geospaas_processing.vocabularies.migrations',
}
