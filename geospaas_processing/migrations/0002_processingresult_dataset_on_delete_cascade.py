# ProcessingResult.dataset gets ON DELETE CASCADE in the database itself.
#
# django-geo-spaas does not know ProcessingResult: when it deletes a dataset, Django's ORM
# cascade cannot reach the results, and the deferred foreign key check would refuse the whole
# deletion. The database now deletes the results with their dataset. This package's ORM still
# cascades as before (on_delete=CASCADE in the model), so the migration state does not change.
# Django 5.2 cannot express a database-level ON DELETE in a model, hence the SQL here; a later
# AlterField of this foreign key would have to keep the clause.

from django.db import migrations

TABLE = 'geospaas_processing_processingresult'


def _foreign_keys_to_dataset(schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    return [
        name
        for name, details in constraints.items()
        if details['foreign_key'] and details['columns'] == ['dataset_id']
    ]


def _postgresql(schema_editor, on_delete):
    for name in _foreign_keys_to_dataset(schema_editor):
        schema_editor.execute(f'ALTER TABLE {TABLE} DROP CONSTRAINT "{name}"')
        schema_editor.execute(
            f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" FOREIGN KEY (dataset_id) '
            f'REFERENCES catalog_dataset (id){on_delete} DEFERRABLE INITIALLY DEFERRED'
        )


def _sqlite(schema_editor, on_delete):
    # SQLite cannot alter a foreign key: rebuild the table from its own definition.
    # (Django runs SQLite migrations with foreign key enforcement off.)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE])
        (table_sql,) = cursor.fetchone()
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
            [TABLE],
        )
        index_sqls = [row[0] for row in cursor.fetchall()]
    reference = 'REFERENCES "catalog_dataset" ("id")'
    start = table_sql.index(reference) + len(reference)
    end = table_sql.index('DEFERRABLE', start)
    new_sql = table_sql[:start] + on_delete + ' ' + table_sql[end:]
    temporary = f'{TABLE}__new'
    schema_editor.execute(new_sql.replace(f'"{TABLE}"', f'"{temporary}"', 1))
    schema_editor.execute(f'INSERT INTO "{temporary}" SELECT * FROM "{TABLE}"')
    schema_editor.execute(f'DROP TABLE "{TABLE}"')
    schema_editor.execute(f'ALTER TABLE "{temporary}" RENAME TO "{TABLE}"')
    for index_sql in index_sqls:
        schema_editor.execute(index_sql)


def _set_on_delete(schema_editor, on_delete):
    vendor = schema_editor.connection.vendor
    if vendor == 'postgresql':
        _postgresql(schema_editor, on_delete)
    elif vendor == 'sqlite':
        _sqlite(schema_editor, on_delete)


def cascade(apps, schema_editor):
    _set_on_delete(schema_editor, ' ON DELETE CASCADE')


def no_action(apps, schema_editor):
    _set_on_delete(schema_editor, '')


class Migration(migrations.Migration):

    dependencies = [('geospaas_processing', '0001_initial')]

    operations = [migrations.RunPython(cascade, reverse_code=no_action)]
