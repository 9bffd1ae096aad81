"""The GCMD vocabulary models: the project's ``vocabularies`` app's (GeoSPaaS's), or the own.

See :mod:`geospaas_processing.catalog.installed` for how the app is chosen.
"""

from geospaas_processing.catalog.installed import models_module

_models = models_module('vocabularies')

Platform = _models.Platform
Instrument = _models.Instrument
ISOTopicCategory = _models.ISOTopicCategory
DataCenter = _models.DataCenter
Location = _models.Location
ScienceKeyword = _models.ScienceKeyword
Parameter = _models.Parameter
Project = _models.Project
HorizontalDataResolution = _models.HorizontalDataResolution
VerticalDataResolution = _models.VerticalDataResolution
TemporalDataResolution = _models.TemporalDataResolution

__all__ = [
    'DataCenter',
    'HorizontalDataResolution',
    'ISOTopicCategory',
    'Instrument',
    'Location',
    'Parameter',
    'Platform',
    'Project',
    'ScienceKeyword',
    'TemporalDataResolution',
    'VerticalDataResolution',
]
