# django-geo-spaas's catalog 0009: Dataset.parameters through Django's own table.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('vocabularies', '0004_auto_20200331_0806'),
        ('catalog', '0008_auto_20200331_0806'),
    ]

    operations = [
        migrations.RemoveField(model_name='dataset', name='parameters'),
        migrations.DeleteModel(name='DatasetParameter'),
        migrations.AddField(model_name='dataset', name='parameters', field=models.ManyToManyField(to='vocabularies.parameter')),
    ]
