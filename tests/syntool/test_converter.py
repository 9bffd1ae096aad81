"""Syntool conversion: product selection, the tools' command lines, results layout, failures."""

from __future__ import annotations

import configparser
import json
import pickle
import shlex
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from geospaas_processing.catalog import services
from geospaas_processing.converters.errors import ConversionToolMissing, NoMatch
from geospaas_processing.converters.syntool.configuration import (
    IngestParameterSelector,
    SyntoolConfiguration,
)
from geospaas_processing.converters.syntool.converter import (
    SyntoolConversionError,
    SyntoolConversionManager,
    SyntoolConverter,
)
from tests import helpers
from tests.syntool.fixtures import INPUTS, run_with_tools_python, write_osisaf_ice_conc

S3_TAIL = '_0179_109_236_1800_MAR_O_NT_003'
# A realistic entry_id per product, and the portal products it must give.
PRODUCTS = {
    'S1A_IW_GRDH_1SDV_20240301T054326_20240301T054351_052772_066309_8A4E': ['Sentinel1_roughness'],
    'S1B_EW_GRDM_1SDH_20211201T074532_20211201T074632_029849_039016_6B1B': ['Sentinel1_roughness'],
    'S1A_IW_SLC__1SDV_20240301T054326_20240301T054353_052772_066309_1F3C': ['Sentinel1_roughness'],
    'S1A_IW_OCN__2SDV_20240301T054326_20240301T054351_052772_066309_0C1E': ['Sentinel1_wind'],
    f'S3A_OL_2_WFR____20240301T100316_20240301T100616_20240302T174511{S3_TAIL}': [
        'Sentinel3_OLCI_chlorophyll',
        'Sentinel3_OLCI_true_color',
        'Sentinel3_OLCI_false_color',
    ],
    f'S3B_SL_1_RBT____20240301T095413_20240301T095713_20240302T190327{S3_TAIL}': [
        'Sentinel3_SLSTR_radiances'
    ],
    f'S3A_SL_2_WST____20240301T100316_20240301T100616_20240302T191543{S3_TAIL}': [
        'Sentinel3_SLSTR_SST'
    ],
    'ice_conc_nh_polstere-100_multi_202403011200': ['OSISAF_sea_ice_concentration'],
    'ice_drift_nh_polstere-625_multi-oi_202402281200-202403011200': ['OSISAF_sea_ice_drift'],
    'ice_type_nh_polstere-100_multi_202403011200': ['OSISAF_sea_ice_type'],
    'asi-AMSR2-n6250-20240301-v5.4': ['AMSR2_sea_ice_concentration'],
    'Moorings_2024d061': [
        'neXtSIM_sea_ice_concentration',
        'neXtSIM_sea_ice_thickness',
        'neXtSIM_sea_ice_drift',
    ],
    'cmems_obs-mob_glo_phy-cur_nrt_0.25deg_P1D-m_20240301': ['CMEMS_L4_currents'],
    'nrt_global_allsat_phy_l4_20240301_20240307': ['CMEMS_L4_SLA', 'CMEMS_L4_geostrophic_currents'],
    'dt_arctic_multimission_sea_level_uv_20200301': ['DUACS_Arctic_sea_level'],
    '20240301000000-IFR-L4_GHRSST-SSTfnd-ODYSSEA-GLOB_010-v02.1-fv01.0': ['ODYSSEA_SST'],
    '20240301120000-REMSS-L4_GHRSST-SSTfnd-MW_OI-GLOB-v02.0-fv05.1': ['REMSS_MWOI_SST'],
    '20240301120000-UKMO-L4_GHRSST-SSTfnd-OSTIA-GLOB-v02.0-fv02.0': ['OSTIA_SST'],
    'R6902912_123': ['Argo_profiles'],
    'D6902912_122D': ['Argo_profiles'],
    'BR6903550_045': ['BioArgo_profiles'],
    '6902912_Rtraj': ['Argo_trajectories'],
    '6903550_BRtraj': ['BioArgo_trajectories'],
    'RS2_OK125062_PK1108357_DK1054770_SCWA_20210301_152524_HH_HV_SGF': ['Radarsat2_roughness'],
    'NorKyst-800m_ZDEPTHS_his.an.2024030100': ['NorKyst800_SST', 'NorKyst800_currents'],
    '20240301_dm-metno-MODEL-topaz5-ARC-b20240301-fv02.0': [
        'TOPAZ_forecast_SST',
        'TOPAZ_forecast_sea_ice',
        'TOPAZ_forecast_currents',
    ],
    '20200301_dm-12km-NERSC-MODEL-TOPAZ4B-ARC-RAN.fv2.0': [
        'TOPAZ_reanalysis_SST',
        'TOPAZ_reanalysis_sea_ice',
    ],
    'SWOT_L3_LR_SSH_Expert_012_345_20240301T000000_20240301T010000_v1.0': ['SWOT_SSH'],
    'nrt_global_s3a_phy_l3_1hz_20240301_20240307': ['CMEMS_L3_along_track_s3a'],
    'nrt_global_j3n_phy_l3_1hz_20240301_20240307': ['CMEMS_L3_along_track_j3'],
    'nrt_global_s6a_hr_phy_l3_1hz_20240301_20240307': ['CMEMS_L3_along_track_s6a'],
    'nrt_global_h2b_phy_l3_1hz_20240301_20240307': ['CMEMS_L3_along_track_h2b'],
    'mhw_global_20240301': ['NOAA_CRW_marine_heatwaves'],
    'noaa-crw_mhw_20240301': ['NOAA_CRW_marine_heatwaves'],
}


def configuration_names(entry_id: str) -> list[str]:
    converter = SyntoolConversionManager('.').get_converter(
        SimpleNamespace(entry_id=entry_id, pk=1)
    )
    assert isinstance(converter, SyntoolConverter)
    return [configuration.name for configuration in converter.configurations]


@pytest.mark.parametrize('entry_id', sorted(PRODUCTS))
def test_every_product_gets_its_configurations(entry_id):
    assert configuration_names(entry_id) == PRODUCTS[entry_id]


def test_every_configuration_has_existing_ingestion_parameters():
    for selector in SyntoolConverter.PARAMETER_SELECTORS:
        for configuration in selector.parameters['configurations']:
            for name in ('a.tiff', 'ice_drift_lr_a.nc'):
                assert all(path.is_file() for path in configuration.parameter_files(Path(name)))


def test_an_unknown_product_is_no_match_naming_the_dataset():
    with pytest.raises(NoMatch, match='not_a_product_xyz'):
        configuration_names('not_a_product_xyz')


def test_ingestion_parameters_chosen_from_the_converted_file_name():
    configuration = SyntoolConfiguration(
        'drift',
        'osisaf_sea_ice_drift',
        (
            IngestParameterSelector(r'_lr_', ('ingest_netcdf_3413_vectorfield',)),
            IngestParameterSelector(r'.', ('ingest_geotiff_3413_raster.ini',)),
        ),
    )
    assert [p.name for p in configuration.parameter_files(Path('x_lr_1.nc'))] == [
        'ingest_netcdf_3413_vectorfield.ini'
    ]
    assert [p.name for p in configuration.parameter_files(Path('x_hr_1.nc'))] == [
        'ingest_geotiff_3413_raster.ini'
    ]


def test_call_time_options_override_configured_ones():
    configuration = SyntoolConfiguration('p', 't', 'x', converter_options={'a': '1', 'b': '2'})
    assert configuration.options({'b': 3}) == {'a': '1', 'b': '3'}


def test_the_partial_failure_error_survives_pickling():
    error = SyntoolConversionError('two failed', results=['ingested/a/b'], failures=[('x', 'boom')])
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.results, copy.failures) == (
        'two failed',
        ['ingested/a/b'],
        [('x', 'boom')],
    )


# --- conversions: real ingestor, stand-in converter for the types that cannot run here ----
# The stand-in (tests/syntool/bin/syntool-converter-geotiff) stands for syntool-converter
# with a type that does not run here; it writes the converter's GeoTIFF with the real
# converter's writer, and names the product after the type.


def make_dataset(entry_id: str):
    return helpers.make_dataset(
        entry_id,
        [
            (f'file:///work/{entry_id}.nc', services.LOCAL_FILE_SERVICE),
            (f'https://provider.example.org/{entry_id}.nc', services.HTTP_SERVICE),
            (f'ftp://mirror.example.org/{entry_id}.nc', services.FTP_SERVICE),
        ],
    )


GRANULE = 'ice_conc_nh_polstere-100_multi_202403011200'


@pytest.fixture
def input_file(tmp_path) -> Path:
    """A synthetic OSI SAF sea ice concentration file (layout: write_osisaf_ice_conc)."""
    return write_osisaf_ice_conc(tmp_path / 'work' / f'{GRANULE}.nc')


def leftovers(directory: Path) -> list[str]:
    """Anything but results in a results directory (temporary folders of the tools)."""
    return sorted(p.name for p in directory.iterdir() if p.name != 'ingested')


@pytest.mark.django_db
def test_conversion_ingests_into_the_results_layout(syntool_tools, results_dir, input_file):
    # osisaf_sea_ice_conc: the package's GDAL reader, then the real ingestor.
    original = input_file.read_bytes()
    dataset = make_dataset(input_file.stem)
    manager = SyntoolConversionManager(input_file.parent, results_dir)
    results = manager.convert(dataset.id, input_file.name)
    assert results == [f'ingested/3413_OSISAF_sea_ice_concentration/{GRANULE}']
    result = results_dir / results[0]
    metadata = json.loads((result / 'metadata.json').read_text())
    assert (metadata['dataset'], metadata['output_type']) == (GRANULE, 'ZXY')
    assert sorted(result.glob('tiles.zxy/*/*/*.png'))
    data_access = configparser.ConfigParser(interpolation=None)
    data_access.read(result / 'features' / 'data_access.ini')
    assert data_access['geospaas']['entry_id'] == dataset.entry_id
    assert data_access['geospaas']['dataset_url'] == f'https://provider.example.org/{GRANULE}.nc'
    assert leftovers(results_dir) == []
    assert input_file.read_bytes() == original


def write_converter_geotiff(directory: Path, name: str, box=(0, 70, 20, 80)) -> Path:
    """A converter-shaped GeoTIFF (``--keep-output``: ``directory/<name>.tiff``)."""
    run_with_tools_python(
        INPUTS / 'converter_geotiff.py', directory, 'Synthetic_product', name, *box, '--keep-output'
    )
    return directory / f'{name}.tiff'


def test_a_configuration_without_converter_type_ingests_the_input(syntool_tools, tmp_path):
    geotiff = write_converter_geotiff(tmp_path, 'granule_1')
    converter = SyntoolConverter(
        [SyntoolConfiguration('direct', None, 'ingest_geotiff_3413_raster')]
    )
    out_dir = tmp_path / 'out'
    out_dir.mkdir()
    outcome = converter.run_all(geotiff, out_dir)
    # The raster formatter's output id is "_raster" (raster.py, get_output_id).
    assert outcome.results == ['ingested/3413_Synthetic_product_raster/granule_1']
    metadata = json.loads((out_dir / outcome.results[0] / 'metadata.json').read_text())
    assert metadata['output_type'] == 'IMAGE'


def test_a_parameter_list_ingests_once_per_parameter_file(syntool_tools, tmp_path):
    geotiff = write_converter_geotiff(tmp_path, 'granule_1')
    configuration = SyntoolConfiguration(
        'both', None, ['ingest_geotiff_3413_raster', 'ingest_geotiff_3413_tiles']
    )
    out_dir = tmp_path / 'out'
    out_dir.mkdir()
    outcome = SyntoolConverter([configuration]).run_all(geotiff, out_dir)
    assert outcome.failures == []
    assert outcome.results == [
        'ingested/3413_Synthetic_product_raster/granule_1',
        'ingested/3413_Synthetic_product/granule_1',
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ('entry_id', 'variable'),
    [
        ('asi-AMSR2-n6250-20240301-v5.4', 'GEOSPAAS_PROCESSING_SYNTOOL_CONVERTER'),
        (GRANULE, 'GEOSPAAS_PROCESSING_SYNTOOL_PYTHON'),  # a GDAL reader's interpreter
    ],
)
def test_a_missing_tool_is_reported_up_front_by_name(
    syntool_tools, results_dir, input_file, monkeypatch, entry_id, variable
):
    dataset = make_dataset(entry_id)
    monkeypatch.setenv(variable, 'syntool-tool-not-installed')
    manager = SyntoolConversionManager(input_file.parent, results_dir)
    with pytest.raises(ConversionToolMissing) as error:
        manager.convert(dataset.id, input_file.name)
    assert 'syntool-tool-not-installed' in str(error.value)
    assert variable in str(error.value)
    assert not results_dir.exists() or list(results_dir.iterdir()) == []


@pytest.mark.django_db
def test_a_failing_configuration_keeps_the_others_results(
    syntool_tools, results_dir, input_file, monkeypatch
):
    dataset = make_dataset(input_file.stem)
    configurations = (
        SyntoolConfiguration('first', 'first_type', 'ingest_geotiff_3413_tiles'),
        SyntoolConfiguration('broken', 'unsupported_b', 'ingest_geotiff_3413_tiles'),
        SyntoolConfiguration('third', 'third_type', 'ingest_geotiff_3413_tiles'),
    )
    monkeypatch.setattr(
        SyntoolConversionManager, 'get_converter', lambda self, d: SyntoolConverter(configurations)
    )
    manager = SyntoolConversionManager(input_file.parent, results_dir)
    with pytest.raises(SyntoolConversionError) as error:
        manager.convert(dataset.id, input_file.name)
    kept = [f'ingested/3413_first_type/{GRANULE}', f'ingested/3413_third_type/{GRANULE}']
    assert error.value.results == kept
    assert error.value.failures[0][0] == 'broken'
    assert "invalid choice: 'unsupported_b'" in str(error.value)
    assert all((results_dir / path / 'metadata.json').is_file() for path in kept)
    assert leftovers(results_dir) == []


# --- failures of the real tools: the command and the tool's last lines, nothing left -----


@pytest.mark.django_db
def test_a_real_converter_failure_names_the_command_and_its_last_lines(
    real_syntool_tools, results_dir, tmp_path
):
    source = tmp_path / 'work' / 'asi-AMSR2-n6250-20240301-v5.4.hdf'
    source.parent.mkdir()
    source.write_bytes(b'not an HDF4 file')
    dataset = make_dataset(source.stem)
    manager = SyntoolConversionManager(source.parent, results_dir)
    with pytest.raises(SyntoolConversionError) as error:
        manager.convert(dataset.id, source.name)
    message = str(error.value)
    assert 'syntool-converter exited with status 1' in message
    assert f'-t amsr_sea_ice_conc -i {source}' in message
    assert 'HDF4Error' in message  # pyhdf's own explanation, from the tool's output
    assert leftovers(results_dir) == [] and not (results_dir / 'ingested').exists()


@pytest.mark.django_db
def test_an_unknown_converter_option_is_the_real_tools_message(
    real_syntool_tools, results_dir, tmp_path
):
    source = tmp_path / 'work' / 'asi-AMSR2-n6250-20240301-v5.4.hdf'
    source.parent.mkdir()
    run_with_tools_python(INPUTS / 'make_amsr2_asi.py', source)
    dataset = make_dataset(source.stem)
    manager = SyntoolConversionManager(source.parent, results_dir)
    with pytest.raises(SyntoolConversionError, match='Unknown option') as error:
        manager.convert(dataset.id, source.name, converter_options={'product': 'Mine'})
    assert '-opt product=Mine' in str(error.value)
    # Real option names reach the converter: vmax becomes the band's parameter range.
    (result,) = manager.convert(dataset.id, source.name, converter_options={'vmax': 50})
    metadata = json.loads((results_dir / result / 'metadata.json').read_text())
    assert metadata['bands_info'][0]['max'] == pytest.approx(50)


def test_an_ingestor_that_exits_0_without_output_is_a_failure(syntool_tools, tmp_path, monkeypatch):
    geotiff = write_converter_geotiff(tmp_path, 'granule_1')
    # Stands for the real ingestor exiting 0 after writing nothing (issue 14, item 6).
    silent = shlex.join([sys.executable, '-c', 'print("Processing input [1/1] : 0")'])
    monkeypatch.setenv('GEOSPAAS_PROCESSING_SYNTOOL_INGESTOR', silent)
    out_dir = tmp_path / 'out'
    out_dir.mkdir()
    outcome = SyntoolConverter(
        [SyntoolConfiguration('direct', None, 'ingest_geotiff_3413_tiles')]
    ).run_all(geotiff, out_dir)
    ((name, error),) = outcome.failures
    assert 'the ingestor exited 0 but produced nothing' in str(error)
    assert f'--output-dir {out_dir}' in str(error) and 'Processing input [1/1]' in str(error)
    assert list(out_dir.iterdir()) == []
