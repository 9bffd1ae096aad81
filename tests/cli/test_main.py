"""The main command: the demo, init-db and clear errors for a broken configuration."""

import os
import socket
import sqlite3

import pytest

from tests.helpers import run_command


def base_environment(tmp_path, **extra):
    extra.setdefault('GEOSPAAS_DB_PATH', str(tmp_path / 'catalog.sqlite3'))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith('GEOSPAAS_DB') and key != 'GEOSPAAS_PROCESSING_WORK_DIR'
    }
    env.update(extra)
    return env


def test_demo_builds_a_catalog_of_real_netcdf_files(tmp_path):
    env = base_environment(tmp_path)
    result = run_command(['geospaas_processing', 'demo', '--directory', 'out'], env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'demo-sst-nordic-seas-20240301  Aqua/MODIS  2024-03-01  [-10, 60, 20, 80]' in (
        result.stdout
    )
    netcdf_files = sorted(p.name for p in (tmp_path / 'out' / 'provider').glob('*.nc'))
    assert len(netcdf_files) == 5
    with open(tmp_path / 'out' / 'provider' / netcdf_files[0], 'rb') as handle:
        assert handle.read(4) == b'\x89HDF'  # netCDF-4 files are HDF5 files
    assert result.stdout.count(': downloaded: ') == 5
    assert '(time=1, lat=40, lon=40)' in result.stdout  # the crop kept a 10 x 10 degree box
    archive = next((tmp_path / 'out' / 'downloads').rglob('*.tar.gz'))
    assert archive.stat().st_size > 1000
    assert 'task chain download | crop | archive ran in-process' in result.stdout
    assert 'to IDF: ESA_CCI_SST_L4/demo-ESACCI-L4_GHRSST' in result.stdout
    assert list((tmp_path / 'out' / 'work').rglob('cropped_0_75_10_65/*.nc.tar.gz'))
    with sqlite3.connect(tmp_path / 'catalog.sqlite3') as catalog:
        (local_uris,) = catalog.execute(
            "SELECT count(*) FROM catalog_dataseturi WHERE service = 'local'"
        ).fetchone()
    assert local_uris == 5 + 1  # save_path recorded each download; one was local already
    with sqlite3.connect(tmp_path / 'catalog.sqlite3') as catalog:
        (count,) = catalog.execute(
            "SELECT count(*) FROM catalog_dataset WHERE entry_id LIKE 'demo-%'"
        ).fetchone()
    assert count == 5


def test_demo_can_run_twice(tmp_path):
    env = base_environment(tmp_path)
    for _ in range(2):
        result = run_command(
            ['geospaas_processing', 'demo', '--directory', 'out'], env, cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
    assert 'catalog now holds 5 datasets' in result.stdout


def test_unwritable_catalog_path_is_one_clear_error(tmp_path):
    if os.geteuid() == 0:
        target = '/proc/geospaas/catalog.sqlite3'  # not writable even for root
    else:
        read_only = tmp_path / 'read-only'
        read_only.mkdir(mode=0o500)
        target = str(read_only / 'catalog.sqlite3')
    env = base_environment(tmp_path, GEOSPAAS_DB_PATH=target)
    result = run_command(['geospaas_processing', 'init-db'], env)
    assert result.returncode == 2
    assert 'Traceback' not in result.stderr
    assert target in result.stderr and 'set GEOSPAAS_DB_PATH' in result.stderr


def test_unreachable_postgis_is_one_clear_error(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    pytest.importorskip('psycopg2')
    env = base_environment(
        tmp_path,
        GEOSPAAS_DB_HOST='127.0.0.1',
        GEOSPAAS_DB_PORT=str(port),
        GEOSPAAS_DB_NAME='catalog',
        GEOSPAAS_DB_USER='geospaas',
    )
    result = run_command(['geospaas_processing', 'init-db'], env)
    assert result.returncode == 2
    assert 'Traceback' not in result.stderr
    assert f'cannot connect to the PostGIS catalog geospaas@127.0.0.1:{port}/catalog' in (
        result.stderr
    )


def test_config_lists_variables_without_secrets(tmp_path):
    env = base_environment(tmp_path, GEOSPAAS_DB_PASSWORD='s3cret')
    result = run_command(['geospaas_processing', 'config'], env)
    assert result.returncode == 0
    assert 'GEOSPAAS_PROCESSING_BROKER' in result.stdout
    assert 's3cret' not in result.stdout


def test_missing_gdal_library_is_one_clear_error(tmp_path):
    env = base_environment(tmp_path, GDAL_LIBRARY_PATH='/nonexistent/libgdal.so')
    result = run_command(['geospaas_processing', 'init-db'], env)
    assert result.returncode == 2
    assert 'Traceback' not in result.stderr
    assert 'GDAL/GEOS libraries GeoDjango needs could not be loaded' in result.stderr
    assert 'apt-get install gdal-bin' in result.stderr
