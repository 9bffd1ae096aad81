# django-geo-spaas's catalog 0002: a URI is unique per dataset, not globally.

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [('catalog', '0001_initial')]

    operations = [
        migrations.AlterField(
            model_name='dataseturi',
            name='uri',
            field=models.URLField(validators=[django.core.validators.URLValidator(schemes=['http', 'https', 'ftp', 'ftps', 'file'])]),
        ),
        migrations.AlterUniqueTogether(name='dataseturi', unique_together={('uri', 'dataset')}),
    ]
