"""A short PostGIS blip in the middle of a task (issue 17 item 18).

Before: the database connection the task had opened was dead when the result was stored,
and the finished download was recorded as FAILURE while the chain went on. Now a broken
connection is re-opened and the result stored: the download is a SUCCESS. The blip is a
TCP proxy of the test between the worker and PostgreSQL dropping every open connection.
"""

from __future__ import annotations

import pytest
from celery import chain

from geospaas_processing.catalog import services
from geospaas_processing.tasks import core
from tests import helpers
from tests.hostile import faults
from tests.hostile.faults import PrivateRedis, TcpProxy, running_worker, sst_source
from tests.tasks import conftest as task_fixtures
from tests.tasks.slow_server import SlowFileServer

task_environment = task_fixtures.task_environment
client_app = task_fixtures.client_app
fault_environment = faults.fault_environment


@pytest.mark.django_db(transaction=True)
def test_postgis_blip(fault_environment, client_app, tmp_path):
    proxy = TcpProxy(faults.postgis_port())
    broker = PrivateRedis(tmp_path / 'broker')
    broker.start()
    source = sst_source(tmp_path / 'provider')
    log_path = tmp_path / 'worker.log'
    env = {**fault_environment, 'GEOSPAAS_DB_PORT': str(proxy.port)}
    try:
        client_app(broker.url)
        with (
            SlowFileServer(source.parent, bytes_per_second=8000) as server,
            running_worker(broker.url, env, log_path),
        ):
            dataset = helpers.make_dataset(
                'postgis-blip', [(f'{server.url}sst.nc', services.HTTP_SERVICE)]
            )
            result = chain(core.download.s((dataset.id,)), core.archive.s()).apply_async()
            assert server.wait_for_request('/sst.nc', timeout=60)
            # The task's own database connection (it selected the dataset) is open: cut it.
            assert proxy.drop() >= 1
            dataset_id, archived = result.get(timeout=120)
    finally:
        broker.stop()
        proxy.close()
    assert result.parent.state == 'SUCCESS', log_path.read_text()[-3000:]
    assert dataset_id == dataset.id and archived == ['postgis-blip/sst.nc.tar.gz']
