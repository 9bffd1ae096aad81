"""The real idf-converter on generated CF netCDF files, checking the IDF files it makes.

idf-converter runs from its own virtual environment (scripts/install_idf_converter.sh);
without it these tests are skipped (and fail under CI, which must install it).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import netCDF4
import numpy as np
import pytest

from geospaas_processing.catalog.records import DatasetRecord, create_dataset
from geospaas_processing.converters.errors import (
    ConversionInputError,
    ConversionToolError,
    ConversionToolMissing,
)
from geospaas_processing.converters.idf.converter import (
    IDFConverter,
    MultiFilesIDFConverter,
    convert_to_idf,
)
from geospaas_processing.converters.idf.runner import idf_converter_command
from geospaas_processing.demo.netcdf import GridSpec
from tests.converters import product_files

CCI_ENTRY_ID = '20240301120000-ESACCI-L4_GHRSST-SSTdepth-OSTIA-GLOB_CDR3.0-v02.0-fv01.0'
MODIS_ENTRY_ID = '20240301123000-JPL-L2P_GHRSST-SSTskin-MODIS_A-D-v02.0-fv01.0'
GRID = GridSpec(west=-10, south=40, east=5, north=50, resolution=0.5)  # product_files' grid
START = datetime(2024, 3, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def idf_converter_installed() -> str:
    try:
        return idf_converter_command()
    except ConversionToolMissing as missing:
        if os.environ.get('CI', '').lower() == 'true':
            pytest.fail(f'CI must install idf-converter: {missing}')
        pytest.skip(
            f'idf-converter is not installed (run scripts/install_idf_converter.sh): {missing}'
        )


def write_cci_file(path: Path) -> Path:
    """An ESA CCI SST L4 file laid out like the real product (see product_files)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    product_files.write_esa_cci_sst_l4(path)
    return path


def write_curvilinear_file(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Sea-ice thickness on a polar stereographic (y, x) grid with 2-D lat/lon; returns them."""
    radius, cell = 6371000.0, 25000.0
    x = (np.arange(-20, 20) + 0.5) * cell
    y = (np.arange(-15, 15) + 0.5) * cell - 1_500_000
    xx, yy = np.meshgrid(x, y)
    colatitude = 2 * np.arctan(np.hypot(xx, yy) / (2 * radius))
    lat = 90 - np.degrees(colatitude)
    lon = np.degrees(np.arctan2(xx, -yy))
    with netCDF4.Dataset(path, 'w') as nc:
        nc.createDimension('time', 1)
        nc.createDimension('y', y.size)
        nc.createDimension('x', x.size)
        for name, dims, values, attrs in (
            (
                'time',
                ('time',),
                [0.0],
                {'units': 'seconds since 2024-03-01 00:00:00', 'standard_name': 'time'},
            ),
            ('x', ('x',), x, {'units': 'm', 'standard_name': 'projection_x_coordinate'}),
            ('y', ('y',), y, {'units': 'm', 'standard_name': 'projection_y_coordinate'}),
            ('lat', ('y', 'x'), lat, {'units': 'degrees_north', 'standard_name': 'latitude'}),
            ('lon', ('y', 'x'), lon, {'units': 'degrees_east', 'standard_name': 'longitude'}),
        ):
            variable = nc.createVariable(name, 'f8', dims)
            variable.setncatts(attrs)
            variable[:] = values
        thickness = nc.createVariable(
            'sea_ice_thickness', 'f4', ('time', 'y', 'x'), fill_value=np.float32(-1)
        )
        thickness.setncatts(
            {'units': 'm', 'standard_name': 'sea_ice_thickness', 'long_name': 'sea ice thickness'}
        )
        thickness[0] = ice_thickness(lat)
        nc.setncatts(
            {
                'Conventions': 'CF-1.8',
                'title': 'Sea ice thickness on a polar stereographic grid',
                'time_coverage_start': '2024-03-01T00:00:00Z',
                'time_coverage_end': '2024-03-02T00:00:00Z',
            }
        )
    return lat, lon


def ice_thickness(lat: np.ndarray) -> np.ndarray:
    return (0.5 + (lat - 60) / 10).astype('f4')


def write_l2p_without_coordinates(path: Path) -> Path:
    """A GHRSST L2P swath whose coordinates are all masked: idf-converter skips it."""
    with netCDF4.Dataset(path, 'w') as nc:
        nc.createDimension('time', 1)
        nc.createDimension('nj', 6)
        nc.createDimension('ni', 5)
        time = nc.createVariable('time', 'i4', ('time',))
        time.units = 'seconds since 1981-01-01 00:00:00'
        time[:] = [1330560000]
        for name, units in (('lat', 'degrees_north'), ('lon', 'degrees_east')):
            variable = nc.createVariable(name, 'f4', ('nj', 'ni'), fill_value=np.float32(-999))
            variable.units = units
            variable[:] = np.ma.masked_all((6, 5), dtype='f4')
        sst = nc.createVariable(
            'sea_surface_temperature', 'i2', ('time', 'nj', 'ni'), fill_value=np.int16(-32768)
        )
        sst.setncatts({'units': 'kelvin', 'scale_factor': 0.01, 'add_offset': 273.15})
        sst[:] = np.ma.masked_all((1, 6, 5), dtype='i2')
        nc.setncatts(
            {
                'Conventions': 'CF-1.7',
                'time_coverage_start': '20240301T123000Z',
                'time_coverage_end': '20240301T123500Z',
            }
        )
    return path


def write_parameter_file(path: Path, *lines: str) -> Path:
    path.write_text('\n'.join(lines) + '\n')
    return path


def idf_file(result_dir: Path) -> Path:
    (path,) = result_dir.glob('*_idf_00.nc')
    return path


def assert_idf_metadata(nc: netCDF4.Dataset, granule: str, start: str) -> None:
    assert nc.idf_version == '1.0'
    assert nc.idf_granule_id == granule
    assert nc.cdm_data_type == 'Grid'
    assert nc.time_coverage_start.startswith(start)
    assert nc.idf_spatial_resolution_units == 'm'
    assert nc.processing_software.startswith('idf_converter')


@pytest.mark.django_db
def test_a_regular_lat_lon_grid_through_the_catalog(tmp_path):
    dataset = create_dataset(DatasetRecord(CCI_ENTRY_ID, START, START, GRID.wkt()))
    write_cci_file(tmp_path / f'{CCI_ENTRY_ID}.nc')

    results = convert_to_idf(dataset.id, [f'{CCI_ENTRY_ID}.nc'], tmp_path)

    assert results == [f'ESA_CCI_SST_L4/{CCI_ENTRY_ID}']
    assert sorted(p.name for p in tmp_path.iterdir()) == [f'{CCI_ENTRY_ID}.nc', 'ESA_CCI_SST_L4']
    with netCDF4.Dataset(idf_file(tmp_path / results[0])) as nc:
        assert_idf_metadata(nc, CCI_ENTRY_ID, '2024-03-01T00:00:00')
        assert nc.title == 'ESA SST CCI OSTIA L4 product'
        assert {name: size.size for name, size in nc.dimensions.items()} == {
            'time': 1,
            'lat': product_files.NY,
            'lon': product_files.NX,
            'lat_gcp': 2,
            'lon_gcp': 2,
        }
        assert set(nc.variables) == {
            'time',
            'lat_gcp',
            'lon_gcp',
            'index_lat_gcp',
            'index_lon_gcp',
            'analysed_sst',
            'analysed_sst_uncertainty',
            'sea_ice_fraction',
        }
        sst = nc['analysed_sst']
        assert sst.dimensions == ('time', 'lat', 'lon')
        assert sst.dtype == np.uint8  # IDF packs values in bytes with scale and offset
        assert (sst.standard_name, sst.units) == ('sea_surface_foundation_temperature', 'kelvin')
        # The parameter file's valid range (271.15 K to 308.15 K) sets the packing.
        assert sst.add_offset == pytest.approx(271.15, abs=0.01)
        assert sst.add_offset + sst.scale_factor * sst.valid_max == pytest.approx(308.15, abs=0.2)
        expected = product_files.sst_kelvin((1, product_files.NY, product_files.NX))
        valid = ~np.ma.getmaskarray(sst[:])
        np.testing.assert_allclose(sst[:][valid], expected[valid], atol=2 * sst.scale_factor)
        assert nc['lat_gcp'][0] == pytest.approx(40) and nc['lat_gcp'][-1] == pytest.approx(50)
        assert nc['lon_gcp'][0] == pytest.approx(-10) and nc['lon_gcp'][-1] == pytest.approx(5)


@pytest.mark.django_db
def test_converting_again_replaces_the_older_result(tmp_path):
    dataset = create_dataset(DatasetRecord(CCI_ENTRY_ID, START, START, GRID.wkt()))
    write_cci_file(tmp_path / f'{CCI_ENTRY_ID}.nc')
    first = convert_to_idf(dataset.id, f'{CCI_ENTRY_ID}.nc', tmp_path)
    (tmp_path / first[0] / 'stale.txt').write_text('from an older conversion')

    again = convert_to_idf(dataset.id, [f'{CCI_ENTRY_ID}.nc'], tmp_path)

    assert again == first
    assert [p.name for p in (tmp_path / again[0]).iterdir()] == [f'{CCI_ENTRY_ID}_idf_00.nc']
    assert not [p for p in tmp_path.iterdir() if p.name.startswith('.')]


def test_a_curvilinear_y_x_grid(tmp_path):
    lat, lon = write_curvilinear_file(tmp_path / 'ice_thickness.nc')
    parameters = write_parameter_file(
        tmp_path / 'yx.cfg',
        '-t netcdf/grid/yx',
        '-i variables=sea_ice_thickness x_variable=x y_variable=y time_variable=time',
        '   projection="+proj=stere +lat_0=90 +lon_0=0 +R=6371000" spatial_resolution=25000',
        '-o collection=ice_thickness_yx',
    )
    out = tmp_path / 'out'

    results = IDFConverter([str(parameters)]).run(tmp_path / 'ice_thickness.nc', out)

    assert results == ['ice_thickness_yx/ice_thickness']
    with netCDF4.Dataset(idf_file(out / results[0])) as nc:
        assert_idf_metadata(nc, 'ice_thickness', '2024-03-01T00:00:00')
        assert nc.dimensions['y'].size == 30 and nc.dimensions['x'].size == 40
        assert nc['lat_gcp'].dimensions == ('y_gcp', 'x_gcp')  # 2-D geolocation
        assert 'crs' in nc.variables
        assert (
            lat.min() - 0.5 <= nc['lat_gcp'][:].min() and nc['lat_gcp'][:].max() <= lat.max() + 0.5
        )
        thickness = nc['sea_ice_thickness']
        assert thickness.dimensions == ('time', 'y', 'x')
        assert thickness.units == 'm'
        np.testing.assert_allclose(
            thickness[0], ice_thickness(lat), atol=2 * thickness.scale_factor
        )


def test_several_inputs_inside_a_product_directory(tmp_path):
    product = tmp_path / 'PRODUCT.SAFE'
    for name in ('part-001.nc', 'part-002.nc'):
        write_cci_file(product / 'measurement' / name)
    (product / 'manifest.safe').write_text('<xml/>')

    results = MultiFilesIDFConverter(['esa_cci_sst_l4.cfg'], inputs='measurement/*.nc').run(
        product, tmp_path / 'out'
    )

    assert results == ['ESA_CCI_SST_L4/part-001', 'ESA_CCI_SST_L4/part-002']
    for result in results:
        with netCDF4.Dataset(idf_file(tmp_path / 'out' / result)) as nc:
            assert nc['analysed_sst'].shape == (1, product_files.NY, product_files.NX)


def test_a_product_directory_without_its_inputs_is_an_input_error(tmp_path):
    (tmp_path / 'PRODUCT.SAFE').mkdir()
    converter = MultiFilesIDFConverter(['esa_cci_sst_l4.cfg'], inputs='measurement/*.nc')
    with pytest.raises(ConversionInputError, match=r'measurement/\*\.nc'):
        converter.run(tmp_path / 'PRODUCT.SAFE', tmp_path / 'out')


@pytest.mark.django_db
def test_a_skipped_file_is_a_conversion_error_carrying_the_tools_message(tmp_path):
    dataset = create_dataset(DatasetRecord(MODIS_ENTRY_ID, START, START, GRID.wkt()))
    write_l2p_without_coordinates(tmp_path / f'{MODIS_ENTRY_ID}.nc')

    with pytest.raises(ConversionToolError, match='Skipping this file') as caught:
        convert_to_idf(dataset.id, [f'{MODIS_ENTRY_ID}.nc'], tmp_path)

    assert 'All coordinates are masked' in caught.value.output
    assert [p.name for p in tmp_path.iterdir()] == [f'{MODIS_ENTRY_ID}.nc']


def test_skipped_inputs_of_a_product_are_left_out_when_others_convert(tmp_path):
    product = tmp_path / 'S3B_SL_2_WST____PRODUCT.SEN3'
    write_cci_file(product / 'a-good.nc')
    write_l2p_without_coordinates(product / 'b-empty.nc')
    parameters = write_parameter_file(
        tmp_path / 'l2p.cfg',
        '-t ghrsst/l2p',
        '-i variables=sea_surface_temperature',
        '-o collection=l2p',
    )
    latlon = str(
        Path(__file__).resolve().parents[2]
        / 'geospaas_processing/converters/idf/parameters/esa_cci_sst_l4.cfg'
    )

    with pytest.raises(ConversionToolError, match='Skipping this file'):
        MultiFilesIDFConverter([str(parameters)], inputs='b-*.nc').run(product, tmp_path / 'out')
    assert MultiFilesIDFConverter([latlon], inputs='a-*.nc').run(product, tmp_path / 'out') == [
        'ESA_CCI_SST_L4/a-good'
    ]


def test_a_failed_run_carries_the_tools_message_and_exit_status(tmp_path):
    write_cci_file(tmp_path / 'sst.nc')
    parameters = write_parameter_file(
        tmp_path / 'bad.cfg',
        '-t netcdf/grid/latlon',
        '-i variables=no_such_variable lon_variable=lon lat_variable=lat time_variable=time',
        '-o collection=bad',
    )
    with pytest.raises(ConversionToolError) as caught:
        IDFConverter([str(parameters)]).run(tmp_path / 'sst.nc', tmp_path / 'out')
    assert caught.value.returncode not in (0, None)
    assert 'no_such_variable' in caught.value.output
    assert 'sst.nc' in str(caught.value)


def test_a_missing_command_names_it_and_how_to_install_it(tmp_path, monkeypatch):
    write_cci_file(tmp_path / 'sst.nc')
    monkeypatch.setenv('GEOSPAAS_PROCESSING_IDF_CONVERTER', str(tmp_path / 'bin' / 'idf-converter'))
    with pytest.raises(ConversionToolMissing) as caught:
        IDFConverter(['esa_cci_sst_l4.cfg']).run(tmp_path / 'sst.nc', tmp_path / 'out')
    assert str(tmp_path / 'bin' / 'idf-converter') in str(caught.value)
    assert 'install_idf_converter.sh' in str(caught.value)


def test_convert_to_idf_takes_one_path(tmp_path):
    with pytest.raises(ConversionInputError, match='one downloaded file'):
        convert_to_idf(1, ['a.nc', 'b.nc'], tmp_path)
