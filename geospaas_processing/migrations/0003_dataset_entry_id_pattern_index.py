# The pattern index on catalog_dataset.entry_id, where the database lacks it (PostgreSQL).
#
# Django creates it with a unique text column, so that ``entry_id__startswith`` (LIKE 'x%')
# can use an index whatever the collation; databases migrated by django-geo-spaas under
# Django 3.2 lost it when catalog 0010 turned the column from varchar into text. Any btree
# index on entry_id in the text_pattern_ops family (text_pattern_ops or varchar_pattern_ops)
# counts as present. SQLite has no operator classes: nothing to do there.

from django.db import migrations

_PATTERN_INDEXES = """
    SELECT count(*) FROM pg_index i
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
    JOIN pg_opclass c ON c.oid = i.indclass[0]
    JOIN pg_opfamily f ON f.oid = c.opcfamily
    WHERE t.relname = 'catalog_dataset' AND t.relnamespace = to_regnamespace(current_schema())
      AND a.attname = 'entry_id' AND f.opfname = 'text_pattern_ops'
"""


def add_pattern_index(apps, schema_editor):
    if schema_editor.connection.vendor != 'postgresql':
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(_PATTERN_INDEXES)
        (count,) = cursor.fetchone()
    if count:
        return
    # The name and operator class Django gives the index of a unique text column; written out
    # rather than taken from the migration state, which another app (GeoSPaaS's) may own.
    name = schema_editor._create_index_name('catalog_dataset', ['entry_id'], suffix='_like')
    schema_editor.execute(f'CREATE INDEX "{name}" ON catalog_dataset (entry_id text_pattern_ops)')


class Migration(migrations.Migration):

    dependencies = [
        ('geospaas_processing', '0002_processingresult_dataset_on_delete_cascade'),
        ('catalog', '0010_auto_20201019_1331'),
    ]

    operations = [migrations.RunPython(add_pattern_index, reverse_code=migrations.RunPython.noop)]
