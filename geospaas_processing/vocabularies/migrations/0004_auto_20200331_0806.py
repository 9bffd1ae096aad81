# django-geo-spaas's vocabularies 0004: the named unique constraints.

from django.db import migrations, models

_UNIQUE = [
    ('datacenter', 'unique_data_center', ('bucket_level0', 'bucket_level1', 'bucket_level2', 'bucket_level3', 'short_name', 'long_name', 'data_center_url')),
    ('horizontaldataresolution', 'unique_horizontal_data_resolution', ('range',)),
    ('instrument', 'unique_instrument', ('category', 'instrument_class', 'type', 'subtype', 'short_name', 'long_name')),
    ('isotopiccategory', 'unique_iso_topic_category', ('name',)),
    ('location', 'unique_location', ('category', 'type', 'subregion1', 'subregion2', 'subregion3')),
    ('parameter', 'unique_parameter', ('standard_name', 'short_name', 'units', 'gcmd_science_keyword')),
    ('platform', 'unique_platform', ('category', 'series_entity', 'short_name', 'long_name')),
    ('project', 'unique_project', ('bucket', 'short_name', 'long_name')),
    ('sciencekeyword', 'unique_science_keyword', ('category', 'topic', 'term', 'variable_level_1', 'variable_level_2', 'variable_level_3', 'detailed_variable')),
    ('temporaldataresolution', 'unique_temporal_data_resolution', ('range',)),
    ('verticaldataresolution', 'unique_vertical_data_resolution', ('range',)),
]


class Migration(migrations.Migration):

    dependencies = [('vocabularies', '0003_auto_20190829_0847')]

    operations = [
        migrations.AddConstraint(model_name=model, constraint=models.UniqueConstraint(fields=fields, name=name))
        for model, name, fields in _UNIQUE
    ]
