"""Every product converted to IDF is recognised from a realistic entry_id."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from geospaas_processing.catalog.models import Dataset
from geospaas_processing.converters.errors import NoMatch
from geospaas_processing.converters.idf.converter import (
    PARAMETERS_DIR,
    IDFConversionManager,
    IDFConverter,
    MultiFilesIDFConverter,
    read_parameter_file,
)
from geospaas_processing.converters.idf.products import PRODUCTS

# entry_id -> (parameter files, glob of the inputs inside the product or None)
EXPECTED = {
    'S1A_IW_GRDH_1SDV_20240301T054218_20240301T054243_052779_06637B_3C5E': (
        ['sentinel1_l1_grd.cfg'],
        'measurement/*.tiff',
    ),
    'S1B_EW_GRDM_1SDH_20211012T075621_20211012T075721_029118_0379E4_A2B1': (
        ['sentinel1_l1_grd.cfg'],
        'measurement/*.tiff',
    ),
    'S1A_IW_SLC__1SDV_20240301T054216_20240301T054243_052779_06637B_11D4': (
        ['sentinel1_l1_slc.cfg'],
        'measurement/*.tiff',
    ),
    'S1A_IW_OCN__2SDV_20240301T054218_20240301T054243_052779_06637B_6F2C': (
        ['sentinel1_l2_ocn_rvl.cfg'],
        'measurement/*.nc',
    ),
    'S1A_WV_OCN__2SSV_20240301T101512_20240301T102411_052782_066391_8C1D': (
        ['sentinel1_l2_ocn_rvl.cfg'],
        'measurement/*.nc',
    ),
    'S2B_MSIL1C_20240301T103839_N0510_R008_T32VNM_20240301T124000': (
        ['sentinel2_l1c.cfg'],
        'GRANULE/L1C_*',
    ),
    (
        'S3A_OL_1_EFR____20240301T095317_20240301T095617'
        '_20240302T103421_0179_109_350_1980_PS1_O_NT_003'
    ): (
        ['sentinel3_olci_l1_efr.cfg'],
        None,
    ),
    (
        'S3B_OL_2_WFR____20240301T094904_20240301T095204'
        '_20240302T151302_0179_090_250_1800_MAR_O_NT_003'
    ): (
        ['sentinel3_olci_l2_wfr_chl.cfg'],
        None,
    ),
    (
        'S3A_SL_1_RBT____20240301T095317_20240301T095617'
        '_20240302T011355_0179_109_350_1980_PS1_O_NR_004'
    ): (
        ['sentinel3_slstr_l1_rbt_sst.cfg'],
        None,
    ),
    (
        'S3B_SL_2_WST____20240301T094904_20240301T095204'
        '_20240301T120015_0179_090_250_1800_MAR_O_NR_003'
    ): (
        ['sentinel3_slstr_l2_wst.cfg'],
        '*.nc',
    ),
    'nrt_global_allsat_phy_l4_20240301_20240307': (['cmems_008_046_sea_level.cfg'], None),
    'mercatorpsy4v3r1_gl12_hrly_20240301_R20240306': (
        ['cmems_001_024_hourly_mean_surface.cfg'],
        None,
    ),
    'SMOC_20240301_R20240306': (['cmems_001_024_hourly_smoc.cfg'], None),
    'mercatorbiomer4v2r1_global_mean_20240301': (['cmems_001_028_daily_mean.cfg'], None),
    'GL_TS_DB_4102563_202403': (
        ['cmems_013_030_drifter_0m.cfg', 'cmems_013_030_drifter_15m.cfg'],
        None,
    ),
    'GL_TS_DC_300234065818070_202403': (
        ['cmems_013_048_drifter_0m.cfg', 'cmems_013_048_drifter_15m.cfg'],
        None,
    ),
    # Files of the products' "latest" directory (CMEMS INSTAC: one file per platform and day).
    'GL_LATEST_TS_DB_4102563_20240301': (
        ['cmems_013_030_drifter_0m.cfg', 'cmems_013_030_drifter_15m.cfg'],
        None,
    ),
    'GL_LATEST_TS_DC_300234065818070_20240301': (
        ['cmems_013_048_drifter_0m.cfg', 'cmems_013_048_drifter_15m.cfg'],
        None,
    ),
    'GL_TV_HF_HFR-TirLig-Total_20240301': (['cmems_013_048_radar_total.cfg'], None),
    'dataset-uv-nrt-hourly_20240301T0000Z_P20240306T0000Z': (
        ['cmems_015_003_hourly_0m.cfg', 'cmems_015_003_hourly_15m.cfg'],
        None,
    ),
    'dataset-uv-nrt-daily_20240301T0000Z_P20240306T0000Z': (
        ['cmems_015_003_daily_0m.cfg', 'cmems_015_003_daily_15m.cfg'],
        None,
    ),
    'CMEMS_v5r1_IBI_PHY_NRT_PdE_01hav_20240301_20240301_R20240229_HC01': (
        ['ibi_hourly_mean_surface.cfg'],
        None,
    ),
    '20240301_d-CMCC--RFVL-MFSe3r1-MED-b20240227_an-sv09.00': (['mfs_med_currents.cfg'], None),
    '20240301_d-CMCC--ASLV-MFSe3r1-MED-b20240227_an-sv09.00': (['mfs_med_ssh.cfg'], None),
    '20240301_d-CMCC--TEMP-MFSe3r1-MED-b20240227_an-sv09.00': (['mfs_med_temperature.cfg'], None),
    '20240301120000-ESACCI-L4_GHRSST-SSTdepth-OSTIA-GLOB_CDR3.0-v02.0-fv01.0': (
        ['esa_cci_sst_l4.cfg'],
        None,
    ),
    '20240301120000-UKMO-L4_GHRSST-SSTfnd-OSTIA-GLOB-v02.0-fv02.0': (['ghrsst_l4_ostia.cfg'], None),
    '20240301120000-REMSS-L4_GHRSST-SSTfnd-MW_OI-GLOB-v02.0-fv05.1': (
        ['ghrsst_l4_mw_oi.cfg'],
        None,
    ),
    '20240301123000-JPL-L2P_GHRSST-SSTskin-MODIS_A-D-v02.0-fv01.0': (
        ['ghrsst_l2p_modis_a_day.cfg'],
        None,
    ),
    '20240301014000-JPL-L2P_GHRSST-SSTskin-MODIS_A-N-v02.0-fv01.0': (
        ['ghrsst_l2p_modis_a_night.cfg'],
        None,
    ),
    '20240301123000-JPL-L2P_GHRSST-SSTskin-VIIRS_NPP-D-v02.0-fv01.0': (
        ['ghrsst_l2p_viirs_jpl.cfg'],
        None,
    ),
    '20240301123000-JPL-L2P_GHRSST-SSTskin-VIIRS_N20-N-v02.0-fv01.0': (
        ['ghrsst_l2p_viirs_jpl.cfg'],
        None,
    ),
    '20240301123000-NAVO-L2P_GHRSST-SST1m-VIIRS_NPP-v02.0-fv01.0': (
        ['ghrsst_l2p_viirs_navo.cfg'],
        None,
    ),
    '20240301123000-OSPO-L2P_GHRSST-SSTsubskin-VIIRS_NPP-ACSPO_V2.80-v02.0-fv01.0': (
        ['ghrsst_l2p_viirs_ospo.cfg'],
        None,
    ),
    '20240301123000-STAR-L2P_GHRSST-SSTsubskin-VIIRS_N20-ACSPO_V2.80-v02.0-fv01.0': (
        ['ghrsst_l2p_viirs_ospo.cfg'],
        None,
    ),
    (
        '20240301120000-OSISAF-L3C_GHRSST-SSTsubskin-AVHRR_SST_'
        'METOP_B_GLB-sstglb_metop01_20240301_120000-v02.0-fv01.0'
    ): (
        ['ghrsst_l3c_avhrr_metop_b.cfg'],
        None,
    ),
    (
        '20240301120000-OSISAF-L3C_GHRSST-SSTsubskin-GO'
        'ES16-ssteqc_goes16_20240301_120000-v02.0-fv01.0'
    ): (
        ['ghrsst_l3c_goes16.cfg'],
        None,
    ),
    (
        '20240301120000-OSISAF-L3C_GHRSST-SSTsubskin-GO'
        'ES17-ssteqc_goes17_20240301_120000-v02.0-fv01.0'
    ): (
        ['ghrsst_l3c_goes17.cfg'],
        None,
    ),
    (
        '20240301120000-OSISAF-L3C_GHRSST-SSTsubskin-GO'
        'ES18-ssteqc_goes18_20240301_120000-v02.0-fv01.0'
    ): (
        ['ghrsst_l3c_goes18.cfg'],
        None,
    ),
    (
        '20240301120000-OSISAF-L3C_GHRSST-SSTsubskin-SEVIRI'
        '_SST-ssteqc_meteosat11_20240301_120000-v02.0-fv01.0'
    ): (
        ['ghrsst_l3c_seviri_atlantic.cfg'],
        None,
    ),
    (
        '20240301120000-OSISAF-L3C_GHRSST-SSTsubskin-SEVIRI_I'
        'O_SST-ssteqc_meteosat09_20240301_120000-v02.0-fv01.0'
    ): (
        ['ghrsst_l3c_seviri_indian_ocean.cfg'],
        None,
    ),
    '20240301000000-REMSS-L3U_GHRSST-SSTsubskin-AMSR2-f34_20240301v8.2-v02.0-fv01.0': (
        ['ghrsst_l3u_amsr2.cfg'],
        None,
    ),
    '20240301000000-REMSS-L3U_GHRSST-SSTsubskin-GMI-f35_20240301v8.2-v02.0-fv01.0': (
        ['ghrsst_l3u_gmi.cfg'],
        None,
    ),
    'hycom_glby_930_2024030112_t000_uv3z': (['hycom_uv3z.cfg'], None),
    'hycom_glby_930_2024030112_t000_ts3z': (['hycom_ts3z.cfg'], None),
    'hycom_glbv_930_2018010112_t003_uv3z': (['hycom_uv3z.cfg'], None),
    'hycom_glbv_930_2018010112_t003_ts3z': (['hycom_ts3z.cfg'], None),
    'rtofs_glo_2ds_f024_diag': (['rtofs_diagnostic.cfg'], None),
    'rtofs_glo_2ds_n000_prog': (['rtofs_prognostic.cfg'], None),
    'mfwamglocep_2024030100_R20240301_00H': (['mfwam.cfg'], None),
}

NOT_CONVERTED = [
    'S1A_IW_RAW__0SDV_20240301T054214_20240301T054246_052779_06637B_0A1B',
    'S2A_MSIL2A_20240301T103021_N0510_R108_T32VNM_20240301T142000',
    'S3A_SL_2_LST____20240301T095317_20240301T095617_20240302T120015_0179_109_350_1980_MAR_O_NT_004',
    '20240301123000-JPL-L2P_GHRSST-SSTskin-MODIS_T-D-v02.0-fv01.0',
    'dt_global_allsat_phy_l4_20240301_20240307',
    'hycom_glby_930_2024030112_t000_ssh',  # sea surface height group: no product
    'something_else',
]


def dataset(entry_id: str) -> Dataset:
    return Dataset(pk=1, entry_id=entry_id)


@pytest.mark.parametrize('entry_id', sorted(EXPECTED))
def test_each_product_gets_its_parameter_files_and_inputs(entry_id):
    parameter_files, inputs = EXPECTED[entry_id]
    converter = IDFConversionManager('.').get_converter(dataset(entry_id))
    assert [p.path.name for p in converter.parameter_files] == parameter_files
    if inputs is None:
        assert type(converter) is IDFConverter
    else:
        assert type(converter) is MultiFilesIDFConverter
        assert converter.inputs == inputs


def test_the_slstr_l1_sst_needs_its_coefficients():
    entry_id = next(e for e in EXPECTED if e.startswith('S3A_SL_1_RBT'))
    converter = IDFConversionManager('.').get_converter(dataset(entry_id))
    assert converter.auxiliary_files == {'sst_coeffs_path': 'slstr_sst_coefficients'}


@pytest.mark.parametrize('entry_id', NOT_CONVERTED)
def test_other_products_are_not_converted(entry_id):
    with pytest.raises(NoMatch, match=entry_id):
        IDFConversionManager('.').get_converter(dataset(entry_id))


def test_get_converter_is_callable_on_the_manager_class():
    entry_id = 'hycom_glby_930_2024030112_t000_ts3z'
    on_class = IDFConversionManager.get_converter(dataset(entry_id))  # upstream's classmethod
    on_instance = IDFConversionManager('.').get_converter(dataset(entry_id))
    assert [p.path.name for p in on_class.parameter_files] == ['hycom_ts3z.cfg']
    assert repr(on_class) == repr(on_instance)


def test_an_slstr_wst_nt_product_is_a_clear_no_match_saying_why():
    entry_id = (
        'S3B_SL_2_WST____20240301T094904_20240301T095204'
        '_20240302T120015_0179_090_250_1800_MAR_O_NT_003'
    )
    with pytest.raises(NoMatch) as caught:
        IDFConversionManager.get_converter(dataset(entry_id))
    message = str(caught.value)
    assert entry_id in message
    assert 'cannot be converted to IDF' in message
    assert 'NR' in message and 'NT' in message


def test_every_product_is_tested_and_every_parameter_file_is_used():
    used = {name for product in PRODUCTS for name in product.parameter_files}
    tested = {name for files, _ in EXPECTED.values() for name in files}
    on_disk = {path.name for path in PARAMETERS_DIR.glob('*.cfg')}
    assert used == tested == on_disk
    matched = {p.name for p in PRODUCTS for e in EXPECTED if p.matches(dataset(e))}
    assert matched == {p.name for p in PRODUCTS}


def test_each_entry_id_matches_one_product_only():
    for entry_id in EXPECTED:
        matching = [p.name for p in PRODUCTS if p.matches(dataset(entry_id))]
        assert len(matching) == 1, (entry_id, matching)


IDF_COMMAND = Path(__file__).resolve().parents[2] / '.venv-idf' / 'bin' / 'idf-converter'


def idf_readers() -> set[str]:
    command = str(IDF_COMMAND) if IDF_COMMAND.exists() else shutil.which('idf-converter')
    if command is None:
        pytest.skip('idf-converter is not installed: run scripts/install_idf_converter.sh')
    shown = subprocess.run([command, '--help'], capture_output=True, text=True, check=True)
    return {line.strip() for line in shown.stdout.splitlines() if line.startswith('    ')}


def test_parameter_files_name_a_reader_idf_converter_has_and_distinct_collections():
    readers = idf_readers()
    collections = []
    for path in sorted(PARAMETERS_DIR.glob('*.cfg')):
        parameter_file = read_parameter_file(path)
        assert parameter_file.reader in readers, path.name
        assert 'path' not in parameter_file.input_options, path.name
        collections.append(parameter_file.collection)
    assert len(collections) == len(set(collections))


# Options idf-converter reads without listing them in its help.
UNLISTED_INPUT_OPTIONS = {
    'variables',
    'depth_dimension',
    'depth_value',
    'depth_tolerance',
    'global_overrides',
}


def reader_input_options(command: str, reader: str) -> set[str]:
    shown = subprocess.run(
        [command, '-t', reader, '-h'], capture_output=True, text=True, check=True
    )
    listed = shown.stdout.split('Supported keys are:', 1)[1].split('Output parameters', 1)[0]
    return {line.split()[0] for line in listed.splitlines() if line.startswith('    ')}


def test_parameter_files_use_only_options_their_reader_knows():
    idf_readers()  # skips without idf-converter
    command = str(IDF_COMMAND) if IDF_COMMAND.exists() else shutil.which('idf-converter')
    known: dict[str, set[str]] = {}
    for path in sorted(PARAMETERS_DIR.glob('*.cfg')):
        parameter_file = read_parameter_file(path)
        if parameter_file.reader not in known:
            known[parameter_file.reader] = reader_input_options(command, parameter_file.reader)
        for key in parameter_file.input_options:
            if key.startswith('override('):  # per-variable attributes: override(VAR)=attr:value
                continue
            assert key in known[parameter_file.reader] | UNLISTED_INPUT_OPTIONS, (path.name, key)
