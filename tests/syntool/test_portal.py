"""The Syntool portal database on a real MariaDB: SQL from meta2sql, transactions, removal."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from geospaas_processing.converters.errors import ConversionToolMissing
from geospaas_processing.converters.syntool import portal
from geospaas_processing.errors import ConfigurationError
from tests.syntool.fixtures import portal_rows, portal_tables

EVIL_NAME = "evil'; DROP TABLE products; -- "


def write_metadata(root: Path, syntool_id: str, granule: str) -> Path:
    path = root / syntool_id / granule / 'metadata.json'
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps(
            {
                'syntool_id': syntool_id,
                'product': syntool_id,
                'dataset': granule,
                'begin_datetime': '2024-03-01 00:00:00',
                'end_datetime': '2024-03-01 12:00:00',
                'output_type': 'ZXY',
                'shape': 'POLYGON((0 60,10 60,10 70,0 70,0 60))',
                'min_zoom_level': 0,
                'max_zoom_level': 5,
                'resolutions': [1000, 500],
                'bbox_str': '0,60,10,70',
            }
        )
    )
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


def test_the_table_of_a_product_is_quoted_and_lower_case():
    assert portal.product_table('3413_OSISAF_Sea-ice.v2') == '`product_3413_osisaf_sea-ice.v2`'


def test_errors_survive_pickling():
    error = pickle.loads(pickle.dumps(portal.SyntoolPortalError('refused')))
    assert str(error) == 'refused'


def test_missing_database_settings_are_named(syntool_tools, tmp_path):
    with pytest.raises(ConfigurationError, match='SYNTOOL_DATABASE_HOST, SYNTOOL_DATABASE_NAME'):
        portal.insert_metadata([write_metadata(tmp_path, '3413_p', 'g')])


def test_a_missing_meta2sql_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv('GEOSPAAS_PROCESSING_SYNTOOL_META2SQL', '/nowhere/syntool-meta2sql')
    with pytest.raises(ConversionToolMissing, match='GEOSPAAS_PROCESSING_SYNTOOL_META2SQL'):
        portal.insert_metadata([write_metadata(tmp_path, '3413_p', 'g')])


@pytest.mark.service('mariadb')
def test_insert_registers_granules_and_is_idempotent(syntool_tools, portal_database, tmp_path):
    paths = [
        write_metadata(tmp_path, '3413_Product_A', 'granule_1'),
        write_metadata(tmp_path, '3413_Product_A', 'granule_2'),
        write_metadata(tmp_path, '3413_Product_B', EVIL_NAME),
    ]
    portal.insert_metadata(paths)
    portal.insert_metadata(paths)
    assert granule_names(portal_database, 'product_3413_product_a') == ['granule_1', 'granule_2']
    assert granule_names(portal_database, 'product_3413_product_b') == [EVIL_NAME]
    assert [row[0] for row in portal_rows(portal_database, 'products')] == [
        '3413_Product_A',
        '3413_Product_B',
    ]


@pytest.mark.service('mariadb')
def test_a_failing_statement_rolls_back_every_row(syntool_tools, portal_database, tmp_path):
    good = portal.meta2sql([write_metadata(tmp_path, '3413_P', 'granule_1')])
    with pytest.raises(portal.SyntoolPortalError, match='nothing inserted'):
        portal.execute_script(good + "INSERT INTO `product_3413_p` (`nope`) VALUES ('x');")
    assert 'product_3413_p' in portal_tables(portal_database)  # DDL is not transactional
    assert granule_names(portal_database, 'product_3413_p') == []
    assert portal_rows(portal_database, 'products') == []


@pytest.mark.service('mariadb')
def test_removal_takes_names_as_parameters_and_is_idempotent(
    syntool_tools, portal_database, tmp_path
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
    assert granule_names(portal_database, 'product_3413_p') == ['keep', "keep' OR '1'='1"]
    assert 'products' in portal_tables(portal_database)
    assert portal.remove_granules([('3413_P', EVIL_NAME)]) == 0


@pytest.mark.service('mariadb')
def test_an_invalid_product_id_removes_nothing(syntool_tools, portal_database, tmp_path):
    portal.insert_metadata([write_metadata(tmp_path, '3413_P', 'keep')])
    with pytest.raises(portal.SyntoolPortalError):
        portal.remove_granules([('3413_P', 'keep'), ('3413_P`; DROP TABLE products; --', 'x')])
    assert granule_names(portal_database, 'product_3413_p') == ['keep']


@pytest.mark.service('mariadb')
def test_a_refused_connection_names_the_database_without_the_password(portal_database, monkeypatch):
    monkeypatch.setenv('SYNTOOL_DATABASE_USER', 'nobody_here')
    monkeypatch.setenv('SYNTOOL_DATABASE_PASSWORD', 's3cret-value')
    with pytest.raises(portal.SyntoolPortalError) as error:
        portal.remove_granules([('3413_P', 'x')])
    assert portal_database in str(error.value) and 's3cret-value' not in str(error.value)
