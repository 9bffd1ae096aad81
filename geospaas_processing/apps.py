"""Django application configuration of geospaas_processing's own models."""

from django.apps import AppConfig


class GeospaasProcessingConfig(AppConfig):
    """The ``geospaas_processing`` app, holding ``ProcessingResult``."""

    name = 'geospaas_processing'
    label = 'geospaas_processing'
    default_auto_field = 'django.db.models.AutoField'
