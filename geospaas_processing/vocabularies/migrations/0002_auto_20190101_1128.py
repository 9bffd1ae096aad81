# django-geo-spaas's vocabularies 0002: longer names.

from django.db import migrations, models

_WIDENED = [
    ('datacenter', 'long_name', 250),
    ('instrument', 'long_name', 200),
    ('instrument', 'short_name', 60),
    ('parameter', 'units', 20),
    ('platform', 'long_name', 250),
    ('platform', 'short_name', 100),
    ('sciencekeyword', 'category', 50),
    ('sciencekeyword', 'term', 80),
    ('sciencekeyword', 'topic', 50),
    ('sciencekeyword', 'variable_level_1', 80),
    ('sciencekeyword', 'variable_level_2', 80),
    ('sciencekeyword', 'variable_level_3', 80),
]


class Migration(migrations.Migration):

    dependencies = [('vocabularies', '0001_initial')]

    operations = [
        migrations.AlterField(model_name=model, name=name, field=models.CharField(max_length=length))
        for model, name, length in _WIDENED
    ]
