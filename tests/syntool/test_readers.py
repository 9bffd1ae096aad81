"""The package's own Syntool readers, run through their runner like syntool-converter."""

from __future__ import annotations

import subprocess
import sys

import netCDF4
import numpy as np
import pytest

from geospaas_processing.converters.syntool.comparison import compare_profiles
from geospaas_processing.converters.syntool.readers import ReaderError, get_reader
from tests.syntool.fixtures import write_argo_profiles, write_model

RUNNER = [sys.executable, '-m', 'geospaas_processing.converters.syntool.readers']


def run_reader(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*RUNNER, *arguments], capture_output=True, text=True, timeout=60, check=False
    )


def test_argo_profiles_become_one_cf_file_each(tmp_path):
    source = write_argo_profiles(tmp_path / 'R6902912_123.nc')
    completed = run_reader(
        '-t', 'argo_profile', '-opt', 'bio=true', '-i', str(source), '-o', str(tmp_path / 'out')
    )
    assert completed.returncode == 0, completed.stderr
    written = sorted((tmp_path / 'out').iterdir())
    assert [path.name for path in written] == ['R6902912_123_000.nc', 'R6902912_123_001.nc']
    with netCDF4.Dataset(written[1]) as profile:
        assert profile.featureType == 'profile'
        assert float(profile['lat'][:]) == pytest.approx(71.0)
        assert profile['temp'][:].tolist() == pytest.approx(8 - np.linspace(5, 500, 5) / 100)
        assert 'doxy' in profile.variables
        assert profile['time'].units.startswith('seconds since 1970')


def test_the_runner_reports_an_unknown_type_and_a_missing_input(tmp_path):
    unknown = run_reader('-t', 'nope', '-i', str(tmp_path), '-o', str(tmp_path / 'out'))
    assert unknown.returncode == 1 and "unknown reader type 'nope'" in unknown.stderr
    missing = run_reader('-t', 'argo_profile', '-i', str(tmp_path / 'x.nc'), '-o', str(tmp_path))
    assert missing.returncode == 1 and 'input not found' in missing.stderr


def test_a_file_that_is_not_netcdf_is_a_reader_error(tmp_path):
    bogus = tmp_path / 'bogus.nc'
    bogus.write_text('not netCDF')
    with pytest.raises(ReaderError, match='not a readable netCDF'):
        get_reader('argo_trajectory')(bogus, tmp_path, {})


def test_model_and_profiles_side_by_side_are_ingested(reader_tools, tmp_path):
    model = write_model(tmp_path / 'work' / 'topaz_model.nc')
    profiles = [
        write_argo_profiles(tmp_path / 'work' / 'R6902912_001.nc', profiles=1),
        write_argo_profiles(tmp_path / 'work' / 'R6902913_002.nc', profiles=1),
    ]
    results = compare_profiles(model, profiles, tmp_path / 'results')
    assert results == [
        'ingested/3413_model_profile_comparison/topaz_model_vs_R6902912_001',
        'ingested/3413_model_profile_comparison/topaz_model_vs_R6902913_002',
    ]
    assert all((tmp_path / 'results' / path / 'metadata.json').is_file() for path in results)


def test_the_comparison_takes_the_nearest_model_column(tmp_path):
    model = write_model(tmp_path / 'model.nc')
    profile = write_argo_profiles(tmp_path / 'R1234567_001.nc', profiles=1)
    (written,) = get_reader('profile_comparison')(model, tmp_path, {'profiles': str(profile)})
    with netCDF4.Dataset(written) as comparison:
        model_values = comparison['model_temperature'][:]
        depth = comparison['depth'][:]
    assert model_values.tolist() == pytest.approx(np.interp(depth, [0, 100, 1000], [10, 5, 1]))
