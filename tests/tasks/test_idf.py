"""The IDF conversion task, chained after a download on a real worker."""

from __future__ import annotations

from pathlib import Path

import netCDF4
import pytest
from celery import chain

from geospaas_processing.catalog import services
from geospaas_processing.catalog.records import DatasetRecord, create_dataset
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
