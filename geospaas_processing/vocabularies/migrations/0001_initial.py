# The first schema of django-geo-spaas's ``vocabularies`` app, under its migration name.
# This package's vocabularies migrations reproduce django-geo-spaas's (commit 094ade3) step by
# step, so that either package can migrate a database the other one created.

import django.db.models.deletion
from django.db import migrations, models


def _id():
    return ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID'))


def _char(length):
    return models.CharField(max_length=length)


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name='DataCenter',
            fields=[
                _id(),
                ('bucket_level0', _char(200)),
                ('bucket_level1', _char(200)),
                ('bucket_level2', _char(200)),
                ('bucket_level3', _char(200)),
                ('short_name', _char(50)),
                ('long_name', _char(200)),
                ('data_center_url', models.URLField()),
            ],
        ),
        migrations.CreateModel(name='HorizontalDataResolution', fields=[_id(), ('range', _char(220))]),
        migrations.CreateModel(
            name='Instrument',
            fields=[
                _id(),
                ('category', _char(100)),
                ('instrument_class', _char(100)),
                ('type', _char(100)),
                ('subtype', _char(100)),
                ('short_name', _char(20)),
                ('long_name', _char(100)),
            ],
        ),
        migrations.CreateModel(name='ISOTopicCategory', fields=[_id(), ('name', _char(100))]),
        migrations.CreateModel(
            name='Location',
            fields=[
                _id(),
                ('category', _char(50)),
                ('type', _char(50)),
                ('subregion1', _char(50)),
                ('subregion2', _char(50)),
                ('subregion3', _char(50)),
            ],
        ),
        migrations.CreateModel(
            name='Parameter',
            fields=[_id(), ('standard_name', _char(300)), ('short_name', _char(30)), ('units', _char(10))],
        ),
        migrations.CreateModel(
            name='Platform',
            fields=[
                _id(),
                ('category', _char(100)),
                ('series_entity', _char(100)),
                ('short_name', _char(50)),
                ('long_name', _char(100)),
            ],
        ),
        migrations.CreateModel(
            name='Project',
            fields=[_id(), ('bucket', _char(6)), ('short_name', _char(80)), ('long_name', _char(220))],
        ),
        migrations.CreateModel(
            name='ScienceKeyword',
            fields=[
                _id(),
                ('category', _char(30)),
                ('topic', _char(30)),
                ('term', _char(30)),
                ('variable_level_1', _char(30)),
                ('variable_level_2', _char(30)),
                ('variable_level_3', _char(30)),
                ('detailed_variable', _char(80)),
            ],
        ),
        migrations.CreateModel(name='TemporalDataResolution', fields=[_id(), ('range', _char(220))]),
        migrations.CreateModel(name='VerticalDataResolution', fields=[_id(), ('range', _char(220))]),
        migrations.AddField(
            model_name='parameter',
            name='gcmd_science_keyword',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='vocabularies.sciencekeyword'),
        ),
    ]
