"""The package's Syntool configurations against OceanDataLab's real tools.

Facts come from the real tools in ``../shared/vendor/syntool``: the converter's types
(``TYPES`` in ``syntool_converter/bin/syntool-converter``) and option names
(``parse_options`` there), what imports on this machine (vendor ``README.md``), and what
the real ingestor and ``syntool-meta2sql`` make of a converter-shaped GeoTIFF.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
from pathlib import Path

import pytest

from geospaas_processing.converters.syntool import portal, products, results
from geospaas_processing.converters.syntool.configuration import (
    READER_TOOL,
    SyntoolConfiguration,
)
from geospaas_processing.converters.syntool.converter import SyntoolConverter
from tests import helpers
from tests.syntool.fixtures import (
    INPUTS,
    VENDOR,
    portal_rows,
    require_real_tools,
    run_with_tools_python,
)

CONVERTER_SOURCE = VENDOR / 'syntool_converter' / 'bin' / 'syntool-converter'


def real_converter_source() -> str:
    if not CONVERTER_SOURCE.is_file():
        pytest.skip(f'{CONVERTER_SOURCE} is not here (../shared/vendor/syntool)')
    return CONVERTER_SOURCE.read_text()


def real_types() -> set[str]:
    """``TYPES`` of the real syntool-converter, read from its source."""
    tree = ast.parse(real_converter_source())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            getattr(target, 'id', None) == 'TYPES' for target in node.targets
        ):
            return set(ast.literal_eval(node.value))
    raise AssertionError('no TYPES in the real syntool-converter')


def real_option_names() -> set[str]:
    """The ``-opt`` names ``parse_options`` of the real syntool-converter accepts."""
    source = real_converter_source()
    body = source[source.index('def parse_options') : source.index('if __name__ ==')]
    return set(re.findall(r"name == '(\w+)'", body))


def converter_configurations() -> list[SyntoolConfiguration]:
    return [
        configuration
        for selector in products.PARAMETER_SELECTORS
        for configuration in selector.parameters['configurations']
        if configuration.converter_type is not None and configuration.tool != READER_TOOL
    ]


def test_every_configuration_type_is_a_real_type_or_listed_as_outside_it():
    types, option_names = real_types(), real_option_names()
    used = {configuration.converter_type for configuration in converter_configurations()}
    for configuration in converter_configurations():
        if configuration.converter_type in types:
            unknown = set(configuration.converter_options) - option_names
            assert not unknown, f'{configuration.name}: "Unknown option." for {unknown}'
        else:
            assert configuration.converter_type in products.TYPES_OUTSIDE_PUBLIC_CONVERTER, (
                f'{configuration.name}: {configuration.converter_type} is not a type of the '
                'real syntool-converter'
            )
    assert not products.TYPES_OUTSIDE_PUBLIC_CONVERTER & types
    assert products.TYPES_OUTSIDE_PUBLIC_CONVERTER <= used  # no stale entry
    assert used & types == {'amsr_sea_ice_conc', 'odyssea_sst', 'sar_roughness', 'sar_wind'}


@pytest.mark.parametrize('converter_type', ['odyssea_sst', 'sar_roughness', 'sar_wind'])
def test_the_real_types_that_cannot_run_here_do_not_import(converter_type, tmp_path):
    # Vendor README: they need cerbere's old API, ceraux or OceanDataLab's sar package. If
    # one starts to import, it deserves an end-to-end test like amsr_sea_ice_conc's.
    tools = require_real_tools()
    source = tmp_path / 'input.nc'
    source.write_bytes(b'')
    completed = subprocess.run(
        [str(tools / 'syntool-converter'), '-t', converter_type, '-i', str(source)]
        + ['-o', str(tmp_path / 'out')],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode != 0
    assert 'ModuleNotFoundError' in completed.stderr


def converter_geotiff(
    directory: Path, name: str, box: tuple[float, ...], vector: bool = False
) -> Path:
    """A GeoTIFF written by the real converter's writer (inputs/converter_geotiff.py)."""
    flags = ['--keep-output', *(['--vector'] if vector else [])]
    run_with_tools_python(
        INPUTS / 'converter_geotiff.py', directory, 'Synthetic_product', name, *box, *flags
    )
    return directory / f'{name}.tiff'


# The packaged parameter files that ingest a converter's GeoTIFF, with the portal
# projection they are for, and what the ingestor names and types the product
# (syntool_ingestor/__init__.py: <EPSG>_<product><output id>; formatters' types).
GEOTIFF_PARAMETERS = {
    'ingest_geotiff_3413_tiles': ('3413', '3413_Synthetic_product', 'ZXY'),
    'ingest_geotiff_3413_raster': ('3413', '3413_Synthetic_product_raster', 'IMAGE'),
    'ingest_geotiff_4326_tiles': ('4326', '4326_Synthetic_product', 'ZXY'),
    'ingest_netcdf_4326_swath': ('4326', '4326_Synthetic_product', 'ZXY'),
    # A current's velocity and direction bands (the real current readers' layout).
    'ingest_netcdf_3413_vectorfield': (
        '3413',
        '3413_Synthetic_product_vectorfield',
        'VECTOR_FIELD',
    ),
}


@pytest.mark.django_db
@pytest.mark.service('mariadb')
@pytest.mark.parametrize('parameters', sorted(GEOTIFF_PARAMETERS))
def test_packaged_parameters_work_with_the_real_ingestor_and_meta2sql(
    parameters, real_syntool_tools, portal_database, results_dir
):
    projection, syntool_id, output_type = GEOTIFF_PARAMETERS[parameters]
    results_dir.mkdir()
    vector = output_type == 'VECTOR_FIELD'
    geotiff = converter_geotiff(results_dir.parent, 'granule_1', (0, 70, 20, 80), vector)
    configuration = SyntoolConfiguration('p', None, parameters, projection=projection)
    outcome = SyntoolConverter([configuration]).run_all(geotiff, results_dir)
    assert outcome.failures == []
    assert outcome.results == [f'ingested/{syntool_id}/granule_1']
    metadata_path = results_dir / outcome.results[0] / 'metadata.json'
    metadata = json.loads(metadata_path.read_text())
    assert (metadata['syntool_id'], metadata['output_type']) == (syntool_id, output_type)
    # Shape in longitude, latitude order (TRADITIONAL_GIS_ORDER set by the runner).
    assert all(
        -1e-6 <= lon <= 20 + 1e-6 and 70 - 1e-6 <= lat <= 80 + 1e-6
        for lon, lat in metadata['lonlat_shape']
    )
    portal.insert_metadata([metadata_path])
    assert portal_rows(portal_database, 'products') == [(syntool_id, syntool_id, output_type)]
    assert [row[0] for row in portal_rows(portal_database, f'product_{syntool_id}')] == [
        'granule_1'
    ]


@pytest.mark.django_db
@pytest.mark.service('mariadb')
def test_a_granule_crossing_the_antimeridian_end_to_end(
    real_syntool_tools, portal_database, results_dir
):
    results_dir.mkdir()
    geotiff = converter_geotiff(results_dir.parent, 'crossing', (170, 60, 190, 70))
    configuration = SyntoolConfiguration('p', None, 'ingest_geotiff_3413_tiles', projection='3857')
    (result,) = SyntoolConverter([configuration]).run_all(geotiff, results_dir).results
    metadata = json.loads((results_dir / result / 'metadata.json').read_text())
    assert metadata['bbox_infos']['xIDL'] is True
    portal.insert_metadata([results_dir / result / 'metadata.json'])
    portal.insert_metadata([results_dir / result / 'metadata.json'])  # again: harmless
    table = 'product_3857_Synthetic_product'
    assert [row[0] for row in portal_rows(portal_database, table)] == [
        'crossing',
        'crossing_XIDLfix',
    ]
    dataset = helpers.make_dataset('crossing')
    results.record_results(dataset.id, [result])
    assert results.cleanup({'dataset_id': dataset.id}) == [result]
    assert portal_rows(portal_database, table) == []
    assert not (results_dir / result).exists()
