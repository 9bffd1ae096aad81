"""Each product, from an input laid out like the real one, through the real idf-converter.

The inputs are written by :mod:`tests.converters.product_files` from the products'
published layouts. The converter is the one the package selects from the entry_id,
and each test checks what a SEAScope user checks: the IDF file exists, its
``lat_gcp``/``lon_gcp`` cover the input's extent, its time coverage follows the
product's convention, the expected variables are there with values in their
physical range, and the input's flagged cells are masked.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import netCDF4
import numpy as np
import pytest

from geospaas_processing.catalog.models import Dataset
from geospaas_processing.converters.errors import ConversionToolError, ConversionToolMissing
from geospaas_processing.converters.idf.converter import IDFConversionManager
from geospaas_processing.converters.idf.runner import idf_converter_command
from tests.converters import product_files as files
from tests.converters.product_files import Written

L2P = files.write_ghrsst_l2p
L3 = files.write_ghrsst_l3
SST = ('sea_surface_temperature',)
_OSISAF = '20240301010000-OSISAF-L3C_GHRSST-SSTsubskin-'
_OSISAF_END = '_20240301_010000-v02.0-fv01.0'

# entry_id -> (writer, its keyword arguments, number of result folders)
PRODUCT_INPUTS: dict[str, tuple[Callable[..., Written], dict, int]] = {
    '20240301120000-ESACCI-L4_GHRSST-SSTdepth-OSTIA-GLOB_CDR3.0-v02.0-fv01.0': (
        files.write_esa_cci_sst_l4, {}, 1,
    ),
    '20240301120000-UKMO-L4_GHRSST-SSTfnd-OSTIA-GLOB-v02.0-fv02.0': (
        files.write_ghrsst_l4_ostia, {}, 1,
    ),
    '20240301120000-REMSS-L4_GHRSST-SSTfnd-MW_OI-GLOB-v02.0-fv05.1': (
        files.write_ghrsst_l4_mw_oi, {}, 1,
    ),
    '20240301123000-JPL-L2P_GHRSST-SSTskin-MODIS_A-D-v02.0-fv01.0': (
        L2P, {'sst_variables': SST}, 1,
    ),
    '20240301014000-JPL-L2P_GHRSST-SSTskin-MODIS_A-N-v02.0-fv01.0': (
        L2P, {'sst_variables': (*SST, 'sea_surface_temperature_4um')}, 1,
    ),
    '20240301123000-JPL-L2P_GHRSST-SSTskin-VIIRS_N20-D-v02.0-fv01.0': (
        L2P, {'sst_variables': SST}, 1,
    ),
    '20240301123000-NAVO-L2P_GHRSST-SST1m-VIIRS_NPP-v02.0-fv01.0': (L2P, {'sst_variables': SST}, 1),
    '20240301123000-STAR-L2P_GHRSST-SSTsubskin-VIIRS_N20-ACSPO_V2.80-v02.0-fv01.0': (
        L2P, {'sst_variables': SST}, 1,
    ),
    f'{_OSISAF}AVHRR_SST_METOP_B_GLB-sstglb_metop01{_OSISAF_END}': (
        L3, {'platform': 'MetOp-B'}, 1,
    ),
    f'{_OSISAF}GOES16-ssteqc_goes16{_OSISAF_END}': (
        L3, {'platform': 'GOES16'}, 1,
    ),
    f'{_OSISAF}GOES17-ssteqc_goes17{_OSISAF_END}': (
        L3, {'platform': 'GOES17'}, 1,
    ),
    f'{_OSISAF}GOES18-ssteqc_goes18{_OSISAF_END}': (
        L3, {'platform': 'GOES18'}, 1,
    ),
    f'{_OSISAF}SEVIRI_SST-ssteqc_meteosat11{_OSISAF_END}': (
        L3, {'platform': 'MSG4'}, 1,
    ),
    f'{_OSISAF}SEVIRI_IO_SST-ssteqc_meteosat09{_OSISAF_END}': (
        L3, {'platform': 'MSG2'}, 1,
    ),
    '20240301000000-REMSS-L3U_GHRSST-SSTsubskin-AMSR2-f34_20240301v8.2-v02.0-fv01.0': (
        L3, {'platform': 'GCOM-W', 'with_wind_speed': True}, 1,
    ),
    '20240301000000-REMSS-L3U_GHRSST-SSTsubskin-GMI-f35_20240301v8.2-v02.0-fv01.0': (
        L3, {'platform': 'GPM', 'with_wind_speed': True}, 1,
    ),
    (
        'S3B_SL_2_WST____20240301T094904_20240301T095204'
        '_20240301T120015_0179_090_250_1800_MAR_O_NR_003'
    ): (files.write_slstr_l2_wst, {}, 1),
    'hycom_glby_930_2024030112_t000_uv3z': (files.write_hycom, {'group': 'uv3z'}, 1),
    # One granule per hourly time step.
    'mercatorpsy4v3r1_gl12_hrly_20240301_R20240306': (
        files.write_cmems_001_024_hourly_mean_surface, {}, 2,
    ),
    'hycom_glby_930_2024030112_t000_ts3z': (files.write_hycom, {'group': 'ts3z'}, 1),
    # Two depths (0 m, 15 m) times two months (the trajectory spans February-March).
    'GL_TS_DB_4102563_202403': (files.write_cmems_drifter, {}, 4),
    'GL_LATEST_TS_DC_300234065818070_20240301': (files.write_cmems_drifter, {}, 4),
}  # fmt: skip


@pytest.fixture(autouse=True)
def idf_converter_installed() -> str:
    try:
        return idf_converter_command()
    except ConversionToolMissing as missing:
        if os.environ.get('CI', '').lower() == 'true':
            pytest.fail(f'CI must install idf-converter: {missing}')
        pytest.skip(f'idf-converter is not installed (scripts/install_idf_converter.sh): {missing}')


def convert(entry_id: str, tmp_path: Path, **writer_options) -> tuple[list[str], Written, Path]:
    writer, options, _ = PRODUCT_INPUTS[entry_id]
    suffix = '.SEN3' if entry_id.startswith('S3') else '.nc'  # Sentinel-3: a directory
    source = tmp_path / f'{entry_id}{suffix}'
    written = writer(source, **{**options, **writer_options})
    converter = IDFConversionManager.get_converter(Dataset(pk=1, entry_id=entry_id))
    out = tmp_path / 'out'
    return converter.run(source, out), written, out


def idf_file(folder: Path) -> Path:
    (path,) = folder.glob('*_idf_00.nc')
    return path


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=files.UTC)


def check_extent(nc: netCDF4.Dataset, written: Written, trajectory: bool) -> None:
    """lat_gcp/lon_gcp cover the input: cell edges for grids, the positions for tracks."""
    tolerance = 0.01 if trajectory else files.STEP
    lat, lon = nc['lat_gcp'][:], wrap_180(nc['lon_gcp'][:])
    assert lat.min() == pytest.approx(written.lat_range[0], abs=tolerance)
    assert lat.max() == pytest.approx(written.lat_range[1], abs=tolerance)
    assert lon.min() == pytest.approx(wrap_180(written.lon_range[0]), abs=tolerance)
    assert lon.max() == pytest.approx(wrap_180(written.lon_range[1]), abs=tolerance)


def wrap_180(longitude):
    """Longitudes in [-180, 180), whichever convention the file uses (HYCOM: 0..360)."""
    return np.mod(np.asarray(longitude) + 180, 360) - 180


@pytest.mark.parametrize('entry_id', sorted(PRODUCT_INPUTS))
def test_a_product_laid_out_like_the_real_one_converts_to_what_seascope_shows(entry_id, tmp_path):
    results, written, out = convert(entry_id, tmp_path)

    assert len(results) == PRODUCT_INPUTS[entry_id][2]
    trajectory = entry_id.startswith('GL_')
    starts, ends = [], []
    for result in results:
        with netCDF4.Dataset(idf_file(out / result)) as nc:
            assert nc.idf_version == '1.0'
            if not trajectory:
                check_extent(nc, written, trajectory)
            starts.append(parse_time(nc.time_coverage_start))
            ends.append(parse_time(nc.time_coverage_end))
            for name, (low, high) in written.ranges.items():
                values = nc[name][:]
                assert values.count() > 0, (result, name)
                assert low <= values.min() and values.max() <= high, (result, name)
            for name, cells in written.flagged.items():
                values = nc[name][0]
                for row, column in cells:
                    assert values[row, column] is np.ma.masked, (name, row, column)
                    assert values[row, column + 1] is not np.ma.masked, (name, row, column)
    assert (min(starts), max(ends)) == written.time_coverage


@pytest.mark.parametrize('entry_id', ['GL_TS_DB_4102563_202403'])
def test_a_drifter_position_flagged_bad_is_not_on_the_trajectory(entry_id, tmp_path):
    """QC=4 ("bad data") is an enumeration; idf-converter alone reads it as bit 2 and keeps it."""
    results, written, out = convert(entry_id, tmp_path)

    flagged = (60 + 5 * 0.01, 5 + 5 * 0.02)  # position 5 has POSITION_QC=4
    neighbour = (60 + 4 * 0.01, 5 + 4 * 0.02)
    positions = []
    for result in results:
        with netCDF4.Dataset(idf_file(out / result)) as nc:
            positions += list(zip(nc['lat_gcp'][:], nc['lon_gcp'][:], strict=True))
    assert not any(np.allclose(position, flagged, atol=1e-4) for position in positions)
    assert any(np.allclose(position, neighbour, atol=1e-4) for position in positions)


def test_a_drifter_without_the_15m_level_gives_its_0m_trajectory_only(tmp_path, caplog):
    results, written, out = convert('GL_TS_DB_4102563_202403', tmp_path, levels=(0.0,))

    assert results and all(r.startswith('CMEMS_013_030_drifter_0m/') for r in results)
    assert not (out / 'CMEMS_013_030_drifter_15m').exists() or not list(
        (out / 'CMEMS_013_030_drifter_15m').iterdir()
    )
    assert 'every value in it is masked' in caplog.text
    assert 'CMEMS_013_030_drifter_15m' in caplog.text


def test_a_granule_with_every_value_masked_is_not_published(tmp_path):
    entry_id = 'hycom_glby_930_2024030112_t000_ts3z'
    source = tmp_path / f'{entry_id}.nc'
    files.write_hycom(source, group='ts3z')
    with netCDF4.Dataset(source, 'a') as nc:  # a land-only tile: every value is fill
        for name in ('water_temp', 'salinity'):
            nc[name][:] = np.ma.masked_array(np.zeros(nc[name].shape), mask=True)
    converter = IDFConversionManager.get_converter(Dataset(pk=1, entry_id=entry_id))

    with pytest.raises(ConversionToolError, match='every value .* is masked'):
        converter.run(source, tmp_path / 'out')
    assert not list((tmp_path / 'out').rglob('*.nc'))
