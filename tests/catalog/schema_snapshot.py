"""What a PostGIS catalog's schema is made of, by name, and how two of them differ.

Only the tables of the ``catalog`` and ``vocabularies`` apps and their migration records are
compared: the other tables of a deployment (Django's auth, admin, sessions; this package's
own) belong to other apps.

One difference is not one of schema: Django 3.2 (GeoSPaaS's databases) made ``serial``
columns, Django 4.1 and later make identity columns; both give new rows their ids, so a
column is described as ``auto-increment`` either way.
"""

from __future__ import annotations

_TABLES = """
    SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r'
      AND (c.relname LIKE 'catalog\\_%%' OR c.relname LIKE 'vocabularies\\_%%')
"""
_COLUMNS = """
    SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
           a.attidentity <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%%'
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped
"""
_CONSTRAINTS = """
    SELECT c.relname, k.conname, pg_get_constraintdef(k.oid)
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE k.conrelid = ANY(%s)
"""
_INDEXES = """
    SELECT c.relname, i.relname, pg_get_indexdef(x.indexrelid)
    FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
    WHERE x.indrelid = ANY(%s)
"""
_MIGRATIONS = "SELECT app, name FROM django_migrations WHERE app IN ('catalog', 'vocabularies')"


def snapshot(connection) -> dict[str, dict[str, str]]:
    """``{kind: {name: definition}}`` for tables, columns, constraints, indexes, migrations."""
    with connection.cursor() as cursor:
        cursor.execute('SET search_path TO public')
        cursor.execute(_TABLES)
        tables = dict(cursor.fetchall())
        oids = list(tables)
        cursor.execute(_COLUMNS, [oids])
        columns = {
            f'{table}.{column}': f'{kind} {"NOT NULL" if not_null else "NULL"}'
            + (' auto-increment' if automatic else '')
            for table, column, kind, not_null, automatic in cursor.fetchall()
        }
        cursor.execute(_CONSTRAINTS, [oids])
        constraints = {f'{table}.{name}': text for table, name, text in cursor.fetchall()}
        cursor.execute(_INDEXES, [oids])
        indexes = {f'{table}.{name}': text for table, name, text in cursor.fetchall()}
        cursor.execute(_MIGRATIONS)
        migrations = {f'{app}.{name}': '' for app, name in cursor.fetchall()}
    return {
        'table': dict.fromkeys(tables.values(), ''),
        'column': columns,
        'constraint': constraints,
        'index': indexes,
        'migration': migrations,
    }


def differences(expected: dict, actual: dict) -> list[str]:
    """Every name missing, extra or defined differently in ``actual``, one line each."""
    lines = []
    for kind in expected:
        wanted, found = expected[kind], actual[kind]
        lines += [f'{kind} {name}: missing' for name in sorted(wanted.keys() - found.keys())]
        lines += [f'{kind} {name}: extra ({found[name]})' for name in sorted(found.keys() - wanted)]
        lines += [
            f'{kind} {name}: {found[name]!r} instead of {wanted[name]!r}'
            for name in sorted(wanted.keys() & found.keys())
            if wanted[name] != found[name]
        ]
    return lines
