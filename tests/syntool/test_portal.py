"""The Syntool portal database on a real MariaDB: SQL from the real syntool-meta2sql,
transactions, removal, the account."""

from __future__ import annotations

import json
import pickle
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from geospaas_processing.converters.errors import ConversionToolMissing
from geospaas_processing.converters.syntool import portal
from geospaas_processing.errors import ConfigurationError
from tests.syntool.fixtures import VENDOR, mariadb_connection, portal_rows, portal_tables

EVIL_NAME = "evil'; DROP TABLE products; -- "


def write_metadata(
    root: Path, syntool_id: str, granule: str, *, crosses_antimeridian: bool = False
) -> Path:
    """A granule's metadata.json: the ingestor's real one (vendor reference/metadata.json).

    Only the product, dataset and (for a dataset crossing the antimeridian) the
    ``w_bbox``/``e_bbox`` WKT the rastertiles formatter adds are changed
    (``raster_tiles.py``, ``create_representation``: ``extra_meta['w_bbox']``).
    """
    metadata = json.loads((VENDOR / 'reference' / 'metadata.json').read_text())
    metadata.update(syntool_id=syntool_id, product=syntool_id.split('_', 1)[-1], dataset=granule)
    if crosses_antimeridian:
        metadata['w_bbox'] = 'POLYGON((170 60,180 60,180 70,170 70,170 60))'
        metadata['e_bbox'] = 'POLYGON((-180 60,-170 60,-170 70,-180 70,-180 60))'
    path = root / syntool_id / granule / 'metadata.json'
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(metadata))
    return path


def granule_names(database: str, table: str) -> list[str]:
    return [row[0] for row in portal_rows(database, table)]


def test_statements_split_on_semicolons_outside_quotes():
    sql = (
        '-- comment; not a statement\n'
        "INSERT INTO `a;b` VALUES ('x;y', 'it\\'s; fine', \"q;\"); /* c; */\n"
        '# another; comment\n'
        "DELETE FROM t WHERE n = 'a''b;c';"
    )
    assert portal.split_statements(sql) == [
        "INSERT INTO `a;b` VALUES ('x;y', 'it\\'s; fine', \"q;\")",
        "DELETE FROM t WHERE n = 'a''b;c'",
    ]


def test_an_unterminated_quote_is_an_error():
    with pytest.raises(portal.SyntoolPortalError, match='unterminated'):
        portal.split_statements("INSERT INTO t VALUES ('x);")


@pytest.mark.parametrize('product_id', ['a`b', 'x; DROP TABLE products', '', '../etc', 'a b'])
def test_product_ids_that_could_escape_their_table_name_are_refused(product_id):
    with pytest.raises(portal.SyntoolPortalError, match='not a valid Syntool product ID'):
        portal.product_table(product_id)


def test_the_table_of_a_product_is_quoted_and_keeps_its_case():
    # reference/out.sql: CREATE TABLE IF NOT EXISTS `product_3857_SMOS_L3_BEC_SSS`
    assert portal.product_table('3413_OSISAF_Sea-ice.v2') == '`product_3413_OSISAF_Sea-ice.v2`'


def test_errors_survive_pickling():
    error = pickle.loads(pickle.dumps(portal.SyntoolPortalError('refused')))
    assert str(error) == 'refused'


def test_missing_database_settings_are_named(real_syntool_tools, tmp_path):
    with pytest.raises(ConfigurationError, match='SYNTOOL_DATABASE_HOST, SYNTOOL_DATABASE_NAME'):
        portal.insert_metadata([write_metadata(tmp_path, '3413_p', 'g')])


def test_a_missing_meta2sql_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv('GEOSPAAS_PROCESSING_SYNTOOL_META2SQL', '/nowhere/syntool-meta2sql')
    with pytest.raises(ConversionToolMissing, match='GEOSPAAS_PROCESSING_SYNTOOL_META2SQL'):
        portal.insert_metadata([write_metadata(tmp_path, '3413_p', 'g')])


@pytest.mark.service('mariadb')
def test_insert_registers_granules_and_is_idempotent(real_syntool_tools, portal_database, tmp_path):
    paths = [
        write_metadata(tmp_path, '3413_Product_A', 'granule_1'),
        write_metadata(tmp_path, '3413_Product_A', 'granule_2'),
        write_metadata(tmp_path, '3413_Product_B', EVIL_NAME),
    ]
    portal.insert_metadata(paths)
    portal.insert_metadata(paths)
    assert granule_names(portal_database, 'product_3413_Product_A') == ['granule_1', 'granule_2']
    assert granule_names(portal_database, 'product_3413_Product_B') == [EVIL_NAME]
    assert [row[0] for row in portal_rows(portal_database, 'products')] == [
        '3413_Product_A',
        '3413_Product_B',
    ]


@pytest.mark.service('mariadb')
def test_a_failing_statement_rolls_back_every_row(real_syntool_tools, portal_database, tmp_path):
    good = portal.meta2sql([write_metadata(tmp_path, '3413_P', 'granule_1')])
    with pytest.raises(portal.SyntoolPortalError, match='nothing inserted'):
        portal.execute_script(good + "INSERT INTO `product_3413_P` (`nope`) VALUES ('x');")
    assert 'product_3413_P' in portal_tables(portal_database)  # DDL is not transactional
    assert granule_names(portal_database, 'product_3413_P') == []
    assert portal_rows(portal_database, 'products') == []


@pytest.mark.service('mariadb')
def test_removal_takes_names_as_parameters_and_is_idempotent(
    real_syntool_tools, portal_database, tmp_path
):
    portal.insert_metadata(
        [
            write_metadata(tmp_path, '3413_P', 'keep'),
            write_metadata(tmp_path, '3413_P', EVIL_NAME),
            write_metadata(tmp_path, '3413_P', "keep' OR '1'='1"),
        ]
    )
    removed = portal.remove_granules([('3413_P', EVIL_NAME), ('3413_Gone', 'x')])
    assert removed == 1
    assert granule_names(portal_database, 'product_3413_P') == ['keep', "keep' OR '1'='1"]
    assert 'products' in portal_tables(portal_database)
    assert portal.remove_granules([('3413_P', EVIL_NAME)]) == 0


@pytest.mark.service('mariadb')
def test_an_invalid_product_id_removes_nothing(real_syntool_tools, portal_database, tmp_path):
    portal.insert_metadata([write_metadata(tmp_path, '3413_P', 'keep')])
    with pytest.raises(portal.SyntoolPortalError):
        portal.remove_granules([('3413_P', 'keep'), ('3413_P`; DROP TABLE products; --', 'x')])
    assert granule_names(portal_database, 'product_3413_P') == ['keep']


@pytest.mark.service('mariadb')
def test_a_refused_connection_names_the_database_without_the_password(portal_database, monkeypatch):
    monkeypatch.setenv('SYNTOOL_DATABASE_USER', 'nobody_here')
    monkeypatch.setenv('SYNTOOL_DATABASE_PASSWORD', 's3cret-value')
    with pytest.raises(portal.SyntoolPortalError) as error:
        portal.remove_granules([('3413_P', 'x')])
    assert portal_database in str(error.value) and 's3cret-value' not in str(error.value)


@pytest.mark.service('mariadb')
def test_the_portal_schema_is_what_meta2sql_makes(real_syntool_tools, portal_database, tmp_path):
    portal.insert_metadata([write_metadata(tmp_path, '3857_SMOS_L3_BEC_SSS', 'granule_1')])
    # reference/out.sql: products (product_id, shortname, type) and the product's table.
    assert portal_rows(portal_database, 'products') == [
        ('3857_SMOS_L3_BEC_SSS', '3857_SMOS_L3_BEC_SSS', 'ZXY')
    ]
    assert portal_tables(portal_database) == {'products', 'product_3857_SMOS_L3_BEC_SSS'}
    with mariadb_connection(portal_database) as connection, connection.cursor() as cursor:
        cursor.execute('SHOW KEYS FROM `product_3857_SMOS_L3_BEC_SSS` WHERE Key_name = "PRIMARY"')
        assert [row[4] for row in cursor.fetchall()] == ['dataset_name']


@pytest.mark.service('mariadb')
def test_a_dataset_crossing_the_antimeridian_has_two_rows_removed_together(
    real_syntool_tools, portal_database, tmp_path
):
    portal.insert_metadata(
        [
            write_metadata(tmp_path, '3857_P', 'crossing', crosses_antimeridian=True),
            write_metadata(tmp_path, '3857_P', 'other'),
        ]
    )
    assert granule_names(portal_database, 'product_3857_P') == [
        'crossing',
        'crossing_XIDLfix',
        'other',
    ]
    assert portal.remove_granules([('3857_P', 'crossing')]) == 2
    assert granule_names(portal_database, 'product_3857_P') == ['other']


@pytest.fixture
def mariadb_user(portal_database) -> Iterator[tuple[str, str]]:
    """A MariaDB account of this test only, allowed on the portal database."""
    user, password = f'gp_{uuid.uuid4().hex[:10]}', uuid.uuid4().hex
    with mariadb_connection() as connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'")
        cursor.execute(f"GRANT ALL ON `{portal_database}`.* TO '{user}'@'%'")
    try:
        yield user, password
    finally:
        with mariadb_connection() as connection, connection.cursor() as cursor:
            cursor.execute(f"DROP USER IF EXISTS '{user}'@'%'")


@pytest.mark.service('mariadb')
def test_without_user_variables_the_account_comes_from_my_cnf(
    real_syntool_tools, portal_database, mariadb_user, tmp_path, monkeypatch
):
    user, password = mariadb_user
    monkeypatch.delenv('SYNTOOL_DATABASE_USER')
    monkeypatch.delenv('SYNTOOL_DATABASE_PASSWORD', raising=False)
    monkeypatch.setenv('HOME', str(tmp_path))
    # MariaDB "Configuring MariaDB with Option Files": [client] group, quoted values allowed.
    (tmp_path / '.my.cnf').write_text(
        f'[mysqld]\nskip-name-resolve\n\n[client]\nuser={user}\npassword="{password}"\n'
    )
    portal.insert_metadata([write_metadata(tmp_path / 'm', '3413_P', 'granule_1')])
    assert granule_names(portal_database, 'product_3413_P') == ['granule_1']

    (tmp_path / '.my.cnf').write_text(f'[client]\nuser={user}\npassword=wrong\n')
    with pytest.raises(portal.SyntoolPortalError, match='cannot connect'):
        portal.remove_granules([('3413_P', 'granule_1')])
    # Variables set: they win over the file.
    monkeypatch.setenv('SYNTOOL_DATABASE_USER', user)
    monkeypatch.setenv('SYNTOOL_DATABASE_PASSWORD', password)
    assert portal.remove_granules([('3413_P', 'granule_1')]) == 1
