# django-geo-spaas's catalog 0003: Dataset.entry_id, nullable until filled in by 0004.

import uuid

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [('catalog', '0002_auto_20160705_1331')]

    operations = [
        migrations.AddField(
            model_name='dataset',
            name='entry_id',
            field=models.CharField(default=uuid.uuid4, max_length=80, null=True, validators=[django.core.validators.RegexValidator('^[0-9a-zA-Z_.-]*$', 'Only alphanumeric characters are allowed.')]),
        ),
    ]
