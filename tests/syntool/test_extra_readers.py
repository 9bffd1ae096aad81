"""The package's GDAL readers (converters/syntool/extra_readers), run as the package runs
them: ``<tools python> -m <reader module>`` with syntool-converter's command line.

What a reader must write is what the real converter writes: the tags of
``../shared/vendor/syntool/reference/converter_tiff.gdalinfo.txt`` (a real converter
output). Inputs are synthetic files in the product's published layout (each writer in
tests/syntool/fixtures.py cites its source).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
import subprocess
from pathlib import Path

import netCDF4
import pytest

from geospaas_processing.converters.errors import ConversionToolError
from geospaas_processing.converters.syntool import products
from geospaas_processing.converters.syntool.configuration import GDAL_READER_TOOL
from geospaas_processing.converters.syntool.converter import (
    GDAL_READERS_PACKAGE,
    SyntoolConverter,
)
from tests.syntool.fixtures import (
    REPOSITORY,
    VENDOR,
    require_real_tools,
    write_cmems_currents,
    write_ghrsst_l4,
    write_marine_heatwaves,
    write_osisaf_ice_conc,
    write_osisaf_ice_type,
)
from tests.syntool.test_real_tools import real_types

GRANULE = 'ice_conc_nh_polstere-100_multi_202403011200'
REFERENCE_INFO = VENDOR / 'reference' / 'converter_tiff.gdalinfo.txt'


def gdal_readers() -> dict[str, object]:
    return {
        configuration.converter_type: configuration
        for selector in products.PARAMETER_SELECTORS
        for configuration in selector.parameters['configurations']
        if configuration.tool == GDAL_READER_TOOL
    }


def run_reader(reader_type: str, in_file: Path, out_dir: Path, *options: str):
    command = [str(require_real_tools() / 'python'), '-m', f'{GDAL_READERS_PACKAGE}.{reader_type}']
    command += ['-t', reader_type, '-i', str(in_file), '-o', str(out_dir)]
    if options:
        command += ['-opt', *options]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        env={'PYTHONPATH': str(REPOSITORY), 'PATH': '/usr/bin:/bin'},
    )


def with_tools_gdal(script: str, path: Path) -> str:
    """What ``script`` (``sys.argv[1]`` is ``path``) prints, run by the tools' Python."""
    completed = subprocess.run(
        [
            str(require_real_tools() / 'python'),
            '-c',
            f'import sys; from osgeo import gdal; {script}',
        ]
        + [str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


def gdal_info(path: Path) -> dict:
    """``gdalinfo -json`` of a file, by the tools' GDAL."""
    script = "import json; print(json.dumps(gdal.Info(sys.argv[1], format='json', "
    script += 'showColorTable=True)))'
    return json.loads(with_tools_gdal(script, path))


def reference_metadata_names() -> set[str]:
    """The dataset metadata items of the real converter's GeoTIFF."""
    text = REFERENCE_INFO.read_text()
    block = text[text.index('\nMetadata:\n') : text.index('Image Structure Metadata:')]
    return set(re.findall(r'^  (\w+)=', block, flags=re.MULTILINE))


def test_every_gdal_reader_type_has_a_module_and_is_not_a_real_converter_type():
    readers = gdal_readers()
    assert {
        'osisaf_sea_ice_conc',
        'current_cmems_l4',
        'ostia_sst',
        'remss_l4_mw_sst',
        'sla_cmems_l4',
        'osisaf_sea_ice_type',
        'marine_heatwaves',
    } <= set(readers)
    for reader_type in readers:
        assert importlib.util.find_spec(f'{GDAL_READERS_PACKAGE}.{reader_type}'), reader_type
    assert not set(readers) & real_types()
    assert not set(readers) & products.TYPES_OUTSIDE_PUBLIC_CONVERTER


def test_osisaf_sea_ice_conc_writes_the_converters_geotiff(tmp_path):
    source = write_osisaf_ice_conc(tmp_path / f'{GRANULE}.nc')
    completed = run_reader('osisaf_sea_ice_conc', source, tmp_path / 'out')
    assert completed.returncode == 0, completed.stderr
    # The converter's layout: <out>/<product_name lowercased>/<name>.tiff.
    (tiff,) = (tmp_path / 'out').rglob('*.tiff')
    assert tiff.relative_to(tmp_path / 'out') == Path(
        'osisaf_sea_ice_concentration', f'{GRANULE}.tiff'
    )
    info = gdal_info(tiff)
    metadata = info['metadata']['']
    assert set(metadata) == reference_metadata_names()
    assert metadata['product_name'] == '"OSISAF_sea_ice_concentration"'
    assert metadata['name'] == f'"{GRANULE}"'
    assert metadata['datetime'] == '"2024-03-01T12:00:00"'  # the file's time variable
    assert metadata['time_range'] == '"-12h" "+12h"'
    (band,) = info['bands']
    assert (band['type'], band['noDataValue'], band['colorInterpretation']) == (
        'Byte',
        255,
        'Palette',
    )
    assert (band['description'], band['unit']) == ('"sea ice concentration"', '"%"')
    assert (band['offset'], band['scale']) == (0, pytest.approx(100 / 254))
    assert band['metadata']['']['parameter_range'] == '0.0 100.0'
    assert band['colorTable']['count'] == 256
    # The product's own grid: polar stereographic north (the ingestor needs an EPSG code
    # it knows), cell edges from the 10 km cell centres xc, yc.
    assert info['coordinateSystem']['wkt'].endswith('ID["EPSG",3413]]')
    assert info['geoTransform'] == [-400000.0, 10000.0, 0.0, 400000.0, 0.0, -10000.0]
    assert info['size'] == [60, 60]


def test_osisaf_values_land_and_open_water(tmp_path):
    source = write_osisaf_ice_conc(tmp_path / f'{GRANULE}.nc')
    assert run_reader('osisaf_sea_ice_conc', source, tmp_path / 'out').returncode == 0
    (tiff,) = (tmp_path / 'out').rglob('*.tiff')
    script = (
        'a = gdal.Open(sys.argv[1]).ReadAsArray(); print(a[0, 0], a[5, 12], a[30, 33], a[59, 59])'
    )
    land, open_water, half, full = map(int, with_tools_gdal(script, tiff).split())
    with netCDF4.Dataset(source) as dataset:
        concentration = dataset['ice_conc'][0]
    # The input's cells: land (fill value), open water, 50 % and 100 % ice.
    assert concentration.mask[0, 0] and concentration[5, 12] == 0
    assert (concentration[30, 33], concentration[59, 59]) == (50, 100)
    # Nodata for land and open water; value = index * 100 / 254.
    assert (land, open_water, half, full) == (255, 255, 127, 254)


def read_bands(tiff: Path) -> list[list[list[int]]]:
    return json.loads(with_tools_gdal('print(gdal.Open(sys.argv[1]).ReadAsArray().tolist())', tiff))


CURRENTS = {
    # source option: (entry_id, product, geotransform, land cell (row, column))
    'total': (
        'cmems_obs-mob_glo_phy-cur_nrt_0.25deg_P1D-m_20240301',
        'CMEMS_L4_currents',
        [0.0, 0.25, 0.0, 80.0, 0.0, -0.25],
        (39, 0),
    ),
    # 0..360 longitudes put in -180..180 order: 0.125 E is column 720.
    'sla': (
        'nrt_global_allsat_phy_l4_20240301_20240307',
        'CMEMS_L4_geostrophic_currents',
        [-180.0, 0.25, 0.0, 80.0, 0.0, -0.25],
        (39, 720),
    ),
}


@pytest.mark.parametrize('source', sorted(CURRENTS))
def test_cmems_currents_write_the_converters_vector_field(tmp_path, source):
    entry_id, product, geotransform, (land_row, land_column) = CURRENTS[source]
    input_file = write_cmems_currents(tmp_path / f'{entry_id}.nc', source)
    options = ('source=sla',) if source == 'sla' else ()
    completed = run_reader('current_cmems_l4', input_file, tmp_path / 'out', *options)
    assert completed.returncode == 0, completed.stderr
    (tiff,) = (tmp_path / 'out').rglob('*.tiff')
    assert tiff.relative_to(tmp_path / 'out') == Path(product.lower(), f'{entry_id}.tiff')
    info = gdal_info(tiff)
    metadata = info['metadata']['']
    assert set(metadata) == reference_metadata_names()
    assert metadata['product_name'] == f'"{product}"'
    assert metadata['parameter'] == '"current velocity" "current direction"'
    assert metadata['datetime'] == '"2024-03-01T00:00:00"'
    assert metadata['time_range'] == '"+0h" "+24h"'  # a daily field dated at midnight
    assert info['geoTransform'] == geotransform
    assert info['coordinateSystem']['wkt'].endswith('ID["EPSG",4326]]')
    # The real current readers' two bands (mercator_current.py).
    velocity, direction = info['bands']
    assert (velocity['description'], velocity['unit']) == ('"current velocity"', '"m/s"')
    assert (direction['description'], direction['unit']) == ('"current direction"', '"deg"')
    assert velocity['scale'] == pytest.approx(5.08 / 254)
    assert direction['scale'] == pytest.approx(360 / 254)
    assert 'colorTable' in velocity and 'colorTable' not in direction
    speeds, angles = read_bands(tiff)
    # 0.5 m/s towards the north-east (45 degrees from east); land: nodata in both.
    assert (speeds[0][0], angles[0][0]) == (25, 32)
    assert (speeds[land_row][land_column], angles[land_row][land_column]) == (255, 255)


def test_cmems_currents_without_the_sources_variables_name_them(tmp_path):
    input_file = write_cmems_currents(tmp_path / 'dataset-uv-nrt-daily_20240301.nc')
    completed = run_reader('current_cmems_l4', input_file, tmp_path / 'out', 'source=sla')
    assert completed.returncode == 1
    assert 'no ugos and vgos variable(s)' in completed.stderr
    completed = run_reader('current_cmems_l4', input_file, tmp_path / 'out', 'source=wind')
    assert 'source=wind is not one of total, sla' in completed.stderr


def test_a_file_that_is_not_osisaf_is_refused_with_a_message(tmp_path):
    source = tmp_path / 'other.nc'
    with netCDF4.Dataset(source, 'w') as dataset:
        dataset.createDimension('x', 2)
        dataset.createVariable('sst', 'f4', ('x',))
    completed = run_reader('osisaf_sea_ice_conc', source, tmp_path / 'out')
    assert completed.returncode == 1
    assert 'no ice_conc variable: not an OSI SAF sea ice concentration file' in completed.stderr
    assert not (tmp_path / 'out').exists() or not list((tmp_path / 'out').rglob('*.tiff'))


def test_an_unknown_option_is_refused(tmp_path):
    source = write_osisaf_ice_conc(tmp_path / f'{GRANULE}.nc')
    completed = run_reader('osisaf_sea_ice_conc', source, tmp_path / 'out', 'vmax=50')
    assert completed.returncode == 1
    assert 'unknown option(s) vmax (this reader has: none)' in completed.stderr


def test_a_reader_failure_names_the_command_and_the_readers_message(real_syntool_tools, tmp_path):
    source = tmp_path / f'{GRANULE}.nc'
    source.write_bytes(b'not netCDF')
    out_dir = tmp_path / 'out'
    out_dir.mkdir()
    (configuration,) = [gdal_readers()['osisaf_sea_ice_conc']]
    outcome = SyntoolConverter([configuration]).run_all(source, out_dir)
    ((name, error),) = outcome.failures
    assert isinstance(error, ConversionToolError)
    message = str(error)
    assert f'-m {GDAL_READERS_PACKAGE}.osisaf_sea_ice_conc -t osisaf_sea_ice_conc' in message
    assert f'-i {source}' in message and 'exited with status 1' in message
    assert 'osisaf_sea_ice_conc:' in message  # the reader's own explanation
    assert list(out_dir.iterdir()) == []


def test_a_global_current_grid_is_cut_for_the_3413_portal(real_syntool_tools, tmp_path):
    # The real ingestor cannot put a global grid on the EPSG:3413 portal ("Not valid
    # simplified shape"); the package's configuration cuts it at 50 N, which it can.
    source = write_cmems_currents(
        tmp_path / 'dataset-uv-nrt-daily_20240301T0000Z_P20240306T0000Z.nc', whole_globe=True
    )
    (configured,) = [
        configuration
        for selector in products.PARAMETER_SELECTORS
        for configuration in selector.parameters['configurations']
        if configuration.name == 'CMEMS_L4_currents'
    ]
    assert configured.converter_options['min_latitude'] == '50'
    uncut = dataclasses.replace(configured, converter_options={})
    for configuration, works in ((uncut, False), (configured, True)):
        out_dir = tmp_path / f'out_{works}'
        out_dir.mkdir()
        outcome = SyntoolConverter([configuration]).run_all(source, out_dir)
        if not works:
            ((_, error),) = outcome.failures
            assert 'Not valid simplified shape' in str(error)
            continue
        assert outcome.failures == []
        (result,) = outcome.results
        metadata = json.loads((out_dir / result / 'metadata.json').read_text())
        assert metadata['output_type'] == 'VECTOR_FIELD'
        assert min(latitude for _, latitude in metadata['lonlat_shape']) >= 50 - 1e-6


GHRSST_L4 = {
    # type: (entry_id, product_name as the reader names it, institution)
    'ostia_sst': (
        '20240301120000-UKMO-L4_GHRSST-SSTfnd-OSTIA-GLOB-v02.0-fv02.0',
        'OSTIA_SST',
        'UKMO',
    ),
    # The real converter's ghrsst_oi_mw_sst names the REMSS analysis REMSS_MWOI_SST.
    'remss_l4_mw_sst': (
        '20240301120000-REMSS-L4_GHRSST-SSTfnd-MW_OI-GLOB-v02.0-fv05.1',
        'REMSS_MWOI_SST',
        'REMSS',
    ),
}


@pytest.mark.parametrize('reader_type', sorted(GHRSST_L4))
def test_ghrsst_l4_writes_the_converters_sst_geotiff(tmp_path, reader_type):
    entry_id, product, institution = GHRSST_L4[reader_type]
    source = write_ghrsst_l4(tmp_path / f'{entry_id}.nc', institution)
    completed = run_reader(reader_type, source, tmp_path / 'out')
    assert completed.returncode == 0, completed.stderr
    (tiff,) = (tmp_path / 'out').rglob('*.tiff')
    assert tiff.relative_to(tmp_path / 'out') == Path(product.lower(), f'{entry_id}.tiff')
    info = gdal_info(tiff)
    metadata = info['metadata']['']
    assert set(metadata) == reference_metadata_names()
    assert metadata['product_name'] == f'"{product}"'
    assert metadata['source_provider'] == f'"{institution}"'
    assert metadata['datetime'] == '"2024-03-01T12:00:00"'
    # time_coverage_start/end: the day around the noon time.
    assert metadata['time_range'] == '"-12h" "+12h"'
    # ghrsst_oi_mw_sst's band: K over 271.05..309.15, EPSG:4326, north up.
    (band,) = info['bands']
    assert (band['description'], band['unit']) == ('"sea surface temperature"', '"K"')
    assert (band['offset'], band['scale']) == (pytest.approx(271.05), pytest.approx(38.1 / 254))
    assert info['coordinateSystem']['wkt'].endswith('ID["EPSG",4326]]')
    assert info['geoTransform'] == [0.0, 0.5, 0.0, 80.0, 0.0, -0.5]
    assert info['size'] == [40, 70]
    values = read_bands(tiff)
    # North row: 275 + 0.1 * 69 = 281.9 K -> index 72; south row 275 K -> 26; land
    # (north-west corner) and sea ice (north-east corner): nodata.
    assert (values[0][10], values[69][10]) == (72, 26)
    assert (values[0][0], values[0][39]) == (255, 255)


def test_ghrsst_l4_cut_at_min_latitude(tmp_path):
    entry_id, _, _ = GHRSST_L4['ostia_sst']
    source = write_ghrsst_l4(tmp_path / f'{entry_id}.nc')
    completed = run_reader('ostia_sst', source, tmp_path / 'out', 'min_latitude=50')
    assert completed.returncode == 0, completed.stderr
    (tiff,) = (tmp_path / 'out').rglob('*.tiff')
    info = gdal_info(tiff)
    # Cell centres 50.25 .. 79.75 N are kept: 60 rows, north edge unchanged.
    assert info['size'] == [40, 60]
    assert info['geoTransform'][3] == 80.0


def test_a_file_without_analysed_sst_is_refused(tmp_path):
    source = write_cmems_currents(tmp_path / '20240301120000-UKMO-L4_GHRSST-SSTfnd-OSTIA.nc')
    completed = run_reader('ostia_sst', source, tmp_path / 'out')
    assert completed.returncode == 1
    assert 'no analysed_sst variable: not a GHRSST L4 file' in completed.stderr


def test_duacs_l4_sla_writes_the_converters_sea_level_geotiff(tmp_path):
    entry_id = 'nrt_global_allsat_phy_l4_20240301_20240307'
    source = write_cmems_currents(tmp_path / f'{entry_id}.nc', 'sla')
    completed = run_reader('sla_cmems_l4', source, tmp_path / 'out')
    assert completed.returncode == 0, completed.stderr
    (tiff,) = (tmp_path / 'out').rglob('*.tiff')
    assert tiff.relative_to(tmp_path / 'out') == Path('cmems_l4_sla', f'{entry_id}.tiff')
    info = gdal_info(tiff)
    metadata = info['metadata']['']
    assert set(metadata) == reference_metadata_names()
    assert metadata['product_name'] == '"CMEMS_L4_SLA"'
    assert metadata['datetime'] == '"2024-03-01T00:00:00"'
    # The real converter's duacs_sea_level band and time range for an SLA map.
    assert metadata['time_range'] == '"0s" "+86399s"'
    (band,) = info['bands']
    assert (band['description'], band['unit']) == ('"sla"', '"m"')
    assert (band['offset'], band['scale']) == (-1, pytest.approx(2 / 254))
    # 0..360 longitudes put in -180..180 order.
    assert info['geoTransform'] == [-180.0, 0.25, 0.0, 80.0, 0.0, -0.25]
    values = read_bands(tiff)
    # 0.2 m -> index 152; land (0.125 E, southern rows: row 39, column 720): nodata.
    assert (values[0][0], values[39][720]) == (152, 255)


def test_osisaf_sea_ice_type_writes_the_categories_on_the_products_grid(tmp_path):
    granule = 'ice_type_nh_polstere-100_multi_202403011200'
    source = write_osisaf_ice_type(tmp_path / f'{granule}.nc')
    completed = run_reader('osisaf_sea_ice_type', source, tmp_path / 'out')
    assert completed.returncode == 0, completed.stderr
    (tiff,) = (tmp_path / 'out').rglob('*.tiff')
    assert tiff.relative_to(tmp_path / 'out') == Path('osisaf_sea_ice_type', f'{granule}.tiff')
    info = gdal_info(tiff)
    metadata = info['metadata']['']
    assert set(metadata) == reference_metadata_names()
    assert metadata['product_name'] == '"OSISAF_sea_ice_type"'
    assert metadata['datetime'] == '"2024-03-01T12:00:00"'
    (band,) = info['bands']
    assert band['description'] == '"sea ice type"'
    # The category itself: GDAL lists no offset 0 or scale 1.
    assert (band.get('offset', 0), band.get('scale', 1)) == (0, 1)
    # The concentration's grid: EPSG:3413, the same cut of the 10 km grid.
    assert info['coordinateSystem']['wkt'].endswith('ID["EPSG",3413]]')
    assert info['geoTransform'] == [-400000.0, 10000.0, 0.0, 400000.0, 0.0, -10000.0]
    colours = band['colorTable']['entries']
    assert colours[2] != colours[3] != colours[4]
    values = read_bands(tiff)
    # Land and open water: nodata; first-year (2), multi-year (3), ambiguous (4) as such.
    assert (values[0][0], values[12][40], values[20][5], values[50][5], values[45][45]) == (
        255,
        255,
        2,
        3,
        4,
    )


def test_osisaf_sea_ice_type_refuses_unknown_categories(tmp_path):
    source = write_osisaf_ice_type(tmp_path / 'ice_type_nh_polstere-100_multi_202403011200.nc')
    with netCDF4.Dataset(source, 'a') as dataset:
        dataset['ice_type'][0, 50, 50] = 9
    completed = run_reader('osisaf_sea_ice_type', source, tmp_path / 'out')
    assert completed.returncode == 1
    assert 'ice_type has categories [9] beyond 1..4' in completed.stderr
    assert not list((tmp_path / 'out').rglob('*.tiff'))


def test_marine_heatwaves_writes_the_categories_north_up(tmp_path):
    entry_id = 'noaa-crw_mhw_20240301'
    source = write_marine_heatwaves(tmp_path / f'{entry_id}.nc')
    completed = run_reader('marine_heatwaves', source, tmp_path / 'out')
    assert completed.returncode == 0, completed.stderr
    (tiff,) = (tmp_path / 'out').rglob('*.tiff')
    assert tiff.relative_to(tmp_path / 'out') == Path(
        'noaa_crw_marine_heatwaves', f'{entry_id}.tiff'
    )
    info = gdal_info(tiff)
    metadata = info['metadata']['']
    assert set(metadata) == reference_metadata_names()
    assert metadata['product_name'] == '"NOAA_CRW_marine_heatwaves"'
    assert (metadata['datetime'], metadata['time_range']) == (
        '"2024-03-01T12:00:00"',
        '"-12h" "+12h"',
    )
    (band,) = info['bands']
    assert (band.get('offset', 0), band.get('scale', 1)) == (0, 1)
    # South-to-north latitudes written north up.
    assert info['geoTransform'] == [0.0, 0.5, 0.0, 80.0, 0.0, -0.5]
    values = read_bands(tiff)
    # Categories 0..4 west to east; land (south-west corner, now the last rows): nodata.
    assert [values[0][column] for column in (0, 8, 16, 24, 39)] == [0, 1, 2, 3, 4]
    assert (values[69][0], values[65][4]) == (255, 0)
