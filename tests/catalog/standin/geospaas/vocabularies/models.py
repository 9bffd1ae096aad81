"""django-geo-spaas's vocabulary models (fields and constraints as at commit 094ade3)."""

from django.db import models


def _unique(name, *fields):
    return [models.UniqueConstraint(name=name, fields=list(fields))]


class Platform(models.Model):
    category = models.CharField(max_length=100)
    series_entity = models.CharField(max_length=100)
    short_name = models.CharField(max_length=100)
    long_name = models.CharField(max_length=250)

    class Meta:
        constraints = _unique(
            'unique_platform', 'category', 'series_entity', 'short_name', 'long_name'
        )


class Instrument(models.Model):
    category = models.CharField(max_length=100)
    instrument_class = models.CharField(max_length=100)
    type = models.CharField(max_length=100)
    subtype = models.CharField(max_length=100)
    short_name = models.CharField(max_length=60)
    long_name = models.CharField(max_length=200)

    class Meta:
        constraints = _unique(
            'unique_instrument',
            'category',
            'instrument_class',
            'type',
            'subtype',
            'short_name',
            'long_name',
        )


class ISOTopicCategory(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        constraints = _unique('unique_iso_topic_category', 'name')


class DataCenter(models.Model):
    bucket_level0 = models.CharField(max_length=200)
    bucket_level1 = models.CharField(max_length=200)
    bucket_level2 = models.CharField(max_length=200)
    bucket_level3 = models.CharField(max_length=200)
    short_name = models.CharField(max_length=50)
    long_name = models.CharField(max_length=250)
    data_center_url = models.URLField()

    class Meta:
        constraints = _unique(
            'unique_data_center',
            'bucket_level0',
            'bucket_level1',
            'bucket_level2',
            'bucket_level3',
            'short_name',
            'long_name',
            'data_center_url',
        )


class Location(models.Model):
    category = models.CharField(max_length=50)
    type = models.CharField(max_length=50)
    subregion1 = models.CharField(max_length=50)
    subregion2 = models.CharField(max_length=50)
    subregion3 = models.CharField(max_length=50)

    class Meta:
        constraints = _unique(
            'unique_location', 'category', 'type', 'subregion1', 'subregion2', 'subregion3'
        )


class ScienceKeyword(models.Model):
    category = models.CharField(max_length=50)
    topic = models.CharField(max_length=50)
    term = models.CharField(max_length=80)
    variable_level_1 = models.CharField(max_length=80)
    variable_level_2 = models.CharField(max_length=80)
    variable_level_3 = models.CharField(max_length=80)
    detailed_variable = models.CharField(max_length=80)

    class Meta:
        constraints = _unique(
            'unique_science_keyword',
            'category',
            'topic',
            'term',
            'variable_level_1',
            'variable_level_2',
            'variable_level_3',
            'detailed_variable',
        )


class Project(models.Model):
    bucket = models.CharField(max_length=6)
    short_name = models.CharField(max_length=80)
    long_name = models.CharField(max_length=220)

    class Meta:
        constraints = _unique('unique_project', 'bucket', 'short_name', 'long_name')


class HorizontalDataResolution(models.Model):
    range = models.CharField(max_length=220)

    class Meta:
        constraints = _unique('unique_horizontal_data_resolution', 'range')


class VerticalDataResolution(models.Model):
    range = models.CharField(max_length=220)

    class Meta:
        constraints = _unique('unique_vertical_data_resolution', 'range')


class TemporalDataResolution(models.Model):
    range = models.CharField(max_length=220)

    class Meta:
        constraints = _unique('unique_temporal_data_resolution', 'range')


class Parameter(models.Model):
    standard_name = models.CharField(max_length=300)
    short_name = models.CharField(max_length=50, default='')
    units = models.CharField(max_length=20)
    gcmd_science_keyword = models.ForeignKey(
        ScienceKeyword, blank=True, null=True, on_delete=models.CASCADE
    )

    class Meta:
        constraints = _unique(
            'unique_parameter', 'standard_name', 'short_name', 'units', 'gcmd_science_keyword'
        )
