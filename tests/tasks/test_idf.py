"""The IDF conversion task, chained after a download on a real worker."""

from __future__ import annotations

from pathlib import Path

import netCDF4
import pytest
from celery import chain

from geospaas_processing.catalog import services
from geospaas_processing.catalog.records import DatasetRecord, create_dataset
from geospaas_processing.converters.errors import NoMatch
from geospaas_processing.models import ProcessingResult
from geospaas_processing.tasks import core, idf
from tests.converters.test_idf_conversion import (  # noqa: F401 - fixture
    CCI_ENTRY_ID,
    GRID,
    START,
    idf_converter_installed,
    write_cci_file,
)
from tests.tasks.conftest import broker_url_for, start_worker, stop_worker
from tests.tasks.slow_server import SlowFileServer


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize('broker', ['rabbitmq', 'redis'])
def test_download_then_convert_to_idf_on_a_worker(
    broker, request, client_app, task_environment, tmp_path
):
    provider = tmp_path / 'provider'
    write_cci_file(provider / f'{CCI_ENTRY_ID}.nc')
    broker_url = broker_url_for(broker, request)
    app = client_app(broker_url)
    app.control.purge()
    process = start_worker(
        broker_url,
        task_environment,
        tmp_path / 'worker.log',
        queues='core,idf',
        app_module='geospaas_processing.tasks.idf',
    )
    try:
        with SlowFileServer(provider) as server:
            dataset = create_dataset(
                DatasetRecord(
                    CCI_ENTRY_ID,
                    START,
                    START,
                    GRID.wkt(),
                    uris=[(f'{server.url}{CCI_ENTRY_ID}.nc', services.HTTP_SERVICE)],
                )
            )
            result = chain(core.download.s((dataset.id,)), idf.convert_to_idf.s()).apply_async()
            dataset_id, folders = result.get(timeout=180)
    finally:
        stop_worker(process)
    assert (dataset_id, folders) == (dataset.id, [f'ESA_CCI_SST_L4/{CCI_ENTRY_ID}'])
    work = Path(task_environment['GEOSPAAS_PROCESSING_WORK_DIR'])
    idf_files = list((work / folders[0]).rglob('*.nc'))
    assert len(idf_files) == 1
    with netCDF4.Dataset(idf_files[0]) as nc:
        assert nc['analysed_sst'].dtype.name == 'uint8'
    recorded = ProcessingResult.objects.get(path=folders[0])
    assert (recorded.dataset_id, recorded.type) == (dataset.id, 'idf')


SLSTR_NT_ENTRY_ID = (
    'S3B_SL_2_WST____20240301T094904_20240301T095204_20240302T120015_0179_090_250_1800_MAR_O_NT_003'
)


@pytest.mark.django_db(transaction=True)
def test_a_dataset_with_no_convertible_product_fails_the_task_with_the_reason(
    request, client_app, task_environment, tmp_path
):
    """A failure, not a skipped result: no IDF will ever exist, so the chain must stop."""
    work = Path(task_environment['GEOSPAAS_PROCESSING_WORK_DIR'])
    (work / f'{SLSTR_NT_ENTRY_ID}.SEN3').mkdir()
    dataset = create_dataset(DatasetRecord(SLSTR_NT_ENTRY_ID, START, START, GRID.wkt()))
    broker_url = broker_url_for('rabbitmq', request)
    app = client_app(broker_url)
    app.control.purge()
    log_path = tmp_path / 'worker.log'
    process = start_worker(
        broker_url,
        task_environment,
        log_path,
        queues='idf',
        app_module='geospaas_processing.tasks.idf',
    )
    try:
        result = idf.convert_to_idf.apply_async(((dataset.id, f'{SLSTR_NT_ENTRY_ID}.SEN3'),))
        with pytest.raises(NoMatch) as raised:
            result.get(timeout=120)
    finally:
        stop_worker(process)
    message = str(raised.value)
    assert 'Sentinel-3 SLSTR L2 WST (NT)' in message and SLSTR_NT_ENTRY_ID in message
    assert 'converts only the NR' in message
    assert result.state == 'FAILURE'
    assert not ProcessingResult.objects.filter(dataset_id=dataset.id).exists()
    log = log_path.read_text(errors='replace')
    assert 'converts only the NR' in log  # the worker says why, on one line
    assert 'Traceback' not in log
