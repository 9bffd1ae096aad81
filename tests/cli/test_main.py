"""The main command: the demo, init-db and clear errors for a broken configuration."""

import os
import re
import socket
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import run_command, run_python


def base_environment(tmp_path, **extra):
    extra.setdefault('GEOSPAAS_DB_PATH', str(tmp_path / 'catalog.sqlite3'))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith('GEOSPAAS_DB')
        # The demo must work in a user's environment, where these are not set for it.
        and key not in ('GEOSPAAS_PROCESSING_WORK_DIR', 'GEOSPAAS_PROCESSING_LOCAL_SOURCE_DIRS')
    }
    env.update(extra)
    return env


def test_demo_builds_a_catalog_of_real_netcdf_files(tmp_path):
    users_catalog = tmp_path / 'users-catalog.sqlite3'
    env = base_environment(tmp_path, GEOSPAAS_DB_PATH=str(users_catalog))
    result = run_command(['geospaas_processing', 'demo', '--directory', 'out'], env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / 'out'
    assert f'demo catalog: {out / "catalog.sqlite3"}' in result.stdout
    assert 'demo-sst-nordic-seas-20240301  Aqua/MODIS  2024-03-01  [-10, 60, 20, 80]' in (
        result.stdout
    )
    netcdf_files = sorted(p.name for p in (out / 'provider').glob('*.nc'))
    assert len(netcdf_files) == 5
    with open(out / 'provider' / netcdf_files[0], 'rb') as handle:
        assert handle.read(4) == b'\x89HDF'  # netCDF-4 files are HDF5 files
    assert result.stdout.count(': downloaded: ') == 5
    assert '(time=1, lat=40, lon=40)' in result.stdout  # the crop kept a 10 x 10 degree box
    archive = next((out / 'downloads').rglob('*.tar.gz'))
    assert archive.stat().st_size > 1000
    assert 'task chain download | crop | archive ran in-process' in result.stdout
    assert 'to IDF: ESA_CCI_SST_L4/demo-ESACCI-L4_GHRSST' in result.stdout
    assert list((out / 'work').rglob('cropped_0_75_10_65/*.nc.tar.gz'))
    with sqlite3.connect(out / 'catalog.sqlite3') as catalog:
        (local_uris,) = catalog.execute(
            "SELECT count(*) FROM catalog_dataseturi WHERE service = 'local'"
        ).fetchone()
    assert local_uris == 5 + 1  # save_path recorded each download; one was local already
    with sqlite3.connect(out / 'catalog.sqlite3') as catalog:
        (count,) = catalog.execute(
            "SELECT count(*) FROM catalog_dataset WHERE entry_id LIKE 'demo-%'"
        ).fetchone()
    assert count == 5
    assert not users_catalog.exists()  # the user's catalog was never touched


def test_demo_can_run_twice(tmp_path):
    env = base_environment(tmp_path)
    for _ in range(2):
        result = run_command(
            ['geospaas_processing', 'demo', '--directory', 'out'], env, cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
    assert 'catalog now holds 5 datasets' in result.stdout


def test_demo_by_default_works_in_a_temporary_directory_it_removes(tmp_path):
    env = base_environment(tmp_path, TMPDIR=str(tmp_path))
    result = run_command(['geospaas_processing', 'demo'], env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (directory,) = re.findall(r'removed the demo directory (\S+)', result.stdout)
    assert directory.startswith(str(tmp_path)) and not Path(directory).exists()
    assert f'demo catalog: {directory}/catalog.sqlite3' in result.stdout
    kept = run_command(['geospaas_processing', 'demo', '--keep'], env, cwd=tmp_path)
    (directory,) = re.findall(r'the demo files are kept in (\S+)', kept.stdout)
    assert (Path(directory) / 'catalog.sqlite3').is_file()


def test_a_missing_catalog_at_an_explicit_path_is_exit_2_until_init_db(tmp_path):
    mistyped = tmp_path / 'catalgo.sqlite3'
    env = base_environment(tmp_path, GEOSPAAS_DB_PATH=str(mistyped))
    result = run_command(['geospaas_processing', 'datasets'], env)
    assert result.returncode == 2
    assert str(mistyped) in result.stderr and 'geospaas-processing init-db' in result.stderr
    assert not mistyped.exists()
    assert run_command(['geospaas_processing', 'init-db'], env).returncode == 0
    assert mistyped.is_file()
    listed = run_command(['geospaas_processing', 'datasets', '--count'], env)
    assert listed.returncode == 0 and listed.stdout.strip() == '0'


def test_config_shows_the_catalog_and_work_dir_and_masks_url_passwords(tmp_path):
    env = base_environment(
        tmp_path,
        GEOSPAAS_PROCESSING_WORK_DIR=str(tmp_path / 'work'),
        GEOSPAAS_PROCESSING_BROKER='amqp://guest:broker-PW@127.0.0.1:5672//',
        GEOSPAAS_PROCESSING_RESULT_BACKEND='redis://:backend-PW@127.0.0.1:6379/1',
        GEOSPAAS_PROCESSING_AUXILIARY_URL='https://mirror:aux-PW@aux.example.org/files',
    )
    result = run_command(['geospaas_processing', 'config'], env)
    assert result.returncode == 0, result.stderr
    assert f'catalog in use: SpatiaLite {tmp_path / "catalog.sqlite3"}' in result.stdout
    assert f'work directory: {tmp_path / "work"}' in result.stdout
    assert 'amqp://guest:***@127.0.0.1:5672//' in result.stdout
    for password in ('broker-PW', 'backend-PW', 'aux-PW'):
        assert password not in result.stdout
    postgis = base_environment(
        tmp_path, GEOSPAAS_DB_HOST='db.example.org', GEOSPAAS_DB_USER='geo', GEOSPAAS_DB_NAME='cat'
    )
    shown = run_command(['geospaas_processing', 'config'], postgis).stdout
    assert 'catalog in use: PostGIS geo@db.example.org:5432/cat' in shown


def test_every_bad_variable_is_named_at_once_before_anything_runs(tmp_path):
    env = base_environment(
        tmp_path,
        GEOSPAAS_PROCESSING_REDIS_PORT='sixty',
        GEOSPAAS_PROCESSING_LOCK_EXPIRY='0',
        GEOSPAAS_PROCESSING_BROKER='rabbitmq-host',
    )
    result = run_command(['geospaas_processing', 'datasets'], env)
    assert result.returncode == 2 and 'Traceback' not in result.stderr
    assert result.stderr.count('\n') == 1
    for name in (
        'GEOSPAAS_PROCESSING_REDIS_PORT',
        'GEOSPAAS_PROCESSING_LOCK_EXPIRY',
        'GEOSPAAS_PROCESSING_BROKER',
    ):
        assert name in result.stderr


def test_help_usage_errors_and_config_load_neither_django_gdal_nor_celery(tmp_path):
    script = (
        'import sys, contextlib, io\n'
        'from geospaas_processing.cli.main import main\n'
        'for argv in (["--help"], ["download"], ["config"], ["datasets", "--help"]):\n'
        '    with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()), '
        'contextlib.redirect_stderr(io.StringIO()):\n'
        '        main(argv)\n'
        'heavy = ("django", "celery", "osgeo", "netCDF4", "numpy", "requests")\n'
        'print(sorted(name for name in heavy if name in sys.modules))\n'
    )
    result = run_python(script, base_environment(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '[]'


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


def test_config_shows_everything_then_names_the_bad_values_with_exit_2(tmp_path):
    env = base_environment(tmp_path, GEOSPAAS_PROCESSING_REDIS_PORT='sixty')
    result = run_command(['geospaas_processing', 'config'], env)
    assert result.returncode == 2
    assert 'GEOSPAAS_PROCESSING_REDIS_PORT = sixty' in result.stdout
    assert "GEOSPAAS_PROCESSING_REDIS_PORT must be an integer, got 'sixty'" in result.stderr
