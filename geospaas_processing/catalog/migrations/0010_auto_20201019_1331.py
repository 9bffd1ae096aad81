# django-geo-spaas's catalog 0010: entry_id becomes text.

import uuid

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [('catalog', '0009_auto_20201012_0905')]

    operations = [
        migrations.AlterField(
            model_name='dataset',
            name='entry_id',
            field=models.TextField(default=uuid.uuid4, unique=True, validators=[django.core.validators.RegexValidator('^[0-9a-zA-Z_.-]*$', 'Only alphanumeric characters are allowed.')]),
        ),
    ]
