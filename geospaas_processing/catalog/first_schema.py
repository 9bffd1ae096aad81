"""Bring a catalog made by this package's first schema onto django-geo-spaas's history.

The first versions of geospaas_processing created the ``catalog`` and ``vocabularies``
tables with one migration each (``0001_initial``), recording that name only. Those tables
already had GeoSPaaS's columns, but six GeoSPaaS tables were missing (``catalog_personnel``,
``catalog_role``, ``vocabularies_project`` and the three data-resolution vocabularies), the
footprints were unique through ``UNIQUE (geometry)`` instead of GeoSPaaS's md5 index, and
GeoSPaaS's later migrations could not run on them. Now that the apps carry GeoSPaaS's
migrations under GeoSPaaS's names, such a database is recognised (``0001_initial`` applied,
the next migration not, the app's GeoSPaaS-only table absent) and brought to GeoSPaaS's end
state: the missing tables are created, the footprint index replaced, and GeoSPaaS's later
migrations recorded as applied, since the tables already are what they produce.
"""

from __future__ import annotations

from geospaas_processing.migration_operations import (
    FOOTPRINT_UNIQUE_INDEX,
    NAME_FOOTPRINT_SPATIAL_INDEX,
)

# Per app: the table that only GeoSPaaS's schema has.
_GEOSPAAS_ONLY_TABLE = {'vocabularies': 'vocabularies_project', 'catalog': 'catalog_personnel'}


def upgrade_first_schema() -> list[str]:
    """Upgrade the apps that still have this package's first schema; return their labels."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from geospaas_processing.catalog.installed import uses_own_apps

    if not uses_own_apps():
        return []
    loader = MigrationLoader(connection)
    tables = set(connection.introspection.table_names())
    labels = [
        label
        for label, table in _GEOSPAAS_ONLY_TABLE.items()
        if table not in tables and _only_first_migration_applied(loader, label)
    ]
    if not labels:
        return []
    # One transaction (the schema editor's): all of it, or nothing.
    with connection.schema_editor(atomic=True) as editor:
        for label in labels:
            _create_missing_tables(loader, label, editor, tables)
        if 'catalog' in labels:
            _replace_footprint_uniqueness(editor)
        for label in labels:
            _record_later_migrations(loader, label)
    return labels


def _only_first_migration_applied(loader, label: str) -> bool:
    applied = {name for app, name in loader.applied_migrations if app == label}
    return applied == {'0001_initial'}


def _create_missing_tables(loader, label: str, editor, tables: set[str]) -> None:
    leaf = loader.graph.leaf_nodes(label)[0]
    state_apps = loader.project_state(leaf).apps
    for model in state_apps.get_app_config(label).get_models():
        if model._meta.db_table not in tables:
            editor.create_model(model)


def _replace_footprint_uniqueness(editor) -> None:
    vendor = editor.connection.vendor
    if vendor == 'postgresql':
        editor.execute(
            'ALTER TABLE catalog_geographiclocation '
            'DROP CONSTRAINT IF EXISTS unique_geographic_location'
        )
        editor.execute(NAME_FOOTPRINT_SPATIAL_INDEX['postgresql'], params=None)
        _name_entry_id_constraint(editor)
    if vendor in FOOTPRINT_UNIQUE_INDEX:
        editor.execute(FOOTPRINT_UNIQUE_INDEX[vendor], params=None)


def _name_entry_id_constraint(editor) -> None:
    # The first schema created entry_id unique in CREATE TABLE (PostgreSQL named the
    # constraint ``..._key``); GeoSPaaS added it by ALTER TABLE, under Django's name.
    wanted = editor._create_index_name('catalog_dataset', ['entry_id'], suffix='_uniq')
    with editor.connection.cursor() as cursor:
        constraints = editor.connection.introspection.get_constraints(cursor, 'catalog_dataset')
    for name, details in constraints.items():
        if details['unique'] and not details['index'] and details['columns'] == ['entry_id']:
            if name != wanted:
                editor.execute(
                    f'ALTER TABLE catalog_dataset RENAME CONSTRAINT "{name}" TO "{wanted}"'
                )
            return


def _record_later_migrations(loader, label: str) -> None:
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(loader.connection)
    leaf = loader.graph.leaf_nodes(label)[0]
    for app, name in loader.graph.forwards_plan(leaf):
        if app == label and (app, name) not in loader.applied_migrations:
            recorder.record_applied(app, name)
