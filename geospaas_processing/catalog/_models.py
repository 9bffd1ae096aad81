"""The package's own catalog tables, column for column those of django-geo-spaas's ``catalog``."""

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
        # As in GeoSPaaS, the constraint lives in the migration state only: the database
        # enforces it with the index ``unique_catalog_geographiclocation`` (migration 0008).
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


class Personnel(models.Model):
    """A GCMD DIF contact's address (GeoSPaaS keeps the table; this package does not use it)."""

    phone = models.CharField(max_length=80)
    fax = models.CharField(max_length=80)
    address = models.CharField(max_length=80)
    city = models.CharField(max_length=80)
    province_or_state = models.CharField(max_length=80)
    postal_code = models.CharField(max_length=80)
    country = models.CharField(max_length=80)

    class Meta:
        permissions = (
            ('accessLevel0', 'Can access all data'),
            ('accessLevel1', 'Can access data at own data center'),
            ('accessLevel2', 'Can access public data only'),
        )


class Role(models.Model):
    """The role of a Personnel entry in a GCMD DIF (GeoSPaaS keeps the table)."""

    INVESTIGATOR = 'Investigator'
    TECH_CONTACT = 'Technical Contact'
    DIF_AUTHOR = 'DIF Author'
    ROLE_CHOICES = (
        (INVESTIGATOR, INVESTIGATOR),
        (TECH_CONTACT, TECH_CONTACT),
        (DIF_AUTHOR, DIF_AUTHOR),
    )
    personnel = models.ForeignKey(Personnel, on_delete=models.CASCADE)
    role = models.CharField(max_length=20, choices=ROLE_CHOICES)


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
