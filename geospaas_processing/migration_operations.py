"""Migration operations whose SQL depends on the database backend."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.migrations.operations.base import Operation


class RunSQLByVendor(Operation):
    """Run the SQL written for the connection's vendor (``postgresql``, ``sqlite``...).

    The migration state changes by ``state_operations`` on every backend, so models and
    migrations agree everywhere; a vendor without SQL in ``sql`` gets no schema change.
    """

    reduces_to_sql = False
    reversible = True

    def __init__(
        self,
        sql: dict[str, str],
        reverse_sql: dict[str, str],
        state_operations: Sequence[Operation] = (),
    ):
        self.sql = sql
        self.reverse_sql = reverse_sql
        self.state_operations = list(state_operations)

    def deconstruct(self):
        kwargs = {'sql': self.sql, 'reverse_sql': self.reverse_sql}
        if self.state_operations:
            kwargs['state_operations'] = self.state_operations
        return (self.__class__.__qualname__, [], kwargs)

    def state_forwards(self, app_label, state):
        for operation in self.state_operations:
            operation.state_forwards(app_label, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._run(schema_editor, self.sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._run(schema_editor, self.reverse_sql)

    @staticmethod
    def _run(schema_editor, statements: dict[str, str]) -> None:
        statement = statements.get(schema_editor.connection.vendor)
        if statement:
            schema_editor.execute(statement, params=None)

    def describe(self):
        return f'SQL by database vendor ({", ".join(sorted(self.sql))})'


# GeoSPaaS's unique footprint index (its catalog migration 0008), per backend: see there.
FOOTPRINT_UNIQUE_INDEX = {
    'postgresql': (
        'CREATE UNIQUE INDEX IF NOT EXISTS unique_catalog_geographiclocation '
        'ON catalog_geographiclocation (md5(ST_AsBinary(geometry)))'
    ),
    'sqlite': (
        'CREATE UNIQUE INDEX IF NOT EXISTS unique_catalog_geographiclocation '
        'ON catalog_geographiclocation (geometry)'
    ),
}
DROP_FOOTPRINT_UNIQUE_INDEX = {
    'postgresql': 'DROP INDEX unique_catalog_geographiclocation',
    'sqlite': 'DROP INDEX unique_catalog_geographiclocation',
}

# Django 3.2, under which GeoSPaaS's databases were made, named the GiST index of the
# footprints ``catalog_geographiclocation_geometry_id``; Django 5 adds a hash to the name.
# Give it GeoSPaaS's name, so that both packages find the index they expect.
NAME_FOOTPRINT_SPATIAL_INDEX = {
    'postgresql': """
DO $$
DECLARE found_name name;
BEGIN
  SELECT c.relname INTO found_name FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
    WHERE i.indrelid = 'catalog_geographiclocation'::regclass AND am.amname = 'gist';
  IF found_name IS NOT NULL AND found_name <> 'catalog_geographiclocation_geometry_id' THEN
    EXECUTE format('ALTER INDEX %I RENAME TO catalog_geographiclocation_geometry_id', found_name);
  END IF;
END $$
""",
}
