# django-geo-spaas's catalog 0007: DatasetURI.name and .service.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [('catalog', '0006_auto_20190130_1442')]

    operations = [
        migrations.AddField(model_name='dataseturi', name='name', field=models.CharField(default='fileService', max_length=20)),
        migrations.AddField(model_name='dataseturi', name='service', field=models.CharField(default='local', max_length=20)),
    ]
