"""django-geo-spaas's catalog models (fields and constraints as at commit 094ade3)."""

import uuid

from django.contrib.gis.db import models as geomodels
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from geospaas.vocabularies.models import (
    DataCenter,
    Instrument,
    ISOTopicCategory,
    Location,
    Parameter,
    Platform,
)


class GeographicLocation(geomodels.Model):
    geometry = geomodels.GeometryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(name='unique_geographic_location', fields=['geometry'])
        ]


class Source(models.Model):
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE)
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE)
    specs = models.CharField(
        max_length=50, default='', help_text='Further specifications of the source.'
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(name='unique_source', fields=['platform', 'instrument'])
        ]


class Personnel(models.Model):
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
    ROLE_CHOICES = (
        ('Investigator', 'Investigator'),
        ('Technical Contact', 'Technical Contact'),
        ('DIF Author', 'DIF Author'),
    )
    personnel = models.ForeignKey(Personnel, on_delete=models.CASCADE)
    role = models.CharField(max_length=20, choices=ROLE_CHOICES)


class Dataset(models.Model):
    ACCESS_CHOICES = (
        ('accessLevel0', 'Limited'),
        ('accessLevel1', 'In-house'),
        ('accessLevel2', 'Public'),
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


class DatasetURI(models.Model):
    name = models.CharField(max_length=20, default='fileService')
    service = models.CharField(max_length=20, default='local')
    uri = models.URLField(
        max_length=500, validators=[URLValidator(schemes=URLValidator.schemes + ['file'])]
    )
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(name='unique_dataset_uri', fields=['uri', 'dataset'])
        ]


class DatasetRelationship(models.Model):
    child = models.ForeignKey(Dataset, related_name='parents', on_delete=models.CASCADE)
    parent = models.ForeignKey(Dataset, related_name='children', on_delete=models.CASCADE)
