"""Django application configuration of the catalog."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """The ``catalog`` app: same label and tables as GeoSPaaS's."""

    name = 'geospaas_processing.catalog'
    label = 'catalog'
    default_auto_field = 'django.db.models.AutoField'
