# django-geo-spaas's catalog 0008: named unique constraints, and unique footprints.
#
# Footprints are unique the way GeoSPaaS makes them unique, which the migration state records
# as the constraint ``unique_geographic_location`` but the database holds as the unique index
# ``unique_catalog_geographiclocation``:
# - PostGIS: on md5(ST_AsBinary(geometry)), since a btree entry of a whole geometry is limited
#   to 2704 bytes and large footprints would not fit;
# - SpatiaLite: on the geometry column itself (SQLite has no md5(); its btree entries have no
#   such size limit, so the whole geometry blob is the key).

from django.db import migrations, models

from geospaas_processing.migration_operations import (
    DROP_FOOTPRINT_UNIQUE_INDEX,
    FOOTPRINT_UNIQUE_INDEX,
    RunSQLByVendor,
)


class Migration(migrations.Migration):

    dependencies = [('catalog', '0007_auto_20190626_1313')]

    operations = [
        migrations.AlterUniqueTogether(name='dataseturi', unique_together=set()),
        migrations.AlterUniqueTogether(name='source', unique_together=set()),
        migrations.AddConstraint(
            model_name='dataseturi',
            constraint=models.UniqueConstraint(fields=('uri', 'dataset'), name='unique_dataset_uri'),
        ),
        RunSQLByVendor(
            sql=FOOTPRINT_UNIQUE_INDEX,
            reverse_sql=DROP_FOOTPRINT_UNIQUE_INDEX,
            state_operations=[
                migrations.AddConstraint(
                    model_name='geographiclocation',
                    constraint=models.UniqueConstraint(fields=('geometry',), name='unique_geographic_location'),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name='source',
            constraint=models.UniqueConstraint(fields=('platform', 'instrument'), name='unique_source'),
        ),
    ]
