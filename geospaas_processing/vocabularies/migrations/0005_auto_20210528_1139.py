# django-geo-spaas's vocabularies 0005: Parameter.short_name up to 50 characters.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [('vocabularies', '0004_auto_20200331_0806')]

    operations = [
        migrations.AlterField(
            model_name='parameter', name='short_name', field=models.CharField(default='', max_length=50)
        ),
    ]
