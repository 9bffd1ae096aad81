"""PostGIS down as a task finishes (issue 17 item 18).

Before: the work was done, no result was stored, the message was acknowledged and the
chain stayed PENDING for good. Now the result store is retried; when the database stays
away longer, the task is retried later (its message published again), never acknowledged
as lost, and the chain finishes once PostGIS is back. The outage is a TCP proxy of the test
between the worker and PostgreSQL refusing connections for 30 s.
"""

from __future__ import annotations

import time

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

OUTAGE_SECONDS = 30


@pytest.mark.django_db(transaction=True)
def test_postgis_down_at_task_end(fault_environment, client_app, tmp_path):
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
                'postgis-down', [(f'{server.url}sst.nc', services.HTTP_SERVICE)]
            )
            result = chain(core.download.s((dataset.id,)), core.archive.s()).apply_async()
            assert server.wait_for_request('/sst.nc', timeout=60)
            proxy.cut()
            # The download ends while the database is away.
            assert helpers.became_true(lambda: server.completed_downloads('/sst.nc') == 1, 30)
            time.sleep(OUTAGE_SECONDS)
            proxy.restore()
            dataset_id, archived = result.get(timeout=240)
    finally:
        broker.stop()
        proxy.close()
    log = log_path.read_text()
    assert result.parent.state == 'SUCCESS', log[-3000:]
    assert dataset_id == dataset.id and archived == ['postgis-down/sst.nc.tar.gz']
    assert server.completed_downloads('/sst.nc') == 1, 'the file was downloaded twice'
