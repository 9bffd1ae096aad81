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
    'GEOSPAAS_PROCESSING_SYNTOOL_PYTHON': 'python',
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


# The 10 km northern grid of OSI SAF's sea ice concentration (OSI-401-b): 760 x 1120 cells,
# centres xc = -3845 + 10 i km, yc = 5845 - 10 j km, polar stereographic true at 70 N
# around 45 W on the Hughes ellipsoid. Source: OSI SAF Product User Manual for OSI-401-b
# (SAF/OSI/CDOP2/DMI_MET/TEC/MA/204 v1.4), appendix C (netCDF header); the same grid
# mapping attributes are listed in the Copernicus Marine catalogue entry of the
# southern product (METNO-GLO-SEAICE_CONC-SOUTH-L4-NRT-OBS: +a=6378273 +b=6356889.44891).
OSISAF_NH_GRID = {
    'grid_mapping_name': 'polar_stereographic',
    'straight_vertical_longitude_from_pole': -45.0,
    'latitude_of_projection_origin': 90.0,
    'standard_parallel': 70.0,
    'false_easting': 0.0,
    'false_northing': 0.0,
    'semi_major_axis': 6378273.0,
    'semi_minor_axis': 6356889.44891,
    'proj4_string': '+proj=stere +a=6378273 +b=6356889.44891 +lat_0=90 +lat_ts=70 +lon_0=-45',
}


def osisaf_nh_file(path: Path, first_column: int, first_row: int, size: int = 60):
    """An open netCDF4 dataset with an OSI SAF 10 km northern grid cut (see ``OSISAF_NH_GRID``).

    Written: ``time`` (2024-03-01 12:00, seconds since 1978-01-01) and ``time_bnds``,
    ``Polar_Stereographic_Grid``, ``xc``/``yc`` in km, on dimensions ``time``, ``nv``,
    ``xc``, ``yc``; the caller adds the product's variable and closes the dataset.
    """
    import netCDF4

    path.parent.mkdir(parents=True, exist_ok=True)
    x = -3845.0 + 10.0 * np.arange(first_column, first_column + size)
    y = 5845.0 - 10.0 * np.arange(first_row, first_row + size)
    seconds = (
        datetime(2024, 3, 1, 12, tzinfo=UTC) - datetime(1978, 1, 1, tzinfo=UTC)
    ).total_seconds()
    dataset = netCDF4.Dataset(path, 'w', format='NETCDF4_CLASSIC')
    dataset.setncatts({'institution': 'EUMETSAT OSI SAF', 'Conventions': 'CF-1.4'})
    for name, length in (('time', 1), ('nv', 2), ('xc', size), ('yc', size)):
        dataset.createDimension(name, length)
    time = dataset.createVariable('time', 'f8', ('time',))
    time.setncatts({'units': 'seconds since 1978-01-01 00:00:00', 'calendar': 'standard'})
    time[:] = [seconds]
    bounds = dataset.createVariable('time_bnds', 'f8', ('time', 'nv'))
    bounds[:] = [[seconds - 43200, seconds + 43200]]
    grid = dataset.createVariable('Polar_Stereographic_Grid', 'i4')
    grid.setncatts(OSISAF_NH_GRID)
    for name, values in (('xc', x), ('yc', y)):
        coordinate = dataset.createVariable(name, 'f8', (name,))
        coordinate.setncatts({'units': 'km', 'axis': name[0].upper()})
        coordinate[:] = values
    return dataset


def write_osisaf_ice_conc(path: Path, first_column: int = 345, first_row: int = 545) -> Path:
    """An OSI SAF sea ice concentration file: a 60 x 60 cut of the 10 km northern grid.

    Layout (variables, dimensions, attributes): the OSI-401-b Product User Manual's
    netCDF header (see ``OSISAF_NH_GRID``): ``time`` in seconds since 1978-01-01,
    ``xc``/``yc`` in km, ``Polar_Stereographic_Grid``, ``ice_conc(time, yc, xc)`` as
    integers with ``scale_factor`` 0.01 and ``_FillValue`` -32767, ``status_flag``. The
    values are synthetic (a gradient from open water to full cover, a land corner), and
    ``lat``/``lon`` are left out (the reader uses the projected grid).
    """
    size = 60
    with osisaf_nh_file(path, first_column, first_row, size) as dataset:
        rows, columns = np.meshgrid(np.arange(size), np.arange(size), indexing='ij')
        concentration = np.clip((rows + columns) * 100.0 / (2 * size - 30) - 20, 0, 100)
        concentration = np.ma.masked_where((rows < 10) & (columns < 10), concentration)  # land
        ice = dataset.createVariable('ice_conc', 'i4', ('time', 'yc', 'xc'), fill_value=-32767)
        ice.setncatts(
            {
                'long_name': 'concentration of sea ice',
                'standard_name': 'sea_ice_area_fraction',
                'units': '%',
                'valid_min': 0,
                'valid_max': 10000,
                'grid_mapping': 'Polar_Stereographic_Grid',
                'coordinates': 'lat lon',
                'scale_factor': 0.01,
            }
        )
        ice[0] = concentration
        flag = dataset.createVariable('status_flag', 'i1', ('time', 'yc', 'xc'))
        flag.setncatts({'grid_mapping': 'Polar_Stereographic_Grid'})
        flag[0] = np.where(np.ma.getmaskarray(concentration), 1, 0)
    return path


# OSI SAF sea ice type categories (flag_values: flag_meanings).
OSISAF_ICE_TYPES = {1: 'open water', 2: 'first-year ice', 3: 'multi-year ice', 4: 'ambiguous'}


def write_osisaf_ice_type(path: Path, first_column: int = 345, first_row: int = 545) -> Path:
    """An OSI SAF sea ice type file (OSI-403): a 60 x 60 cut of the 10 km northern grid.

    The grid, time and grid mapping are those of the concentration product
    (``osisaf_nh_file``): the ice type product is distributed on the same 10 km polar
    stereographic grid (file names ``ice_type_nh_polstere-100_multi_<date>1200.nc``).
    ``ice_type(time, yc, xc)`` with ``flag_values`` 1 2 3 4 and ``flag_meanings``
    ``open_water first_year_ice multi_year_ice ambiguous`` and a ``_FillValue`` of -1:
    from memory of the OSI SAF Sea Ice Type Product User Manual (OSI-403) netCDF header;
    no copy of the manual could be consulted here, so the dtype and fill value are not
    checked against it. Values are synthetic: open water in the first 15 rows, first-year
    ice down to row 30, multi-year ice below, one ambiguous cell at (45, 45), land (fill
    value) in the first 10 x 10 cells.
    """
    size = 60
    with osisaf_nh_file(path, first_column, first_row, size) as dataset:
        rows, columns = np.meshgrid(np.arange(size), np.arange(size), indexing='ij')
        types = np.where(rows < 15, 1, np.where(rows < 30, 2, 3))
        types[45, 45] = 4
        types = np.ma.masked_where((rows < 10) & (columns < 10), types)  # land
        variable = dataset.createVariable('ice_type', 'i1', ('time', 'yc', 'xc'), fill_value=-1)
        variable.setncatts(
            {
                'long_name': 'sea ice type',
                'grid_mapping': 'Polar_Stereographic_Grid',
                'coordinates': 'lat lon',
                'flag_values': np.array(sorted(OSISAF_ICE_TYPES), 'i1'),
                'flag_meanings': ' '.join(
                    name.replace(' ', '_').replace('-', '_') for name in OSISAF_ICE_TYPES.values()
                ),
            }
        )
        variable[0] = types
    return path


def write_cmems_currents(
    path: Path, source: str = 'total', whole_globe: bool = False, subset: bool = False
) -> Path:
    """A Copernicus Marine L4 surface current file, cut to 70-80 N.

    ``source='total'``: the multi-observation currents (MULTIOBS_GLO_PHY_NRT_015_003):
    ``uo``/``vo`` in m/s on ``(time, depth, latitude, longitude)``, 0.25 degree cells,
    longitudes -180..180, cut to 0-20 E. ``source='sla'``: the DUACS L4 sea level maps
    (SEALEVEL_GLO_PHY_L4_NRT_008_046): ``ugos``/``vgos`` and the sea level anomaly
    ``sla`` (m) on ``(time, latitude, longitude)``, every longitude of the 0.25 degree
    grid in 0..360. Source: the variable
    and dimension names are those of the products' user manuals (CMEMS-MOB-PUM-015-003/004
    and CMEMS-SL-PUM-008-032-068, "netCDF format" sections), written from memory of them:
    no copy of either manual could be consulted here, so the attributes beyond names,
    units and dimensions (e.g. the exact ``time`` units) are not checked against them.
    Values are synthetic: a current of 0.5 m/s towards the north-east, a sea level
    anomaly of 0.2 m, land (fill values) in the first 4 x 4 cells. ``whole_globe``: every
    latitude and longitude, in 1 degree cells (coarser than the products', to stay small).
    ``subset``: 0-20 E only for either source, as a regional subset downloaded from
    Copernicus Marine (its subsetting service keeps the variables and dimensions).
    """
    import netCDF4

    path.parent.mkdir(parents=True, exist_ok=True)
    latitudes = np.arange(-89.5, 90, 1.0) if whole_globe else np.arange(70.125, 80, 0.25)
    if whole_globe:
        longitudes = np.arange(-179.5, 180, 1.0)
    elif source == 'total' or subset:
        longitudes = np.arange(0.125, 20, 0.25)
    else:
        longitudes = np.arange(0.125, 360, 0.25)
    if source == 'total':
        names, dimensions = ('uo', 'vo'), ('time', 'depth', 'latitude', 'longitude')
    else:
        names, dimensions = ('ugos', 'vgos'), ('time', 'latitude', 'longitude')
    component = 0.5 / np.sqrt(2)
    with netCDF4.Dataset(path, 'w') as dataset:
        dataset.setncatts({'institution': 'CLS', 'Conventions': 'CF-1.6'})
        coordinates = {'time': [27088.0], 'latitude': latitudes, 'longitude': longitudes}
        if source == 'total':
            coordinates['depth'] = [0.0, 15.0]
        for name, values in coordinates.items():
            dataset.createDimension(name, len(values))
            variable = dataset.createVariable(name, 'f8', (name,))
            variable[:] = values
        dataset['time'].units = 'days since 1950-01-01 00:00:00'  # 27088: 2024-03-01
        dataset['latitude'].units, dataset['longitude'].units = 'degrees_north', 'degrees_east'
        shape = tuple(len(coordinates[name]) for name in dimensions)
        for name in names:
            variable = dataset.createVariable(name, 'f4', dimensions, fill_value=-2147483647.0)
            variable.units = 'm s-1'
            values = np.ma.masked_array(np.full(shape, component), mask=False)
            values[..., :4, :4] = np.ma.masked
            variable[:] = values
        if source == 'sla':
            sla = dataset.createVariable('sla', 'f4', dimensions, fill_value=-2147483647.0)
            sla.units = 'm'
            values = np.ma.masked_array(np.full(shape, 0.2), mask=False)
            values[..., :4, :4] = np.ma.masked
            sla[:] = values
    return path


# GHRSST L4 analyses (OSTIA, REMSS MW_OI): the GDS 2.0 facts are those cited by
# tests/converters/product_files.py (write_ghrsst_l4_ostia, write_ghrsst_l4_mw_oi).
GHRSST_EPOCH = datetime(1981, 1, 1)
GDS2_MASK = {'water': 1, 'land': 2, 'sea_ice': 8}


def write_ghrsst_l4(path: Path, institution: str = 'UKMO') -> Path:
    """A GHRSST L4 foundation SST analysis of 2024-03-01, 45-80 N, 0-20 E, 0.5 degree cells.

    Sources: GHRSST GDS 2.0 revision 5 (zenodo.org/records/4700466), L4 files:
    ``analysed_sst(time, lat, lon)`` int16 in kelvin with ``scale_factor`` 0.01,
    ``add_offset`` 273.15 and ``_FillValue`` -32768 (the GDS example packing; OSTIA's and
    MW_OI's own packing were not found in a public description), ``time`` in seconds
    since 1981-01-01, ``mask(time, lat, lon)`` byte with flag_masks ``1 2 4 8 16`` =
    ``water land optional_lake_surface sea_ice optional_river_surface``, global
    attributes ``time_coverage_start``/``time_coverage_end`` (``YYYYmmddTHHMMSSZ``).
    The time at noon of a day covering that day follows product_files.py's L4 writers;
    no public source consulted here states OSTIA's or MW_OI's own time of day.
    Values are synthetic: ``275 + 0.1 * row`` K, rows counted from the south; land (fill
    value, mask 2) in the 4 x 4 cells of the north-west corner; sea ice (mask water +
    sea_ice) in the north-east corner cell.
    """
    import netCDF4

    path.parent.mkdir(parents=True, exist_ok=True)
    latitudes = np.arange(45.25, 80, 0.5)
    longitudes = np.arange(0.25, 20, 0.5)
    shape = (1, len(latitudes), len(longitudes))
    with netCDF4.Dataset(path, 'w') as dataset:
        for name, values in (('lat', latitudes), ('lon', longitudes)):
            dataset.createDimension(name, len(values))
            variable = dataset.createVariable(name, 'f4', (name,))
            variable[:] = values
        dataset['lat'].units, dataset['lon'].units = 'degrees_north', 'degrees_east'
        dataset.createDimension('time', 1)
        time = dataset.createVariable('time', 'i4', ('time',))
        time.units = 'seconds since 1981-01-01 00:00:00'
        time[:] = [int((datetime(2024, 3, 1, 12) - GHRSST_EPOCH).total_seconds())]
        sst = dataset.createVariable(
            'analysed_sst', 'i2', ('time', 'lat', 'lon'), fill_value=np.int16(-32768)
        )
        sst.setncatts(
            {'scale_factor': np.float32(0.01), 'add_offset': np.float32(273.15), 'units': 'kelvin'}
        )
        rows = np.arange(len(latitudes))[None, :, None]
        values = np.ma.masked_array(np.broadcast_to(275.0 + 0.1 * rows, shape).copy())
        values[0, -4:, :4] = np.ma.masked  # north-west corner (rows go south to north)
        sst[:] = values
        mask = dataset.createVariable(
            'mask', 'i1', ('time', 'lat', 'lon'), fill_value=np.int8(-128)
        )
        mask.setncatts(
            {
                'flag_masks': np.array([1, 2, 4, 8, 16], 'i1'),
                'flag_meanings': 'water land optional_lake_surface sea_ice optional_river_surface',
            }
        )
        flags = np.full(shape, GDS2_MASK['water'], 'i1')
        flags[0, -4:, :4] = GDS2_MASK['land']
        flags[0, -1, -1] = GDS2_MASK['water'] | GDS2_MASK['sea_ice']
        mask[:] = flags
        dataset.setncatts(
            {
                'Conventions': 'CF-1.7, ACDD-1.3',
                'gds_version_id': '2.0',
                'institution': institution,
                'time_coverage_start': '20240301T000000Z',
                'time_coverage_end': '20240302T000000Z',
            }
        )
    return path


def write_marine_heatwaves(path: Path) -> Path:
    """A NOAA Coral Reef Watch Marine Heatwave Watch file of 2024-03-01, 45-80 N, 0-20 E.

    Sources: the product page (coralreefwatch.noaa.gov/product/marine_heatwave/): a daily
    global 5 km (0.05 degree) grid of the Hobday et al. (2018) categories from CoralTemp;
    the categories 0 (none) to 4 (extreme) of Hobday et al. (2018), Oceanography 31(2).
    No public description of the file's variables was found: the names
    ``heatwave_category(time, lat, lon)``, ``mask`` (non-zero off the ocean), ``time``
    with CF units and latitudes from south to north are what upstream
    django-geo-spaas-processing's reader (extra_readers/marine_heatwaves.py) reads and
    assumes; the byte dtypes and the time units are neutral choices. The cells are
    0.5 degree (coarser than the product's, to stay small). Values are synthetic: the
    category is the column index // 8 (0..4 from west to east); land (mask 1) in the
    4 x 4 cells of the south-west corner.
    """
    import netCDF4

    path.parent.mkdir(parents=True, exist_ok=True)
    latitudes = np.arange(45.25, 80, 0.5)
    longitudes = np.arange(0.25, 20, 0.5)
    shape = (1, len(latitudes), len(longitudes))
    with netCDF4.Dataset(path, 'w') as dataset:
        dataset.setncatts({'institution': 'NOAA Coral Reef Watch', 'Conventions': 'CF-1.6'})
        for name, values in (('lat', latitudes), ('lon', longitudes)):
            dataset.createDimension(name, len(values))
            variable = dataset.createVariable(name, 'f4', (name,))
            variable[:] = values
        dataset.createDimension('time', 1)
        time = dataset.createVariable('time', 'f8', ('time',))
        time.units = 'seconds since 1981-01-01 00:00:00'
        time[:] = [(datetime(2024, 3, 1, 12) - datetime(1981, 1, 1)).total_seconds()]
        categories = np.broadcast_to(np.arange(len(longitudes)) // 8, shape).astype('i1')
        variable = dataset.createVariable('heatwave_category', 'i1', ('time', 'lat', 'lon'))
        variable[:] = categories
        mask = np.zeros(shape, 'i1')
        mask[0, :4, :4] = 1
        dataset.createVariable('mask', 'i1', ('time', 'lat', 'lon'))[:] = mask
    return path
