"""Cropping generated CF netCDF files and GeoTIFFs, checking values at the same coordinates."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import netCDF4
import numpy as np
import pytest

from geospaas_processing.demo.netcdf import GridSpec, sst_field, write_sst_file
from geospaas_processing.ops.crop import CropError, crop

START = datetime(2024, 1, 1)


def _sst(path: Path, grid: GridSpec, **kwargs) -> Path:
    return write_sst_file(path, grid, START, **kwargs)


def _read(path: Path, *names: str) -> list[np.ndarray]:
    with netCDF4.Dataset(path) as nc:
        return [np.asarray(nc.variables[name][:]) for name in names]


def _original_value_at(original: Path, lat: float, lon: float) -> float:
    """The original file's stored SST at a coordinate (longitudes compared modulo 360)."""
    lats, lons, sst = _read(original, 'lat', 'lon', 'analysed_sst')
    (row,) = np.flatnonzero(np.isclose(lats, lat))
    (column,) = np.flatnonzero(np.isclose((lons - lon + 180) % 360 - 180, 0))
    return sst[0, row, column]


def _assert_same_values_as_original(original: Path, cropped: Path) -> None:
    lats, lons, sst = _read(cropped, 'lat', 'lon', 'analysed_sst')
    for row, lat in enumerate(lats):
        for column, lon in enumerate(lons):
            assert sst[0, row, column] == _original_value_at(original, lat, lon)


def test_crop_keeps_the_box_the_values_and_the_metadata(tmp_path: Path) -> None:
    original = _sst(tmp_path / 'in' / 'sst.nc', GridSpec(-30, -20, 30, 40, resolution=1))

    cropped = crop(original, [0, 20, 20, 0], out_dir=tmp_path / 'out')

    assert cropped == tmp_path / 'out' / 'cropped_0_20_20_0' / 'sst.nc'
    lats, lons, sst = _read(cropped, 'lat', 'lon', 'analysed_sst')
    np.testing.assert_array_equal(lats, np.arange(0.5, 20, 1))
    np.testing.assert_array_equal(lons, np.arange(0.5, 20, 1))
    np.testing.assert_array_equal(sst[0], sst_field(lats, lons))
    with netCDF4.Dataset(original) as before, netCDF4.Dataset(cropped) as after:
        assert after.title == before.title
        assert after.Conventions == 'CF-1.8'
        assert (after.geospatial_lat_min, after.geospatial_lat_max) == (0.5, 19.5)
        assert 'cropped to west=0 north=20 east=20 south=0' in after.history
        for name, variable in before.variables.items():
            assert after.variables[name].__dict__ == variable.__dict__, name
        assert after.variables['analysed_sst'].filters()['zlib']
        assert after.variables['time'][:] == before.variables['time'][:]
    assert sorted(path.name for path in cropped.parent.iterdir()) == ['sst.nc']


def test_crop_defaults_to_the_file_directory(tmp_path: Path) -> None:
    original = _sst(tmp_path / 'sst.nc', GridSpec(0, 0, 10, 10, resolution=1))

    assert crop(original, [2.5, 7, 5.5, 3]) == tmp_path / 'cropped_2.5_7_5.5_3' / 'sst.nc'


def test_crop_keeps_a_descending_latitude(tmp_path: Path) -> None:
    original = _sst(
        tmp_path / 'sst.nc', GridSpec(0, -10, 10, 10, resolution=1), descending_lat=True
    )

    cropped = crop(original, [2, 5, 6, -3])

    lats, lons, sst = _read(cropped, 'lat', 'lon', 'analysed_sst')
    np.testing.assert_array_equal(lats, np.arange(4.5, -3, -1))
    np.testing.assert_array_equal(sst[0], sst_field(lats, lons))


def test_crop_0_360_data_with_a_box_across_greenwich(tmp_path: Path) -> None:
    original = _sst(tmp_path / 'sst.nc', GridSpec(0, -10, 360, 10, resolution=1))

    cropped = crop(original, [-5, 3, 5, -3])

    lats, lons = _read(cropped, 'lat', 'lon')
    np.testing.assert_array_equal(lons, np.arange(-4.5, 5, 1))
    assert lats.tolist() == [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]
    _assert_same_values_as_original(original, cropped)


def test_crop_0_360_data_with_a_negative_box(tmp_path: Path) -> None:
    original = _sst(tmp_path / 'sst.nc', GridSpec(0, -10, 360, 10, resolution=1))

    cropped = crop(original, [-30, 2, -25, -2])

    assert _read(cropped, 'lon')[0].tolist() == [330.5, 331.5, 332.5, 333.5, 334.5]
    _assert_same_values_as_original(original, cropped)


def test_crop_minus180_180_data_with_a_box_across_the_antimeridian(tmp_path: Path) -> None:
    original = _sst(tmp_path / 'sst.nc', GridSpec(-180, -10, 180, 10, resolution=1))

    for box in ([175, 2, -176, -2], [175, 2, 184, -2]):
        cropped = crop(original, box)

        assert _read(cropped, 'lon')[0].tolist() == [175.5 + i for i in range(9)]
        _assert_same_values_as_original(original, cropped)


def test_crop_finds_coordinates_through_cf_attributes(tmp_path: Path) -> None:
    original = _sst(tmp_path / 'sst.nc', GridSpec(0, 0, 10, 10, resolution=1))
    with netCDF4.Dataset(original, 'a') as nc:
        nc.renameDimension('lat', 'rows')
        nc.renameVariable('lat', 'northing')  # found by its standard_name
        nc.renameDimension('lon', 'columns')
        nc.renameVariable('lon', 'easting')
        for attribute in ('standard_name', 'axis'):
            nc.variables['easting'].delncattr(attribute)  # found by its units

    cropped = crop(original, [2, 4, 4, 2])

    lats, lons = _read(cropped, 'northing', 'easting')
    assert lats.tolist() == [2.5, 3.5] and lons.tolist() == [2.5, 3.5]


def test_crop_without_coordinates_names_what_it_looked_for(tmp_path: Path) -> None:
    path = tmp_path / 'plain.nc'
    with netCDF4.Dataset(path, 'w') as nc:
        nc.createDimension('x', 3)
        nc.createVariable('v', 'f4', ('x',))[:] = [1, 2, 3]

    with pytest.raises(CropError, match='no latitude found.*standard_name latitude'):
        crop(path, [0, 10, 10, 0])


def test_crop_copies_packed_values_and_netcdf3_files_as_stored(tmp_path: Path) -> None:
    path = tmp_path / 'packed.nc'
    with netCDF4.Dataset(path, 'w', format='NETCDF3_CLASSIC') as nc:
        nc.createDimension('latitude', 4)
        nc.createDimension('longitude', 4)
        nc.createVariable('latitude', 'f4', ('latitude',))[:] = [0, 1, 2, 3]
        nc.createVariable('longitude', 'f4', ('longitude',))[:] = [10, 11, 12, 13]
        packed = nc.createVariable('wind', 'i2', ('latitude', 'longitude'), fill_value=-32767)
        packed.scale_factor = 0.01
        packed.set_auto_maskandscale(False)
        packed[:] = np.arange(16, dtype='i2').reshape(4, 4)
        packed[1, 1] = -32767
        nc.createDimension('name_length', 5)
        nc.createVariable('station', 'S1', ('name_length',))[:] = np.array(list('abcde'), 'S1')

    cropped = crop(path, [11, 2, 12, 1])

    with netCDF4.Dataset(cropped) as nc:
        assert nc.data_model == 'NETCDF3_CLASSIC'
        nc.set_auto_maskandscale(False)
        nc.set_auto_chartostring(False)
        assert nc.variables['wind'][:].tolist() == [[-32767, 6], [9, 10]]
        assert nc.variables['wind'].scale_factor == np.float32(0.01) or 0.01
        assert b''.join(nc.variables['station'][:].tolist()) == b'abcde'


def test_crop_curvilinear_grid_keeps_the_bounding_window(tmp_path: Path) -> None:
    path = tmp_path / 'swath.nc'
    rows, columns = np.meshgrid(np.arange(6), np.arange(5), indexing='ij')
    with netCDF4.Dataset(path, 'w') as nc:
        nc.createDimension('y', 6)
        nc.createDimension('x', 5)
        lat = nc.createVariable('lat', 'f8', ('y', 'x'))
        lat.standard_name = 'latitude'
        lat[:] = 60 + rows + 0.1 * columns
        lon = nc.createVariable('lon', 'f8', ('y', 'x'))
        lon.standard_name = 'longitude'
        lon[:] = 5 + columns + 0.1 * rows
        nc.createVariable('ice', 'f4', ('y', 'x'))[:] = rows * 10 + columns

    cropped = crop(path, [6, 63.5, 8.5, 62])

    (ice,) = _read(cropped, 'ice')
    assert ice.tolist() == [[21, 22, 23], [31, 32, 33]]


@pytest.mark.parametrize(
    ('box', 'message'),
    [
        ([0, 20, 20], 'four numbers'),
        (['a', 20, 20, 0], 'four numbers'),
        ([0, 0, 20, 20], 'south < north'),
        ([0, 95, 20, 0], 'south < north'),
        ([10, 20, 10, 0], 'distinct west and east'),
        ([-200, 20, 20, 0], 'in -180..360'),
        ([0, float('nan'), 20, 0], 'finite'),
    ],
)
def test_invalid_boxes_are_refused(tmp_path: Path, box, message: str) -> None:
    original = _sst(tmp_path / 'sst.nc', GridSpec(0, 0, 10, 10, resolution=1))

    with pytest.raises(CropError, match=message):
        crop(original, box)


def test_box_outside_the_data_is_a_clear_error(tmp_path: Path) -> None:
    original = _sst(tmp_path / 'sst.nc', GridSpec(0, 0, 10, 10, resolution=1))

    with pytest.raises(CropError, match='does not intersect sst.nc.*longitudes 0.5..9.5'):
        crop(original, [20, 5, 30, 1], out_dir=tmp_path / 'out')
    assert not list((tmp_path / 'out').rglob('*')), 'no file or empty directory left'


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    text = tmp_path / 'notes.txt'
    text.write_text('x')
    with pytest.raises(CropError, match='only netCDF'):
        crop(text, [0, 10, 10, 0])
    with pytest.raises(CropError, match='no such file'):
        crop(tmp_path / 'missing.nc', [0, 10, 10, 0])
    broken = tmp_path / 'broken.nc'
    broken.write_text('not netcdf')
    with pytest.raises(CropError, match='cannot crop broken.nc'):
        crop(broken, [0, 10, 10, 0])


def test_crop_error_survives_pickling() -> None:
    error = CropError('the box does not intersect sst.nc')
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


# --- GeoTIFF ---------------------------------------------------------------------------------

needs_gdal = pytest.mark.skipif(
    shutil.which('gdal_translate') is None, reason='gdal-bin is not installed'
)


def _geotiff(tmp_path: Path, grid: GridSpec) -> Path:
    source = _sst(tmp_path / 'src.nc', grid)
    target = tmp_path / 'sst.tif'
    subprocess.run(
        ['gdal_translate', '-q', '-of', 'GTiff', '-a_srs', 'EPSG:4326']
        + [f'NETCDF:{source}:analysed_sst', str(target)],
        check=True,
    )
    return target


def _tif_as_arrays(path: Path, tmp_path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    converted = tmp_path / f'{path.stem}-check.nc'
    subprocess.run(['gdal_translate', '-q', '-of', 'netCDF', str(path), str(converted)], check=True)
    with netCDF4.Dataset(converted) as nc:
        (band,) = (variable for variable in nc.variables.values() if variable.ndim >= 2)
        lats, lons = np.asarray(nc['lat'][:]), np.asarray(nc['lon'][:])
        return lats, lons, np.asarray(band[:]).reshape(lats.size, lons.size)


@needs_gdal
def test_crop_geotiff_with_gdal(tmp_path: Path) -> None:
    original = _geotiff(tmp_path, GridSpec(-20, -10, 20, 30, resolution=1))

    cropped = crop(original, [0, 10, 5, 2], out_dir=tmp_path / 'out')

    assert cropped == tmp_path / 'out' / 'cropped_0_10_5_2' / 'sst.tif'
    info = json.loads(
        subprocess.run(
            ['gdalinfo', '-json', str(cropped)], capture_output=True, check=True, text=True
        ).stdout
    )
    assert info['size'] == [5, 8]
    lats, lons, band = _tif_as_arrays(cropped, tmp_path)
    assert sorted(lats.tolist()) == [2.5 + i for i in range(8)]
    assert lons.tolist() == [0.5, 1.5, 2.5, 3.5, 4.5]
    expected = sst_field(lats, lons)
    np.testing.assert_allclose(band, expected, rtol=0, atol=1e-4)


@needs_gdal
def test_crop_geotiff_clips_to_the_raster_and_refuses_disjoint_boxes(tmp_path: Path) -> None:
    original = _geotiff(tmp_path, GridSpec(0, 0, 10, 10, resolution=1))

    cropped = crop(original, [5, 50, 40, 8])  # larger than the raster on three sides

    lats, lons, _ = _tif_as_arrays(cropped, tmp_path)
    assert lons.tolist() == [5.5, 6.5, 7.5, 8.5, 9.5]
    assert sorted(lats.tolist()) == [8.5, 9.5]
    with pytest.raises(CropError, match='does not intersect sst.tif'):
        crop(original, [100, 50, 120, 40])


@needs_gdal
def test_crop_geotiff_without_reference_system_is_refused(tmp_path: Path) -> None:
    source = _sst(tmp_path / 'src.nc', GridSpec(0, 0, 10, 10, resolution=1))
    bare = tmp_path / 'bare.tif'
    subprocess.run(['gdal_translate', '-q', f'NETCDF:{source}:analysed_sst', str(bare)], check=True)

    with pytest.raises(CropError, match='no coordinate reference system'):
        crop(bare, [0, 5, 5, 0])


@needs_gdal
def test_crop_geotiff_without_gdal_tools_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = _geotiff(tmp_path, GridSpec(0, 0, 10, 10, resolution=1))
    monkeypatch.setenv('PATH', str(tmp_path / 'empty'))

    with pytest.raises(CropError, match='not found: install GDAL.*apt-get install gdal-bin'):
        crop(original, [0, 5, 5, 0])


@needs_gdal
def test_crop_projected_geotiff_takes_the_box_in_degrees(tmp_path: Path) -> None:
    geographic = _geotiff(tmp_path, GridSpec(0, 0, 10, 10, resolution=0.25))
    mercator = tmp_path / 'mercator.tif'
    subprocess.run(
        ['gdalwarp', '-q', '-t_srs', 'EPSG:3857', str(geographic), str(mercator)], check=True
    )

    cropped = crop(mercator, [2, 8, 6, 4])

    info = subprocess.run(
        ['gdalinfo', '-json', str(cropped)], capture_output=True, check=True, text=True
    )
    corners = json.loads(info.stdout)['wgs84Extent']['coordinates'][0]
    lons, lats = [corner[0] for corner in corners], [corner[1] for corner in corners]
    assert min(lons) == pytest.approx(2, abs=0.3) and max(lons) == pytest.approx(6, abs=0.3)
    assert min(lats) == pytest.approx(4, abs=0.3) and max(lats) == pytest.approx(8, abs=0.3)
