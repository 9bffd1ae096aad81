"""Django application configuration of the vocabularies."""

from django.apps import AppConfig


class VocabulariesConfig(AppConfig):
    """The ``vocabularies`` app: same label and tables as GeoSPaaS's."""

    name = 'geospaas_processing.vocabularies'
    label = 'vocabularies'
    default_auto_field = 'django.db.models.AutoField'
