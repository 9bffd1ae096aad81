"""The Syntool portal database: register ingested granules and remove them again.

Registration turns each granule's ``metadata.json`` into SQL with the
``syntool-meta2sql`` command (``GEOSPAAS_PROCESSING_SYNTOOL_META2SQL``) and
executes that SQL with PyMySQL (the ``syntool`` extra): no ``mysql`` client, no
shell. The connection comes from ``SYNTOOL_DATABASE_HOST``, ``_NAME``, ``_PORT``,
``_USER`` and ``_PASSWORD``; when neither user nor password is set, from the
``[client]`` section of ``~/.my.cnf`` as the ``mysql`` client upstream used does.

The schema is the one ``syntool-meta2sql`` makes itself
(``../shared/vendor/syntool/reference/out.sql``; ``syntool_exporter/__init__.py``
and ``db.py``): a ``products`` table (``product_id`` primary key, ``shortname``,
``type``) and one table per product, ``product_<syntool_id>`` with the
syntool_id's case kept, keyed by ``dataset_name``, filled by ``INSERT ... ON
DUPLICATE KEY UPDATE`` (so registering a granule again updates its row). A
dataset crossing the antimeridian gets a second row ``<dataset>_XIDLfix``
(``convert_to_mysql``). ``syntool-meta2sql`` takes the product of all its
inputs from the first one, so it runs once per product.

Atomicity: MySQL commits implicitly around every DDL statement, so the
idempotent table creations (``CREATE ... IF NOT EXISTS``) run first, then every
row change of the batch runs in one transaction, committed or rolled back as a
whole.

Removal deletes a granule's rows (``<dataset>`` and ``<dataset>_XIDLfix``) from
its product's table. Product IDs are validated and the table name
backtick-quoted; granule names are passed as query parameters, never pasted into
SQL. Removing a row that is gone, or from a table that does not exist, is not an
error; the ``products`` row stays, as Syntool's own tools leave it.

Errors::

    GeospaasProcessingError
    └── SyntoolPortalError        the SQL could not be produced or executed
"""

from __future__ import annotations

import configparser
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geospaas_processing import config
from geospaas_processing.converters.errors import ConversionToolMissing
from geospaas_processing.converters.syntool.commands import command, run_command
from geospaas_processing.errors import ConfigurationError, GeospaasProcessingError

if TYPE_CHECKING:
    import pymysql

__all__ = [
    'SyntoolPortalError',
    'connect',
    'insert_metadata',
    'meta2sql',
    'product_table',
    'remove_granules',
    'split_statements',
]

META2SQL_VARIABLE = 'GEOSPAAS_PROCESSING_SYNTOOL_META2SQL'
META2SQL_CHUNK_SIZE = 100
XIDL_SUFFIX = '_XIDLfix'
MY_CNF = Path('~/.my.cnf')
# A product ID is also a directory name and part of a table name: keep it plain.
PRODUCT_ID_PATTERN = re.compile(r'[A-Za-z0-9][A-Za-z0-9_.-]{0,120}')
DDL_PATTERN = re.compile(r'\s*(CREATE|ALTER|DROP|RENAME|TRUNCATE)\b', re.IGNORECASE)


class SyntoolPortalError(GeospaasProcessingError):
    """The portal's SQL could not be produced or executed; the message says which and why."""


def product_table(product_id: str) -> str:
    """The backtick-quoted name of the table of ``product_id`` (case kept, as meta2sql does).

    Raises:
        SyntoolPortalError: the product ID has characters a product ID never has.
    """
    if not PRODUCT_ID_PATTERN.fullmatch(product_id):
        raise SyntoolPortalError(
            f'{product_id!r} is not a valid Syntool product ID '
            '(letters, digits, "_", "." and "-" only)'
        )
    return '`product_' + product_id.replace('`', '``') + '`'


def meta2sql(metadata_paths: Sequence[str | Path]) -> str:
    """The SQL that registers the granules described by these ``metadata.json`` files.

    ``syntool-meta2sql`` runs once per product (the ``syntool_id`` of each file).

    Raises:
        ConversionToolMissing: the meta2sql command is not installed.
        SyntoolPortalError: a file is missing or unreadable, or the command failed
            (its command line and last lines included).
    """
    scripts = []
    for paths in metadata_by_product(metadata_paths).values():
        arguments = [*command(META2SQL_VARIABLE), f'--chunk_size={META2SQL_CHUNK_SIZE}', '-']
        try:
            completed = run_command([*arguments, *map(str, paths)])
        except ConversionToolMissing:
            raise
        except GeospaasProcessingError as exc:
            raise SyntoolPortalError(f'syntool-meta2sql failed: {exc}') from exc
        scripts.append(completed.stdout)
    return '\n'.join(scripts)


def metadata_by_product(metadata_paths: Sequence[str | Path]) -> dict[str, list[Path]]:
    """The ``metadata.json`` files grouped by their ``syntool_id``, in their given order.

    Raises:
        SyntoolPortalError: a file is missing, is not JSON or has no ``syntool_id``.
    """
    groups: dict[str, list[Path]] = {}
    for path in map(Path, metadata_paths):
        try:
            syntool_id = json.loads(path.read_text(encoding='utf-8'))['syntool_id']
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SyntoolPortalError(
                f'{path} is not the metadata.json of an ingested granule ({exc}); '
                'ingest the granule again'
            ) from None
        groups.setdefault(str(syntool_id), []).append(path)
    return groups


def split_statements(sql: str) -> list[str]:
    """The statements of an SQL script, without comments, each without its final ``;``.

    Semicolons inside quoted strings and identifiers (with backslash or doubled
    quote escapes) do not split.
    """
    statements, current = [], []
    index, length = 0, len(sql)
    while index < length:
        character = sql[index]
        if character in '\'"`':
            end = _end_of_quoted(sql, index)
            current.append(sql[index:end])
            index = end
        elif sql.startswith('--', index) or character == '#':
            index = _end_of_line(sql, index)
        elif sql.startswith('/*', index):
            end = sql.find('*/', index + 2)
            index = length if end < 0 else end + 2
        elif character == ';':
            statements.append(''.join(current).strip())
            current = []
            index += 1
        else:
            current.append(character)
            index += 1
    statements.append(''.join(current).strip())
    return [statement for statement in statements if statement]


def _end_of_quoted(sql: str, start: int) -> int:
    quote, index = sql[start], start + 1
    while index < len(sql):
        if sql[index] == '\\' and quote != '`':
            index += 2
        elif sql[index] == quote:
            if sql.startswith(quote * 2, index):
                index += 2
            else:
                return index + 1
        else:
            index += 1
    raise SyntoolPortalError(f'unterminated {quote} quote in the SQL from syntool-meta2sql')


def _end_of_line(sql: str, start: int) -> int:
    end = sql.find('\n', start)
    return len(sql) if end < 0 else end + 1


def _pymysql() -> Any:
    try:
        import pymysql
    except ImportError:
        raise ConfigurationError(
            'the Syntool portal database needs PyMySQL: pip install "geospaas_processing[syntool]"'
        ) from None
    return pymysql


@contextmanager
def connect() -> Iterator[pymysql.connections.Connection]:
    """A connection to the portal database (autocommit off), closed on exit.

    Raises:
        ConfigurationError: SYNTOOL_DATABASE_HOST or SYNTOOL_DATABASE_NAME is unset,
            or PyMySQL is not installed.
        SyntoolPortalError: the server refused the connection.
    """
    pymysql = _pymysql()
    settings = config.require('SYNTOOL_DATABASE_HOST', 'SYNTOOL_DATABASE_NAME')
    user, password = credentials()
    try:
        connection = pymysql.connect(
            host=settings['SYNTOOL_DATABASE_HOST'],
            database=settings['SYNTOOL_DATABASE_NAME'],
            port=config.get_int('SYNTOOL_DATABASE_PORT') or 3306,
            user=user,
            password=password,
            charset='utf8mb4',
            autocommit=False,
            connect_timeout=10,
        )
    except pymysql.MySQLError as exc:
        raise SyntoolPortalError(
            f'cannot connect to the Syntool database {settings["SYNTOOL_DATABASE_NAME"]} '
            f'on {settings["SYNTOOL_DATABASE_HOST"]}: {exc.args[-1] if exc.args else exc}'
        ) from None
    try:
        yield connection
    finally:
        connection.close()


def credentials() -> tuple[str, str]:
    """``(user, password)``: SYNTOOL_DATABASE_USER/_PASSWORD, else ``~/.my.cnf``'s ``[client]``.

    The file is read only when neither variable is set, like the ``mysql`` client
    reads its option file (MariaDB "Configuring MariaDB with Option Files":
    ``[client]`` group, ``user`` and ``password`` options; quotes around values
    are removed).
    """
    user = config.get('SYNTOOL_DATABASE_USER')
    password = config.get('SYNTOOL_DATABASE_PASSWORD')
    if user is None and password is None:
        parser = configparser.ConfigParser(interpolation=None, allow_no_value=True, strict=False)
        try:
            parser.read(MY_CNF.expanduser(), encoding='utf-8')
        except configparser.Error as exc:
            raise ConfigurationError(f'{MY_CNF} cannot be read: {exc}') from None
        client = parser['client'] if parser.has_section('client') else {}
        user = _unquoted(client.get('user'))
        password = _unquoted(client.get('password'))
    return user or '', password or ''


def _unquoted(value: str | None) -> str | None:
    if value and len(value) >= 2 and value[0] == value[-1] and value[0] in '\'"':
        return value[1:-1]
    return value


def execute_script(sql: str) -> int:
    """Execute an SQL script: DDL first, then every other statement in one transaction.

    Returns:
        The number of statements executed.

    Raises:
        SyntoolPortalError: a statement failed (the row changes are rolled back).
    """
    statements = split_statements(sql)
    if not statements:
        return 0
    definitions = [statement for statement in statements if DDL_PATTERN.match(statement)]
    changes = [statement for statement in statements if not DDL_PATTERN.match(statement)]
    pymysql = _pymysql()
    with connect() as connection:
        try:
            with connection.cursor() as cursor:
                for statement in definitions:
                    cursor.execute(statement)
                connection.begin()
                for statement in changes:
                    cursor.execute(statement)
            connection.commit()
        except pymysql.MySQLError as exc:
            connection.rollback()
            raise SyntoolPortalError(
                f'the Syntool database refused the SQL (nothing inserted): {exc.args[-1]}'
            ) from None
    return len(statements)


def insert_metadata(metadata_paths: Sequence[str | Path]) -> int:
    """Register the granules of these ``metadata.json`` files in the portal, all or none.

    Returns:
        The number of statements executed.
    """
    return execute_script(meta2sql(metadata_paths))


def remove_granules(granules: Iterable[tuple[str, str]]) -> int:
    """Delete the portal rows of ``(product_id, dataset)`` pairs, in one transaction.

    Each dataset's ``<dataset>_XIDLfix`` row goes too. Product IDs are validated
    before anything is deleted; missing tables and rows are skipped.

    Returns:
        The number of rows deleted.

    Raises:
        SyntoolPortalError: an invalid product ID, or the database refused the deletion.
    """
    by_table: dict[str, list[str]] = {}
    for product_id, granule in granules:
        by_table.setdefault(product_table(product_id), []).append(granule)
    if not by_table:
        return 0
    pymysql = _pymysql()
    deleted = 0
    with connect() as connection:
        try:
            with connection.cursor() as cursor:
                connection.begin()
                for table, names in by_table.items():
                    if not _table_exists(cursor, table):
                        continue
                    for name in names:
                        deleted += cursor.execute(
                            f'DELETE FROM {table} WHERE `dataset_name` IN (%s, %s)',
                            (name, name + XIDL_SUFFIX),
                        )
            connection.commit()
        except pymysql.MySQLError as exc:
            connection.rollback()
            raise SyntoolPortalError(
                f'could not remove granules from the Syntool database: {exc.args[-1]}'
            ) from None
    return deleted


def _table_exists(cursor: Any, quoted_table: str) -> bool:
    name = quoted_table[1:-1].replace('``', '`')
    cursor.execute(
        'SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() '
        'AND BINARY table_name = %s',  # table names are case-sensitive on Linux
        (name,),
    )
    return cursor.fetchone() is not None
