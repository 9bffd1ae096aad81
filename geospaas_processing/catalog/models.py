"""The catalog models: the project's ``catalog`` app's (GeoSPaaS's), or the package's own.

See :mod:`geospaas_processing.catalog.installed` for how the app is chosen.
"""

from geospaas_processing.catalog.installed import models_module

_models = models_module('catalog')

GeographicLocation = _models.GeographicLocation
Source = _models.Source
Personnel = _models.Personnel
Role = _models.Role
Dataset = _models.Dataset
DatasetURI = _models.DatasetURI
DatasetRelationship = _models.DatasetRelationship

__all__ = [
    'Dataset',
    'DatasetRelationship',
    'DatasetURI',
    'GeographicLocation',
    'Personnel',
    'Role',
    'Source',
]
