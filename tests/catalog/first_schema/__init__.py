"""The migrations of this package's first schema, as commit b014c6b had them (git show).

They stand for a database made by the previous version of geospaas_processing: tests migrate
a fresh database with them (``MIGRATION_MODULES``), then let the current version take it over.
"""
