"""Catalog tables, column for column those of django-geo-spaas's ``catalog`` app."""

from __future__ import annotations

import os
import uuid

from django.contrib.gis.db import models as geomodels
from django.core.validators import RegexValidator, URLValidator
from django.db import models

from geospaas_processing.catalog.services import FILE_SERVICE_NAME, LOCAL_FILE_SERVICE
from geospaas_processing.vocabularies.models import (
    DataCenter,
    Instrument,
    ISOTopicCategory,
    Location,
    Parameter,
    Platform,
)


class GeographicLocation(geomodels.Model):
    """A footprint geometry (WGS 84), shared by the datasets that cover the same area."""

    geometry = geomodels.GeometryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(name='unique_geographic_location', fields=['geometry'])
        ]

    def __str__(self) -> str:
        return str(self.geometry.geom_type)


class Source(models.Model):
    """The platform and instrument that produced a dataset."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE)
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE)
    specs = models.CharField(
        max_length=50, default='', help_text='Further specifications of the source.'
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(name='unique_source', fields=['platform', 'instrument'])
        ]

    def __str__(self) -> str:
        return f'{self.platform}/{self.instrument}'


class Dataset(models.Model):
    """A dataset described with the GCMD DIF fields GeoSPaaS indexes."""

    ACCESS_LEVEL0 = 'accessLevel0'
    ACCESS_LEVEL1 = 'accessLevel1'
    ACCESS_LEVEL2 = 'accessLevel2'
    ACCESS_CHOICES = (
        (ACCESS_LEVEL0, 'Limited'),
        (ACCESS_LEVEL1, 'In-house'),
        (ACCESS_LEVEL2, 'Public'),
    )

    entry_id = models.TextField(
        unique=True,
        default=uuid.uuid4,
        validators=[
            RegexValidator(r'^[0-9a-zA-Z_.-]*$', 'Only alphanumeric characters are allowed.')
        ],
    )
    entry_title = models.CharField(max_length=220)
    parameters = models.ManyToManyField(Parameter)
    ISO_topic_category = models.ForeignKey(ISOTopicCategory, on_delete=models.CASCADE)
    data_center = models.ForeignKey(DataCenter, on_delete=models.CASCADE)
    summary = models.TextField()
    source = models.ForeignKey(Source, blank=True, null=True, on_delete=models.CASCADE)
    time_coverage_start = models.DateTimeField(blank=True, null=True)
    time_coverage_end = models.DateTimeField(blank=True, null=True)
    geographic_location = models.ForeignKey(
        GeographicLocation, blank=True, null=True, on_delete=models.CASCADE
    )
    gcmd_location = models.ForeignKey(Location, blank=True, null=True, on_delete=models.CASCADE)
    access_constraints = models.CharField(
        max_length=50, choices=ACCESS_CHOICES, blank=True, null=True
    )

    def __str__(self) -> str:
        return str(self.entry_id)


class DatasetURI(models.Model):
    """Where a dataset's file is reachable: a URI and the service serving it."""

    name = models.CharField(max_length=20, default=FILE_SERVICE_NAME)
    service = models.CharField(max_length=20, default=LOCAL_FILE_SERVICE)
    uri = models.URLField(
        max_length=500, validators=[URLValidator(schemes=URLValidator.schemes + ['file'])]
    )
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(name='unique_dataset_uri', fields=['uri', 'dataset'])
        ]

    def __str__(self) -> str:
        return f'{self.dataset}: {os.path.basename(self.uri)}'

    def protocol(self) -> str:
        """The URI's scheme, e.g. ``https``."""
        return self.uri.split(':', 1)[0]


class DatasetRelationship(models.Model):
    """A parent/child link between two datasets (e.g. a product and its source)."""

    child = models.ForeignKey(Dataset, related_name='parents', on_delete=models.CASCADE)
    parent = models.ForeignKey(Dataset, related_name='children', on_delete=models.CASCADE)
