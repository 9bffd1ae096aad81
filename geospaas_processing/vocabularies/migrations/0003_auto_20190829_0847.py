# django-geo-spaas's vocabularies 0003: Parameter.short_name defaults to ''.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [('vocabularies', '0002_auto_20190101_1128')]

    operations = [
        migrations.AlterField(
            model_name='parameter', name='short_name', field=models.CharField(default='', max_length=30)
        ),
    ]
