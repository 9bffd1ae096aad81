"""Fixtures of the Syntool tests: the real tools, stand-ins, a results directory, a portal database.

The real tools are OceanDataLab's, built by ``scripts/install_syntool.sh`` into
``.venv-syntool/`` from ``../shared/vendor/syntool``; without them the tests that
need them are skipped (and fail under CI, which must build them). The stand-ins in
``bin/`` remain only for converter types that cannot run here.

Import the ones a test module needs; tests/syntool/conftest.py imports them all.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

STAND_INS = Path(__file__).parent / 'bin'
REPOSITORY = Path(__file__).resolve().parents[2]
REAL_TOOLS = REPOSITORY / '.venv-syntool' / 'bin'
VENDOR = REPOSITORY.parent / 'shared' / 'vendor' / 'syntool'
INPUTS = Path(__file__).parent / 'inputs'
TOOL_VARIABLES = {
    'GEOSPAAS_PROCESSING_SYNTOOL_CONVERTER': 'syntool-converter',
    'GEOSPAAS_PROCESSING_SYNTOOL_INGESTOR': 'syntool-ingestor',
    'GEOSPAAS_PROCESSING_SYNTOOL_META2SQL': 'syntool-meta2sql',
}


def require_real_tools() -> Path:
    """``.venv-syntool/bin`` with the real tools; skips (fails under CI) without them."""
    missing = [name for name in TOOL_VARIABLES.values() if not (REAL_TOOLS / name).exists()]
    if missing:
        message = f'the real Syntool tools are not installed ({", ".join(missing)}): run '
        message += 'scripts/install_syntool.sh (it needs ../shared/vendor/syntool)'
        if os.environ.get('CI', '').lower() == 'true':
            pytest.fail(f'CI must build them: {message}')
        pytest.skip(message)
    return REAL_TOOLS


def real_tool_commands() -> dict[str, str]:
    """The variables configuring OceanDataLab's real tools by path."""
    tools = require_real_tools()
    return {variable: str(tools / name) for variable, name in TOOL_VARIABLES.items()}


def stand_in_converter_commands() -> dict[str, str]:
    """The real ingestor and meta2sql, and the stand-in converter (for types that cannot run
    here) run by the real tools' interpreter."""
    return {
        **real_tool_commands(),
        'GEOSPAAS_PROCESSING_SYNTOOL_CONVERTER': shlex.join(
            [str(REAL_TOOLS / 'python'), str(STAND_INS / 'syntool-converter-geotiff')]
        ),
    }


def stand_in_ingestor_commands() -> dict[str, str]:
    """The real meta2sql and the stand-in ingestor of the package's readers' outputs."""
    return {
        **real_tool_commands(),
        'GEOSPAAS_PROCESSING_SYNTOOL_INGESTOR': shlex.join(
            [sys.executable, str(STAND_INS / 'syntool-ingestor')]
        ),
    }


def set_variables(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> dict[str, str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def real_syntool_tools(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """OceanDataLab's real tools configured by path; returns the variables set."""
    return set_variables(monkeypatch, real_tool_commands())


@pytest.fixture
def syntool_tools(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Real ingestor and meta2sql; the stand-in converter for types that cannot run here."""
    return set_variables(monkeypatch, stand_in_converter_commands())


@pytest.fixture
def reader_tools(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Real meta2sql; the stand-in ingestor for the package's readers' netCDF outputs."""
    return set_variables(monkeypatch, stand_in_ingestor_commands())


def run_with_tools_python(script: Path, *arguments: str | Path) -> None:
    """Run an input generator with the tools' interpreter (it has pyhdf, netCDF4, GDAL)."""
    subprocess.run(
        [str(require_real_tools() / 'python'), str(script), *map(str, arguments)],
        check=True,
        capture_output=True,
        text=True,
    )


@pytest.fixture
def results_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty GEOSPAAS_PROCESSING_SYNTOOL_RESULTS_DIR."""
    path = tmp_path / 'syntool_results'
    monkeypatch.setenv('GEOSPAAS_PROCESSING_SYNTOOL_RESULTS_DIR', str(path))
    return path


def mariadb_connection(database: str | None = None):
    import pymysql

    return pymysql.connect(
        host='127.0.0.1', port=3306, user='root', password='', database=database, autocommit=True
    )


@pytest.fixture
def portal_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A MariaDB database of this test only (dropped afterwards), set as the portal database."""
    name = f'geospaas_test_syntool_{uuid.uuid4().hex[:10]}'
    with mariadb_connection() as connection, connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE `{name}`')
    monkeypatch.setenv('SYNTOOL_DATABASE_HOST', '127.0.0.1')
    monkeypatch.setenv('SYNTOOL_DATABASE_PORT', '3306')
    monkeypatch.setenv('SYNTOOL_DATABASE_NAME', name)
    monkeypatch.setenv('SYNTOOL_DATABASE_USER', 'root')
    try:
        yield name
    finally:
        with mariadb_connection() as connection, connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS `{name}`')


def portal_rows(database: str, table: str) -> list[tuple]:
    """Every row of a portal table, sorted (``[]`` when the table does not exist)."""
    import pymysql

    with mariadb_connection(database) as connection, connection.cursor() as cursor:
        try:
            cursor.execute(f'SELECT * FROM `{table}`')
        except pymysql.err.ProgrammingError:
            return []
        return sorted(cursor.fetchall())


def portal_tables(database: str) -> set[str]:
    with mariadb_connection(database) as connection, connection.cursor() as cursor:
        cursor.execute('SHOW TABLES')
        return {row[0] for row in cursor.fetchall()}


def write_argo_profiles(path: Path, profiles: int = 2, levels: int = 5) -> Path:
    """An Argo GDAC-style profile file (LATITUDE, LONGITUDE, JULD, PRES, TEMP, PSAL, DOXY)."""
    import netCDF4

    path.parent.mkdir(parents=True, exist_ok=True)
    days = (datetime(2024, 3, 1, tzinfo=UTC) - datetime(1950, 1, 1, tzinfo=UTC)).days
    with netCDF4.Dataset(path, 'w') as dataset:
        dataset.createDimension('N_PROF', profiles)
        dataset.createDimension('N_LEVELS', levels)
        for name, values in (
            ('LATITUDE', np.linspace(70, 71, profiles)),
            ('LONGITUDE', np.linspace(5, 6, profiles)),
            ('JULD', np.full(profiles, days + 0.5)),
        ):
            dataset.createVariable(name, 'f8', ('N_PROF',), fill_value=99999.0)[:] = values
        pressure = np.tile(np.linspace(5, 500, levels), (profiles, 1))
        for name, values in (
            ('PRES', pressure),
            ('TEMP', 8 - pressure / 100),
            ('PSAL', np.full((profiles, levels), 35.0)),
            ('DOXY', np.full((profiles, levels), 300.0)),
        ):
            variable = dataset.createVariable(
                name, 'f4', ('N_PROF', 'N_LEVELS'), fill_value=99999.0
            )
            variable[:] = values
    return path


def write_model(path: Path) -> Path:
    """A model temperature file on (time, depth, lat, lon) with 1-D coordinates."""
    import netCDF4

    path.parent.mkdir(parents=True, exist_ok=True)
    with netCDF4.Dataset(path, 'w') as dataset:
        for name, values in (
            ('time', [0.0]),
            ('depth', [0.0, 100.0, 1000.0]),
            ('lat', np.arange(60, 80, 1.0)),
            ('lon', np.arange(-10, 20, 1.0)),
        ):
            dataset.createDimension(name, len(values))
            dataset.createVariable(name, 'f8', (name,))[:] = values
        temperature = dataset.createVariable('temperature', 'f4', ('time', 'depth', 'lat', 'lon'))
        temperature[:] = np.broadcast_to(
            np.array([10.0, 5.0, 1.0])[None, :, None, None], (1, 3, 20, 30)
        )
    return path
