"""Harvesting a local directory of CF netCDF files."""

from datetime import UTC, datetime

import pytest

from geospaas_processing.catalog.models import Dataset
from geospaas_processing.demo.netcdf import GridSpec, write_sst_file
from geospaas_processing.harvesting import HarvestConfig, save_search_results
from geospaas_processing.harvesting.failures import FailedIngestionStore
from tests.harvesting.conftest import provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(tmp_path):
    write_sst_file(
        tmp_path / 'nordic.nc', GridSpec(-10, 60, 20, 80), datetime(2024, 3, 1, tzinfo=UTC)
    )
    write_sst_file(
        tmp_path / 'sub' / 'pacific.nc',
        GridSpec(170, -10, 190, 10),
        datetime(2024, 3, 5, tzinfo=UTC),
        platform='Suomi-NPP',
        instrument='VIIRS',
    )
    (tmp_path / 'broken.nc').write_bytes(b'not a netCDF file')
    return tmp_path


def local_config(directory, **settings):
    return HarvestConfig({'disk': provider('disk', 'local', str(directory), **settings)})


def test_files_become_datasets_with_local_uris(directory):
    summary = save_search_results('disk', {}, harvest_config=local_config(directory))
    assert (summary['found'], summary['created'], summary['failed']) == (3, 2, 1)
    nordic = Dataset.objects.get(entry_id='nordic')
    assert nordic.entry_title == 'Sea surface temperature'
    assert nordic.time_coverage_start == datetime(2024, 3, 1, tzinfo=UTC)
    assert nordic.geographic_location.geometry.extent == (-10, 60, 20, 80)
    assert (nordic.source.platform.short_name, nordic.source.instrument.short_name) == (
        'Aqua',
        'MODIS',
    )
    (uri,) = nordic.dataseturi_set.all()
    assert (uri.uri, uri.service, uri.name) == (
        (directory / 'nordic.nc').as_uri(),
        'local',
        'fileService',  # GeoSPaaS's FILE_SERVICE_NAME (geospaas/catalog/managers.py)
    )
    (failure,) = FailedIngestionStore().entries()
    assert 'broken.nc' in failure.error and 'cannot read as netCDF' in failure.error


def test_a_grid_over_180_degrees_is_split(directory):
    save_search_results('disk', {}, harvest_config=local_config(directory))
    footprint = Dataset.objects.get(entry_id='pacific').geographic_location.geometry
    assert footprint.geom_type == 'MultiPolygon'
    assert footprint.extent == (-180, -10, 180, 10)
    assert abs(footprint.area - 400) < 1e-9


def test_the_time_window_and_pattern_select_files(directory):
    search = {'start_time': '2024-03-04', 'end_time': '2024-03-06', 'pattern': '**/*.nc'}
    summary = save_search_results('disk', search, harvest_config=local_config(directory))
    assert summary['created'] == 1
    assert list(Dataset.objects.values_list('entry_id', flat=True)) == ['pacific']


def test_pages_hold_page_size_files(directory):
    summary = save_search_results(
        'disk', {'pattern': '*.nc'}, harvest_config=local_config(directory, page_size=1)
    )
    assert (summary['pages'], summary['found']) == (2, 2)


def test_without_acdd_times_the_cf_time_coordinate_gives_the_coverage(tmp_path):
    """CF Conventions 1.11, section 4.4: ``units = "<unit> since <time>"``; 7.1: bounds."""
    import netCDF4
    import numpy

    path = tmp_path / 'no-acdd-times.nc'
    with netCDF4.Dataset(path, 'w') as nc:
        nc.createDimension('time', 2)
        nc.createDimension('nv', 2)
        nc.createDimension('lat', 2)
        nc.createDimension('lon', 2)
        time = nc.createVariable('time', 'f8', ('time',))
        time.units = 'hours since 2024-03-01 00:00:00'
        time.calendar = 'gregorian'
        time.bounds = 'time_bnds'
        time[:] = [6, 18]
        bounds = nc.createVariable('time_bnds', 'f8', ('time', 'nv'))
        bounds[:] = numpy.array([[0, 12], [12, 24]])
        nc.createVariable('lat', 'f4', ('lat',))[:] = [60, 70]
        nc.createVariable('lon', 'f4', ('lon',))[:] = [0, 10]
    summary = save_search_results('disk', {}, harvest_config=local_config(tmp_path))
    assert (summary['created'], summary['failed']) == (1, 0), summary['errors']
    dataset = Dataset.objects.get(entry_id='no-acdd-times')
    assert dataset.time_coverage_start == datetime(2024, 3, 1, tzinfo=UTC)
    assert dataset.time_coverage_end == datetime(2024, 3, 2, tzinfo=UTC)
