# django-geo-spaas's catalog 0004: a fresh UUID as the entry_id of every existing dataset.

import uuid

from django.db import migrations


def give_each_dataset_an_entry_id(apps, schema_editor):
    dataset_model = apps.get_model('catalog', 'Dataset')
    for dataset in dataset_model.objects.all():
        dataset.entry_id = uuid.uuid4()
        dataset.save(update_fields=['entry_id'])


class Migration(migrations.Migration):

    dependencies = [('catalog', '0003_dataset_entry_id')]

    operations = [migrations.RunPython(give_each_dataset_an_entry_id, reverse_code=migrations.RunPython.noop)]
