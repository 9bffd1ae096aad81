# The first schema of django-geo-spaas's ``catalog`` app, under its migration name.
# This package's catalog migrations reproduce django-geo-spaas's (commit 094ade3) step by step,
# so that either package can migrate a database the other one created.

import django.contrib.gis.db.models.fields
import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

CASCADE = django.db.models.deletion.CASCADE
URI_SCHEMES = ['http', 'https', 'ftp', 'ftps', 'file']


def _id():
    return ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID'))


class Migration(migrations.Migration):

    initial = True

    dependencies = [('vocabularies', '0001_initial')]

    operations = [
        migrations.CreateModel(
            name='Dataset',
            fields=[
                _id(),
                ('entry_title', models.CharField(max_length=220)),
                ('summary', models.TextField()),
                ('time_coverage_start', models.DateTimeField(blank=True, null=True)),
                ('time_coverage_end', models.DateTimeField(blank=True, null=True)),
                ('access_constraints', models.CharField(blank=True, choices=[('accessLevel0', 'Limited'), ('accessLevel1', 'In-house'), ('accessLevel2', 'Public')], max_length=50, null=True)),
                ('ISO_topic_category', models.ForeignKey(on_delete=CASCADE, to='vocabularies.isotopiccategory')),
                ('data_center', models.ForeignKey(on_delete=CASCADE, to='vocabularies.datacenter')),
                ('gcmd_location', models.ForeignKey(blank=True, null=True, on_delete=CASCADE, to='vocabularies.location')),
            ],
        ),
        migrations.CreateModel(
            name='DatasetParameter',
            fields=[
                _id(),
                ('dataset', models.ForeignKey(on_delete=CASCADE, to='catalog.dataset')),
                ('parameter', models.ForeignKey(on_delete=CASCADE, to='vocabularies.parameter')),
            ],
        ),
        migrations.CreateModel(
            name='DatasetRelationship',
            fields=[
                _id(),
                ('child', models.ForeignKey(on_delete=CASCADE, related_name='parents', to='catalog.dataset')),
                ('parent', models.ForeignKey(on_delete=CASCADE, related_name='children', to='catalog.dataset')),
            ],
        ),
        migrations.CreateModel(
            name='DatasetURI',
            fields=[
                _id(),
                ('uri', models.URLField(unique=True, validators=[django.core.validators.URLValidator(schemes=URI_SCHEMES)])),
                ('dataset', models.ForeignKey(on_delete=CASCADE, to='catalog.dataset')),
            ],
        ),
        migrations.CreateModel(
            name='GeographicLocation',
            fields=[_id(), ('geometry', django.contrib.gis.db.models.fields.GeometryField(srid=4326))],
        ),
        migrations.CreateModel(
            name='Personnel',
            fields=[
                _id(),
                ('phone', models.CharField(max_length=80)),
                ('fax', models.CharField(max_length=80)),
                ('address', models.CharField(max_length=80)),
                ('city', models.CharField(max_length=80)),
                ('province_or_state', models.CharField(max_length=80)),
                ('postal_code', models.CharField(max_length=80)),
                ('country', models.CharField(max_length=80)),
            ],
            options={
                'permissions': (('accessLevel0', 'Can access all data'), ('accessLevel1', 'Can access data at own data center'), ('accessLevel2', 'Can access public data only')),
            },
        ),
        migrations.CreateModel(
            name='Role',
            fields=[
                _id(),
                ('role', models.CharField(choices=[('Investigator', 'Investigator'), ('Technical Contact', 'Technical Contact'), ('DIF Author', 'DIF Author')], max_length=20)),
                ('personnel', models.ForeignKey(on_delete=CASCADE, to='catalog.personnel')),
            ],
        ),
        migrations.CreateModel(
            name='Source',
            fields=[
                _id(),
                ('specs', models.CharField(default='', help_text='Further specifications of the source.', max_length=50)),
                ('instrument', models.ForeignKey(on_delete=CASCADE, to='vocabularies.instrument')),
                ('platform', models.ForeignKey(on_delete=CASCADE, to='vocabularies.platform')),
            ],
        ),
        migrations.AddField(
            model_name='dataset',
            name='geographic_location',
            field=models.ForeignKey(blank=True, null=True, on_delete=CASCADE, to='catalog.geographiclocation'),
        ),
        migrations.AddField(
            model_name='dataset',
            name='parameters',
            field=models.ManyToManyField(through='catalog.DatasetParameter', to='vocabularies.parameter'),
        ),
        migrations.AddField(
            model_name='dataset',
            name='source',
            field=models.ForeignKey(blank=True, null=True, on_delete=CASCADE, to='catalog.source'),
        ),
        migrations.AlterUniqueTogether(name='source', unique_together={('platform', 'instrument')}),
    ]
