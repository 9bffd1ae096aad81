"""The package's own GCMD keyword tables, column for column django-geo-spaas's ``vocabularies``."""

from __future__ import annotations

from django.db import models


class Platform(models.Model):
    """A GCMD platform (satellite, ship, buoy, model...)."""

    category = models.CharField(max_length=100)
    series_entity = models.CharField(max_length=100)
    short_name = models.CharField(max_length=100)
    long_name = models.CharField(max_length=250)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                name='unique_platform',
                fields=['category', 'series_entity', 'short_name', 'long_name'],
            )
        ]

    def __str__(self) -> str:
        return str(self.short_name)


class Instrument(models.Model):
    """A GCMD instrument (radiometer, SAR, altimeter, model...)."""

    category = models.CharField(max_length=100)
    instrument_class = models.CharField(max_length=100)
    type = models.CharField(max_length=100)
    subtype = models.CharField(max_length=100)
    short_name = models.CharField(max_length=60)
    long_name = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                name='unique_instrument',
                fields=[
                    'category',
                    'instrument_class',
                    'type',
                    'subtype',
                    'short_name',
                    'long_name',
                ],
            )
        ]

    def __str__(self) -> str:
        return str(self.short_name)


class ISOTopicCategory(models.Model):
    """An ISO 19115 topic category, e.g. ``Oceans``."""

    name = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(name='unique_iso_topic_category', fields=['name'])]

    def __str__(self) -> str:
        return str(self.name)


class DataCenter(models.Model):
    """A GCMD data center (provider), e.g. ``NERSC``."""

    bucket_level0 = models.CharField(max_length=200)
    bucket_level1 = models.CharField(max_length=200)
    bucket_level2 = models.CharField(max_length=200)
    bucket_level3 = models.CharField(max_length=200)
    short_name = models.CharField(max_length=50)
    long_name = models.CharField(max_length=250)
    data_center_url = models.URLField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                name='unique_data_center',
                fields=[
                    'bucket_level0',
                    'bucket_level1',
                    'bucket_level2',
                    'bucket_level3',
                    'short_name',
                    'long_name',
                    'data_center_url',
                ],
            )
        ]

    def __str__(self) -> str:
        return str(self.short_name)


class Location(models.Model):
    """A GCMD location keyword, e.g. ``OCEAN > ATLANTIC OCEAN``."""

    category = models.CharField(max_length=50)
    type = models.CharField(max_length=50)
    subregion1 = models.CharField(max_length=50)
    subregion2 = models.CharField(max_length=50)
    subregion3 = models.CharField(max_length=50)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                name='unique_location',
                fields=['category', 'type', 'subregion1', 'subregion2', 'subregion3'],
            )
        ]

    def __str__(self) -> str:
        return f'{self.subregion2} {self.subregion3}'.strip()


class ScienceKeyword(models.Model):
    """A GCMD science keyword, the generic counterpart of a CF standard name."""

    category = models.CharField(max_length=50)
    topic = models.CharField(max_length=50)
    term = models.CharField(max_length=80)
    variable_level_1 = models.CharField(max_length=80)
    variable_level_2 = models.CharField(max_length=80)
    variable_level_3 = models.CharField(max_length=80)
    detailed_variable = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                name='unique_science_keyword',
                fields=[
                    'category',
                    'topic',
                    'term',
                    'variable_level_1',
                    'variable_level_2',
                    'variable_level_3',
                    'detailed_variable',
                ],
            )
        ]

    def __str__(self) -> str:
        return str(self.detailed_variable or self.term)


class Parameter(models.Model):
    """A geophysical parameter: CF standard name, short name and units."""

    standard_name = models.CharField(max_length=300)
    short_name = models.CharField(max_length=50, default='')
    units = models.CharField(max_length=20)
    gcmd_science_keyword = models.ForeignKey(
        ScienceKeyword, blank=True, null=True, on_delete=models.CASCADE
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                name='unique_parameter',
                fields=['standard_name', 'short_name', 'units', 'gcmd_science_keyword'],
            )
        ]

    def __str__(self) -> str:
        return str(self.standard_name)


class Project(models.Model):
    """A GCMD project keyword (bucket, short and long name)."""

    bucket = models.CharField(max_length=6)
    short_name = models.CharField(max_length=80)
    long_name = models.CharField(max_length=220)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                name='unique_project', fields=['bucket', 'short_name', 'long_name']
            )
        ]

    def __str__(self) -> str:
        return str(self.short_name)


class _DataResolution(models.Model):
    """A GCMD data resolution range (horizontal, vertical or temporal)."""

    range = models.CharField(max_length=220)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.range)


class HorizontalDataResolution(_DataResolution):
    """A GCMD horizontal data resolution range, e.g. ``1 km - < 10 km``."""

    class Meta:
        constraints = [
            models.UniqueConstraint(name='unique_horizontal_data_resolution', fields=['range'])
        ]


class VerticalDataResolution(_DataResolution):
    """A GCMD vertical data resolution range."""

    class Meta:
        constraints = [
            models.UniqueConstraint(name='unique_vertical_data_resolution', fields=['range'])
        ]


class TemporalDataResolution(_DataResolution):
    """A GCMD temporal data resolution range, e.g. ``Daily - < Weekly``."""

    class Meta:
        constraints = [
            models.UniqueConstraint(name='unique_temporal_data_resolution', fields=['range'])
        ]
