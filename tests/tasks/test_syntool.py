"""Syntool tasks: in-process, and the chain check_ingested -> convert -> db_insert -> cleanup
on real workers (RabbitMQ and Redis) with a real MariaDB. The ingestor and syntool-meta2sql
are OceanDataLab's real tools; the OSI SAF sea ice concentration, which the public
converter lacks, runs the package's GDAL reader (extra_readers/osisaf_sea_ice_conc.py) on a
synthetic file in the product's layout, and the AMSR2 chain runs the real converter."""

# ruff: noqa: F811 - the fixtures imported from tests.syntool.fixtures are test parameters

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from celery import signature

from geospaas_processing.catalog import services
from geospaas_processing.converters.syntool.converter import SyntoolConversionError
from geospaas_processing.models import ProcessingResult
from geospaas_processing.tasks import app, syntool
from tests import helpers
from tests.syntool.fixtures import (  # noqa: F401 - fixtures
    INPUTS,
    mariadb_connection,
    portal_database,
    portal_rows,
    reader_tools,
    real_syntool_tools,
    results_dir,
    run_with_tools_python,
    syntool_tools,
    write_argo_profiles,
    write_cmems_currents,
    write_ghrsst_l4,
    write_marine_heatwaves,
    write_model,
    write_osisaf_ice_conc,
    write_osisaf_ice_type,
)
from tests.tasks.conftest import broker_url_for, start_worker, stop_worker

GRANULE = 'ice_conc_nh_polstere-100_multi_202403011200'
# Named by the package's reader (product_name) and the real ingestor (<EPSG>_).
PRODUCT = '3413_OSISAF_sea_ice_concentration'
RESULT = f'ingested/{PRODUCT}/{GRANULE}'
TABLE = f'product_{PRODUCT}'


def make_dataset(entry_id: str = GRANULE):
    return helpers.make_dataset(
        entry_id, [(f'https://osisaf.example.org/{entry_id}.nc', services.HTTP_SERVICE)]
    )


def put_in_work_dir(env: dict, name: str = f'{GRANULE}.nc') -> str:
    """A synthetic OSI SAF sea ice concentration file in the work directory."""
    write_osisaf_ice_conc(Path(env['GEOSPAAS_PROCESSING_WORK_DIR']) / 'osisaf' / name)
    return f'osisaf/{name}'


def test_the_beat_schedule_removes_expired_results_periodically():
    entry = app.conf.beat_schedule['syntool-remove-expired']
    assert entry['task'] == syntool.remove_expired.name
    assert entry['schedule'] == timedelta(hours=1)


def test_tasks_are_routed_to_the_syntool_queue():
    assert app.amqp.router.route({}, syntool.convert.name)['queue'].name == 'syntool'


@pytest.mark.django_db(transaction=True)
@pytest.mark.service('mariadb')
def test_check_convert_insert_in_process(
    task_environment, syntool_tools, results_dir, portal_database
):
    dataset = make_dataset()
    path = put_in_work_dir(task_environment)
    rest = syntool.convert.s(ttl={'days': 2}) | syntool.db_insert.s()
    assert syntool.check_ingested((dataset.id, path), to_execute=rest) == (dataset.id, [RESULT])
    record = ProcessingResult.objects.get()
    assert (record.path, record.type, record.ttl) == (RESULT, 'syntool', timedelta(days=2))
    assert [row[0] for row in portal_rows(portal_database, TABLE)] == [GRANULE]
    assert portal_rows(portal_database, 'products') == [(PRODUCT, PRODUCT, 'ZXY')]
    metadata = json.loads((results_dir / RESULT / 'metadata.json').read_text())
    # The reader's time (the file's time variable) and range, as the ingestor read them.
    assert (metadata['begin_datetime'], metadata['end_datetime']) == (
        '2024-03-01 00:00:00',
        '2024-03-02 00:00:00',
    )
    assert all(80 < latitude <= 90 for _, latitude in metadata['lonlat_shape'])
    # Already ingested: the recorded results, without running the conversion again.
    (results_dir / RESULT / 'metadata.json').unlink()
    assert syntool.check_ingested((dataset.id, path), to_execute=rest) == (dataset.id, [RESULT])
    assert not (results_dir / RESULT / 'metadata.json').exists()


@pytest.mark.django_db(transaction=True)
def test_check_ingested_forwards_extra_keyword_arguments_to_what_it_executes(
    task_environment, syntool_tools, results_dir
):
    dataset = make_dataset()
    path = put_in_work_dir(task_environment)
    assert syntool.check_ingested(
        (dataset.id, path), to_execute=syntool.convert.s(), ttl={'days': 5}
    ) == (dataset.id, [RESULT])
    assert ProcessingResult.objects.get().ttl == timedelta(days=5)


@pytest.mark.django_db(transaction=True)
def test_a_partial_failure_records_the_kept_results(
    task_environment, syntool_tools, results_dir, monkeypatch
):
    from geospaas_processing.converters.syntool.configuration import SyntoolConfiguration
    from geospaas_processing.converters.syntool.converter import (
        SyntoolConversionManager,
        SyntoolConverter,
    )

    configurations = (
        SyntoolConfiguration('ok', 'ok', 'ingest_geotiff_3413_tiles'),
        SyntoolConfiguration('broken', 'unsupported_x', 'ingest_geotiff_3413_tiles'),
    )
    monkeypatch.setattr(
        SyntoolConversionManager, 'get_converter', lambda self, d: SyntoolConverter(configurations)
    )
    dataset = make_dataset()
    with pytest.raises(SyntoolConversionError, match='broken'):
        syntool.convert((dataset.id, [put_in_work_dir(task_environment)]))
    assert list(ProcessingResult.objects.values_list('path', flat=True)) == [
        f'ingested/3413_ok/{GRANULE}'
    ]


@pytest.mark.django_db(transaction=True)
def test_compare_profiles_records_against_the_model(task_environment, reader_tools, results_dir):
    work = Path(task_environment['GEOSPAAS_PROCESSING_WORK_DIR'])
    write_model(work / 'model.nc')
    write_argo_profiles(work / 'R6902912_001.nc', profiles=1)
    model, profile = make_dataset('topaz_model'), make_dataset('R6902912_001')
    model_id, paths = syntool.compare_profiles(
        ((model.id, ('model.nc',)), [(profile.id, ('R6902912_001.nc',))])
    )
    assert (model_id, paths) == (
        model.id,
        ['ingested/3413_model_profile_comparison/model_vs_R6902912_001'],
    )
    assert ProcessingResult.objects.get().dataset_id == model.id


@pytest.fixture(params=['rabbitmq', 'redis'])
def syntool_worker(
    request, task_environment, client_app, tmp_path, syntool_tools, results_dir, portal_database
):
    broker_url = broker_url_for(request.param, request)
    client_app(broker_url).control.purge()
    env = {
        **task_environment,
        **syntool_tools,
        'GEOSPAAS_PROCESSING_SYNTOOL_RESULTS_DIR': str(results_dir),
        'SYNTOOL_DATABASE_HOST': '127.0.0.1',
        'SYNTOOL_DATABASE_PORT': '3306',
        'SYNTOOL_DATABASE_USER': 'root',
        'SYNTOOL_DATABASE_NAME': portal_database,
    }
    process = start_worker(
        broker_url,
        env,
        tmp_path / 'worker.log',
        queues='syntool',
        app_module='geospaas_processing.tasks.syntool',
    )
    try:
        yield process
    finally:
        stop_worker(process)


@pytest.mark.django_db(transaction=True)
@pytest.mark.service('mariadb')
def test_chain_check_convert_insert_cleanup_on_a_worker(
    syntool_worker, task_environment, results_dir, portal_database
):
    dataset = make_dataset()
    args = (dataset.id, put_in_work_dir(task_environment))
    rest = syntool.convert.s(ttl={'days': 2}) | syntool.db_insert.s()

    # Upstream's documented chain: check_ingested passes the arguments along.
    chain = syntool.check_ingested.s(args) | syntool.convert.s(ttl={'days': 2}) | rest.tasks[1]
    result = chain.apply_async().get(timeout=120)
    assert result == [dataset.id, [RESULT]]
    assert [row[0] for row in portal_rows(portal_database, TABLE)] == [GRANULE]
    data_access = (results_dir / RESULT / 'features' / 'data_access.ini').read_text()
    assert f'https://osisaf.example.org/{GRANULE}.nc' in data_access
    assert ProcessingResult.objects.get().ttl == timedelta(days=2)

    # Ingested already: answered from the records, and the chain stops there.
    (results_dir / RESULT / 'metadata.json').unlink()
    again = signature(syntool.check_ingested.s(args, to_execute=rest)).apply_async()
    assert again.get(timeout=60) == [dataset.id, [RESULT]]
    stopped = chain.apply_async()
    assert stopped.parent.parent.get(timeout=60) == [dataset.id, [RESULT]]
    assert not (results_dir / RESULT / 'metadata.json').exists()  # convert did not run

    removed = syntool.cleanup.delay({'dataset_id': dataset.id}).get(timeout=60)
    assert removed == [RESULT]
    assert portal_rows(portal_database, TABLE) == []
    assert not (results_dir / RESULT).exists() and not ProcessingResult.objects.exists()
    assert syntool.cleanup_ingested.delay('2100-01-01').get(timeout=60) == []
    json.dumps(removed)


# --- the AMSR2 sea-ice chain on OceanDataLab's real tools and a real MariaDB ---------------

ASI_ENTRY_ID = 'asi-AMSR2-n6250-20240301-v5.4'
# Named by the real converter (product_name of amsr_sea_ice_conc.py) and ingestor (EPSG_).
ASI_PRODUCT = '3413_AMSR_sea_ice_concentration'
ASI_RESULT = f'ingested/{ASI_PRODUCT}/{ASI_ENTRY_ID}'


@pytest.fixture
def asi_input(task_environment, real_syntool_tools) -> str:
    """A synthetic ASI file in the work directory (layout: inputs/make_amsr2_asi.py)."""
    path = Path(task_environment['GEOSPAAS_PROCESSING_WORK_DIR']) / 'asi' / f'{ASI_ENTRY_ID}.hdf'
    path.parent.mkdir(parents=True)
    run_with_tools_python(INPUTS / 'make_amsr2_asi.py', path)
    return f'asi/{path.name}'


def portal_table(database: str, table: str) -> list[dict]:
    with mariadb_connection(database) as connection, connection.cursor() as cursor:
        cursor.execute(
            f'SELECT dataset_name, begin_datetime, end_datetime, min_zoom_level, '
            f'max_zoom_level, shape_text FROM `{table}` ORDER BY dataset_name'
        )
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
@pytest.mark.service('mariadb')
def test_amsr2_sea_ice_chain_on_the_real_tools(
    task_environment, real_syntool_tools, asi_input, portal_database, monkeypatch
):
    # The tools get GDAL's traditional axis order from the runner, not from us.
    monkeypatch.delenv('OSR_DEFAULT_AXIS_MAPPING_STRATEGY', raising=False)
    # No results directory configured: the work directory (upstream's default).
    monkeypatch.delenv('GEOSPAAS_PROCESSING_SYNTOOL_RESULTS_DIR', raising=False)
    results_root = Path(task_environment['GEOSPAAS_PROCESSING_WORK_DIR'])
    dataset = helpers.make_dataset(
        ASI_ENTRY_ID,
        [(f'https://data.seaice.uni-bremen.de/{ASI_ENTRY_ID}.hdf', services.HTTP_SERVICE)],
    )

    args = syntool.check_ingested((dataset.id, asi_input), unused_extra='forwarded')
    assert list(args) == [dataset.id, asi_input]  # no results: the arguments, unchanged
    converted = syntool.convert(args, ttl={'days': 2}, unused_extra='forwarded')
    assert converted == (dataset.id, [ASI_RESULT])
    assert syntool.db_insert(converted, unused_extra='x') == converted
    assert syntool.db_insert(converted) == converted  # again: harmless

    granule = results_root / ASI_RESULT
    metadata = json.loads((granule / 'metadata.json').read_text())
    assert (metadata['syntool_id'], metadata['product'], metadata['dataset']) == (
        ASI_PRODUCT,
        'AMSR_sea_ice_concentration',
        ASI_ENTRY_ID,
    )
    assert (metadata['begin_datetime'], metadata['end_datetime']) == (
        '2024-03-01 00:00:00',
        '2024-03-02 00:00:00',
    )
    assert metadata['output_type'] == 'ZXY'
    # In EPSG:3413, the grid the reader hard-codes (x -3850000..3750000, y -5350000..5850000)
    # cut to the portal's viewport (parameters/projections/3413.ini: +-4510997.2022).
    assert metadata['bbox_infos']['bbox'] == pytest.approx(
        [-3850000, -4510997.2022, 3750000, 4510997.2022], abs=1
    )
    # Longitude, latitude in that order: with swapped axes the shape is nowhere near the pole.
    assert all(30 < latitude <= 90 for _, latitude in metadata['lonlat_shape'])
    # The ingestor ran in a temporary folder: its output path is made the final one.
    assert metadata['output_path'] == str(granule / 'tiles.zxy')
    tilemap = json.loads((granule / 'tiles.zxy' / 'tilemap.json').read_text())
    assert tilemap['crs']['properties']['name'] == 'EPSG:3413'
    tiles = sorted(granule.glob('tiles.zxy/*/*/*.png'))
    assert tiles and (granule / 'tiles.zxy' / 'transparency.json').is_file()
    assert {tile.parts[-3] for tile in tiles} == {
        str(zoom) for zoom in range(metadata['min_zoom_level'], metadata['max_zoom_level'] + 1)
    }
    # Nothing else in the results directory: no temporary folders left by the tools.
    assert sorted(p.name for p in (results_root / 'ingested').iterdir()) == [ASI_PRODUCT]
    assert not list(results_root.glob('.*'))

    assert portal_rows(portal_database, 'products') == [(ASI_PRODUCT, ASI_PRODUCT, 'ZXY')]
    (row,) = portal_table(portal_database, f'product_{ASI_PRODUCT}')
    assert row['dataset_name'] == ASI_ENTRY_ID
    assert (str(row['begin_datetime']), str(row['end_datetime'])) == (
        '2024-03-01 00:00:00',
        '2024-03-02 00:00:00',
    )
    assert (row['min_zoom_level'], row['max_zoom_level']) == (
        metadata['min_zoom_level'],
        metadata['max_zoom_level'],
    )
    assert ProcessingResult.objects.get().ttl == timedelta(days=2)

    # Ingested already: the chain stops with the recorded results.
    assert syntool.check_ingested((dataset.id, asi_input)) == (dataset.id, [ASI_RESULT])

    # Clean-up finds the product table whose name keeps its case.
    assert syntool.cleanup({'dataset_id': dataset.id}) == [ASI_RESULT]
    assert portal_table(portal_database, f'product_{ASI_PRODUCT}') == []
    assert not granule.exists() and not ProcessingResult.objects.exists()


# --- a GDAL reader's vector field on the real ingestor and a real MariaDB ------------------

CURRENTS_ENTRY_ID = 'cmems_obs-mob_glo_phy-cur_nrt_0.25deg_P1D-m_20240301'
# Named by the reader (product_name) and the ingestor (<EPSG>_<product>_vectorfield).
CURRENTS_PRODUCT = '3413_CMEMS_L4_currents_vectorfield'


@pytest.mark.django_db(transaction=True)
@pytest.mark.service('mariadb')
def test_cmems_currents_chain_through_the_gdal_reader(
    task_environment, real_syntool_tools, portal_database, results_dir
):
    work_dir = Path(task_environment['GEOSPAAS_PROCESSING_WORK_DIR'])
    write_cmems_currents(work_dir / 'cmems' / f'{CURRENTS_ENTRY_ID}.nc')
    dataset = helpers.make_dataset(
        CURRENTS_ENTRY_ID,
        [(f'https://marine.example.org/{CURRENTS_ENTRY_ID}.nc', services.HTTP_SERVICE)],
    )
    args = syntool.check_ingested((dataset.id, f'cmems/{CURRENTS_ENTRY_ID}.nc'))
    converted = syntool.convert(args)
    result = f'ingested/{CURRENTS_PRODUCT}/{CURRENTS_ENTRY_ID}'
    assert converted == (dataset.id, [result])
    assert syntool.db_insert(converted) == converted

    metadata = json.loads((results_dir / result / 'metadata.json').read_text())
    assert (metadata['product'], metadata['output_type']) == ('CMEMS_L4_currents', 'VECTOR_FIELD')
    # A daily field dated 2024-03-01 00:00 covers that day.
    assert (metadata['begin_datetime'], metadata['end_datetime']) == (
        '2024-03-01 00:00:00',
        '2024-03-02 00:00:00',
    )
    # The synthetic file covers 0-20 E, 70-80 N (longitude, latitude order).
    assert all(
        -1e-6 <= lon <= 20 + 1e-6 and 70 - 1e-6 <= lat <= 80 + 1e-6
        for lon, lat in metadata['lonlat_shape']
    )
    assert portal_rows(portal_database, 'products') == [
        (CURRENTS_PRODUCT, CURRENTS_PRODUCT, 'VECTOR_FIELD')
    ]
    assert [row[0] for row in portal_rows(portal_database, f'product_{CURRENTS_PRODUCT}')] == [
        CURRENTS_ENTRY_ID
    ]
    assert syntool.cleanup({'dataset_id': dataset.id}) == [result]
    assert portal_rows(portal_database, f'product_{CURRENTS_PRODUCT}') == []


# --- Gridded fields through the GDAL readers, as tiles on the 3413 portal ----------------

# Portal product (as the readers name it): entry_id, input writer, the shape's west, east
# and south bounds (the GHRSST inputs reach 45 N and are cut at 50 N; the DUACS input is
# a 0-20 E, 70-80 N subset: all around the pole, its ingestion alone takes a minute
# here; the reader's 0..360 longitudes are tested in tests/syntool/test_extra_readers.py).
TILED_GRIDS = {
    'OSTIA_SST': (
        '20240301120000-UKMO-L4_GHRSST-SSTfnd-OSTIA-GLOB-v02.0-fv02.0',
        lambda path: write_ghrsst_l4(path, 'UKMO'),
        (0, 20, 50),
    ),
    'REMSS_MWOI_SST': (
        '20240301120000-REMSS-L4_GHRSST-SSTfnd-MW_OI-GLOB-v02.0-fv05.1',
        lambda path: write_ghrsst_l4(path, 'REMSS'),
        (0, 20, 50),
    ),
    'NOAA_CRW_marine_heatwaves': ('noaa-crw_mhw_20240301', write_marine_heatwaves, (0, 20, 50)),
    'CMEMS_L4_SLA': (
        'nrt_global_allsat_phy_l4_20240301_20240307',
        lambda path: write_cmems_currents(path, 'sla', subset=True),
        (0, 20, 70),
    ),
}
# What the selector also makes of the same file (products.py): DUACS L4 maps hold the
# geostrophic currents too.
TILED_ALSO = {'CMEMS_L4_SLA': [('3413_CMEMS_L4_geostrophic_currents_vectorfield', 'VECTOR_FIELD')]}
# The day each product's time stands for: GHRSST's coverage attributes, DUACS's day,
# the heatwave map's day around its time.
TILED_DAYS = {
    'OSTIA_SST': ('2024-03-01 00:00:00', '2024-03-02 00:00:00'),
    'REMSS_MWOI_SST': ('2024-03-01 00:00:00', '2024-03-02 00:00:00'),
    'CMEMS_L4_SLA': ('2024-03-01 00:00:00', '2024-03-01 23:59:59'),
    'NOAA_CRW_marine_heatwaves': ('2024-03-01 00:00:00', '2024-03-02 00:00:00'),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.service('mariadb')
@pytest.mark.parametrize('product', sorted(TILED_GRIDS))
def test_gridded_field_chain_through_the_gdal_reader(
    task_environment, real_syntool_tools, portal_database, results_dir, product
):
    entry_id, write, (west, east, south) = TILED_GRIDS[product]
    work_dir = Path(task_environment['GEOSPAAS_PROCESSING_WORK_DIR'])
    write(work_dir / 'grids' / f'{entry_id}.nc')
    dataset = helpers.make_dataset(
        entry_id, [(f'https://data.example.org/{entry_id}.nc', services.HTTP_SERVICE)]
    )
    converted = syntool.convert(syntool.check_ingested((dataset.id, f'grids/{entry_id}.nc')))
    portal_product = f'3413_{product}'
    result = f'ingested/{portal_product}/{entry_id}'
    also = TILED_ALSO.get(product, [])
    results = [result, *(f'ingested/{name}/{entry_id}' for name, _ in also)]
    assert converted == (dataset.id, results)
    assert syntool.db_insert(converted) == converted

    granule = results_dir / result
    metadata = json.loads((granule / 'metadata.json').read_text())
    assert (metadata['product'], metadata['output_type']) == (product, 'ZXY')
    assert (metadata['begin_datetime'], metadata['end_datetime']) == TILED_DAYS[product]
    assert all(
        west - 1e-6 <= lon <= east + 1e-6 and south - 1e-6 <= lat <= 80 + 1e-6
        for lon, lat in metadata['lonlat_shape']
    )
    assert min(lat for _, lat in metadata['lonlat_shape']) == pytest.approx(south, abs=0.2)
    assert sorted(granule.glob('tiles.zxy/*/*/*.png'))
    tilemap = json.loads((granule / 'tiles.zxy' / 'tilemap.json').read_text())
    assert tilemap['crs']['properties']['name'] == 'EPSG:3413'
    assert sorted(portal_rows(portal_database, 'products')) == sorted(
        [(portal_product, portal_product, 'ZXY'), *((name, name, kind) for name, kind in also)]
    )
    assert [row[0] for row in portal_rows(portal_database, f'product_{portal_product}')] == [
        entry_id
    ]
    assert sorted(syntool.cleanup({'dataset_id': dataset.id})) == sorted(results)
    assert portal_rows(portal_database, f'product_{portal_product}') == []
    assert not granule.exists()


# --- OSI SAF sea ice type: categories as one raster image on the 3413 portal --------------

ICE_TYPE_GRANULE = 'ice_type_nh_polstere-100_multi_202403011200'
# Named by the reader and the ingestor (<EPSG>_<product>_raster for a raster output).
ICE_TYPE_PRODUCT = '3413_OSISAF_sea_ice_type_raster'


@pytest.mark.django_db(transaction=True)
@pytest.mark.service('mariadb')
def test_osisaf_sea_ice_type_chain_through_the_gdal_reader(
    task_environment, real_syntool_tools, portal_database, results_dir
):
    work_dir = Path(task_environment['GEOSPAAS_PROCESSING_WORK_DIR'])
    write_osisaf_ice_type(work_dir / 'osisaf' / f'{ICE_TYPE_GRANULE}.nc')
    dataset = make_dataset(ICE_TYPE_GRANULE)
    args = syntool.check_ingested((dataset.id, f'osisaf/{ICE_TYPE_GRANULE}.nc'))
    converted = syntool.convert(args)
    result = f'ingested/{ICE_TYPE_PRODUCT}/{ICE_TYPE_GRANULE}'
    assert converted == (dataset.id, [result])
    assert syntool.db_insert(converted) == converted

    granule = results_dir / result
    metadata = json.loads((granule / 'metadata.json').read_text())
    # One image of the categories (palette, nodata 255), not tiles.
    assert (metadata['product'], metadata['output_type']) == ('OSISAF_sea_ice_type', 'IMAGE')
    assert (metadata['ispaletted'], metadata['nodatavalues']) == (True, [255])
    assert (granule / 'imageLayer.png').is_file() and not (granule / 'tiles.zxy').exists()
    assert (metadata['begin_datetime'], metadata['end_datetime']) == (
        '2024-03-01 00:00:00',
        '2024-03-02 00:00:00',
    )
    # The 60 x 60 cut of the 10 km grid, in EPSG:3413 metres.
    assert metadata['bbox_infos']['bbox'] == pytest.approx([-400000, -200000, 200000, 400000])
    assert all(lat > 80 for _, lat in metadata['lonlat_shape'])
    assert portal_rows(portal_database, 'products') == [
        (ICE_TYPE_PRODUCT, ICE_TYPE_PRODUCT, 'IMAGE')
    ]
    assert [row[0] for row in portal_rows(portal_database, f'product_{ICE_TYPE_PRODUCT}')] == [
        ICE_TYPE_GRANULE
    ]
    assert syntool.cleanup({'dataset_id': dataset.id}) == [result]
    assert portal_rows(portal_database, f'product_{ICE_TYPE_PRODUCT}') == []
    assert not granule.exists()
