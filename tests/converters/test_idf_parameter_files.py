"""Each packaged grid parameter file, run by the real idf-converter on a product-like file.

The input has the variables, coordinates, depth levels and time steps the parameter
file names; products with several time steps per file give one IDF granule each.
"""

from __future__ import annotations

import os
from pathlib import Path

import netCDF4
import numpy as np
import pytest

from geospaas_processing.converters.errors import ConversionToolMissing
from geospaas_processing.converters.idf.converter import (
    PARAMETERS_DIR,
    IDFConverter,
    ParameterFile,
    read_parameter_file,
)
from geospaas_processing.converters.idf.runner import idf_converter_command

GRID_READERS = ('netcdf/grid/latlon', 'model/mfwam')
MFWAM_VARIABLES = 'VHM0,VTPK,VMDR,VSDX,VSDY'
GRID_PARAMETER_FILES = sorted(
    path.name
    for path in PARAMETERS_DIR.glob('*.cfg')
    if read_parameter_file(path).reader in GRID_READERS
)


@pytest.fixture(autouse=True)
def idf_converter_installed() -> None:
    try:
        idf_converter_command()
    except ConversionToolMissing as missing:
        if os.environ.get('CI', '').lower() == 'true':
            pytest.fail(f'CI must install idf-converter: {missing}')
        pytest.skip(f'idf-converter is not installed (scripts/install_idf_converter.sh): {missing}')


def time_steps(parameter_file: ParameterFile) -> int:
    """Products given relative time bounds hold several time steps per file."""
    return 2 if 'time_coverage_relative_start' in parameter_file.input_options else 1


def write_product_like_file(parameter_file: ParameterFile, path: Path) -> list[str]:
    """A small file with what the parameter file reads; returns the variable names."""
    options = parameter_file.input_options
    lon = options.get('lon_variable', 'longitude')
    lat = options.get('lat_variable', 'latitude')
    time = options.get('time_variable', 'time')
    variables = options.get('variables', MFWAM_VARIABLES).split(',')
    with netCDF4.Dataset(path, 'w') as nc:
        nc.createDimension(time, time_steps(parameter_file))
        nc.createDimension(lat, 8)
        nc.createDimension(lon, 10)
        _coordinate(
            nc, time, 'hours since 2024-03-01 00:00:00', np.arange(nc.dimensions[time].size)
        )
        _coordinate(nc, lat, 'degrees_north', np.linspace(40, 47, 8))
        _coordinate(nc, lon, 'degrees_east', np.linspace(0, 9, 10))
        dimensions: tuple[str, ...] = (time, lat, lon)
        if 'depth_variable' in options:
            depth_dimension = options['depth_dimension']
            nc.createDimension(depth_dimension, 3)
            levels = [float(options.get('depth_value', 0)), 50.0, 100.0]
            _coordinate(nc, options['depth_variable'], 'm', levels, depth_dimension)
            dimensions = (time, depth_dimension, lat, lon)
        shape = [nc.dimensions[name].size for name in dimensions]
        for index, name in enumerate(variables):
            variable = nc.createVariable(name, 'f4', dimensions, fill_value=np.float32(-999))
            variable.units = '1'
            variable[:] = np.full(shape, expected_value(parameter_file, name, index), dtype='f4')
        if time_steps(parameter_file) == 1:
            nc.time_coverage_start = '2024-03-01T00:00:00Z'
            nc.time_coverage_end = '2024-03-02T00:00:00Z'
    return variables


def expected_value(parameter_file: ParameterFile, variable: str, index: int) -> float:
    """A value inside the valid range the parameter file sets for the variable, if any."""
    override = parameter_file.input_options.get(f'override({variable})')
    if override is None:
        return 1.0 + index
    bounds = dict(item.split(':') for item in override.split(','))
    return (float(bounds['valid_min']) + float(bounds['valid_max'])) / 2


def _coordinate(nc, name, units, values, dimension=None) -> None:
    variable = nc.createVariable(name, 'f8', (dimension or name,))
    variable.units = units
    variable[:] = values


@pytest.mark.parametrize('name', GRID_PARAMETER_FILES)
def test_grid_parameter_file_converts_a_file_shaped_like_its_product(name, tmp_path):
    parameter_file = read_parameter_file(PARAMETERS_DIR / name)
    variables = write_product_like_file(parameter_file, tmp_path / 'input.nc')

    results = IDFConverter([name]).run(tmp_path / 'input.nc', tmp_path / 'out')

    assert len(results) == time_steps(parameter_file)
    for result in results:
        assert result.startswith(f'{parameter_file.collection}/')
        (idf_path,) = (tmp_path / 'out' / result).glob('*_idf_00.nc')
        with netCDF4.Dataset(idf_path) as nc:
            assert set(variables) <= set(nc.variables)
            assert (nc.dimensions['lat'].size, nc.dimensions['lon'].size) == (8, 10)
            assert nc.idf_version == '1.0'
            for index, variable in enumerate(variables):
                expected = expected_value(parameter_file, variable, index)
                assert np.ma.allclose(nc[variable][0], expected, atol=0.2)


def test_every_grid_reader_file_is_covered():
    assert len(GRID_PARAMETER_FILES) >= 20
