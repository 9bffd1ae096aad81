"""Migration operations that apply to some database backends only."""

from __future__ import annotations

from django.db.migrations.operations.base import Operation


class OnPostgreSQLOnly(Operation):
    """Wrap an operation so that it changes the schema on PostgreSQL only.

    The migration state is always updated, so models and migrations agree on
    every backend; only the SQL is skipped elsewhere.
    """

    reduces_to_sql = False

    def __init__(self, operation: Operation):
        self.operation = operation

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.operation], {})

    def state_forwards(self, app_label, state):
        self.operation.state_forwards(app_label, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == 'postgresql':
            self.operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == 'postgresql':
            self.operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f'{self.operation.describe()} (PostgreSQL only)'
