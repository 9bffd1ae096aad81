"""Grid parameter files whose product has no published-layout test, run on a minimal file.

No public description of these products' file layout (CMEMS 008_046, 001_024 SMOC,
001_028, 013_048 HF radar, 015_003, IBI, MFS; Meteo-France MFWAM) was found in the
sources searched for this test suite (the CMEMS product user manuals were not
reachable). So, unlike tests/converters/test_idf_products.py, the input here is NOT
built from the product's layout: it holds exactly what the parameter file reads
(variables, coordinates, depth levels, time steps). It shows that each parameter
file runs through the real idf-converter, not that it fits the real product.
Products with several time steps per file give one IDF granule each.
"""

from __future__ import annotations

import os
from pathlib import Path

import netCDF4
import numpy as np
import pytest

from geospaas_processing.catalog.models import Dataset
from geospaas_processing.converters.errors import ConversionToolMissing
from geospaas_processing.converters.idf.converter import (
    PARAMETERS_DIR,
    IDFConversionManager,
    IDFConverter,
    ParameterFile,
    read_parameter_file,
)
from geospaas_processing.converters.idf.runner import idf_converter_command
from tests.converters.test_idf_products import PRODUCT_INPUTS

GRID_READERS = ('netcdf/grid/latlon', 'model/mfwam')
MFWAM_VARIABLES = 'VHM0,VTPK,VMDR,VSDX,VSDY'
WITH_PUBLISHED_LAYOUT_TEST = {
    parameter_file.path.name
    for entry_id in PRODUCT_INPUTS
    for parameter_file in IDFConversionManager.get_converter(
        Dataset(entry_id=entry_id)
    ).parameter_files
}
GRID_PARAMETER_FILES = sorted(
    path.name
    for path in PARAMETERS_DIR.glob('*.cfg')
    if read_parameter_file(path).reader in GRID_READERS
    and path.name not in WITH_PUBLISHED_LAYOUT_TEST
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
    """A small file with what the parameter file reads; returns the variable names.

    Not a product layout: no public description of these products was found.
    """
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


def test_grid_parameter_files_are_run_here_or_by_a_published_layout_test():
    grid_files = {
        path.name
        for path in PARAMETERS_DIR.glob('*.cfg')
        if read_parameter_file(path).reader in GRID_READERS
    }
    assert grid_files <= set(GRID_PARAMETER_FILES) | WITH_PUBLISHED_LAYOUT_TEST
    assert len(GRID_PARAMETER_FILES) >= 10


def test_every_variable_of_a_grid_parameter_file_has_a_fixed_range():
    """Without one, each granule is scaled to its own extremes and colours differ."""
    for path in sorted(PARAMETERS_DIR.glob('*.cfg')):
        parameter_file = read_parameter_file(path)
        if parameter_file.reader not in GRID_READERS:
            continue
        for name in parameter_file.input_options.get('variables', MFWAM_VARIABLES).split(','):
            override = parameter_file.input_options.get(f'override({name})', '')
            assert 'valid_min:' in override and 'valid_max:' in override, (path.name, name)
