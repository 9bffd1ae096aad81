"""The package's settings with the migrations of its first schema (a previous version's)."""

from geospaas_processing.settings import *  # noqa: F403

MIGRATION_MODULES = {
    'catalog': 'tests.catalog.first_schema.migrations.catalog',
    'vocabularies': 'tests.catalog.first_schema.migrations.vocabularies',
    'geospaas_processing': 'tests.catalog.first_schema.migrations.geospaas_processing',
}
