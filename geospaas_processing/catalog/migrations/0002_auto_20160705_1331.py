# django-geo-spaas's catalog 0002: a URI is unique per dataset, not globally.

import django.core.validators
from django.db import migrations, models

from geospaas_processing.migration_operations import NAME_FOOTPRINT_SPATIAL_INDEX, RunSQLByVendor


class Migration(migrations.Migration):

    dependencies = [('catalog', '0001_initial')]

    operations = [
        # Not in GeoSPaaS's 0002: the footprints' spatial index, created at the end of 0001,
        # gets the name Django 3.2 gave it.
        RunSQLByVendor(sql=NAME_FOOTPRINT_SPATIAL_INDEX, reverse_sql={}),
        migrations.AlterField(
            model_name='dataseturi',
            name='uri',
            field=models.URLField(validators=[django.core.validators.URLValidator(schemes=['http', 'https', 'ftp', 'ftps', 'file'])]),
        ),
        migrations.AlterUniqueTogether(name='dataseturi', unique_together={('uri', 'dataset')}),
    ]
