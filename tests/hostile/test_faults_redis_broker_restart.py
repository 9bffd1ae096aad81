"""A Redis broker restarting under a running chain (issue 17 item 20).

Before (celery 5.7.0 / kombu 5.7): the worker exited with "Unrecoverable error:
AttributeError". With the pinned celery 5.6.3 / kombu 5.6.2 it reconnects and the chain
finishes. The broker is a redis-server of the test (AOF on, as a broker that keeps its
queues across restarts is configured), restarted while the download runs.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from celery import chain

from geospaas_processing.catalog import services
from geospaas_processing.tasks import core
from tests import helpers
from tests.hostile import faults
from tests.hostile.faults import PrivateRedis, running_worker, sst_source
from tests.tasks import conftest as task_fixtures
from tests.tasks.slow_server import SlowFileServer

task_environment = task_fixtures.task_environment
client_app = task_fixtures.client_app
fault_environment = faults.fault_environment


@pytest.mark.django_db(transaction=True)
def test_redis_broker_restart(fault_environment, client_app, tmp_path):
    broker = PrivateRedis(tmp_path / 'broker')
    broker.start()
    source = sst_source(tmp_path / 'provider')
    log_path = tmp_path / 'worker.log'
    try:
        client_app(broker.url)
        with (
            SlowFileServer(source.parent, bytes_per_second=8000) as server,
            running_worker(broker.url, fault_environment, log_path) as worker,
        ):
            dataset = helpers.make_dataset(
                'redis-restart', [(f'{server.url}sst.nc', services.HTTP_SERVICE)]
            )
            result = chain(core.download.s((dataset.id,)), core.archive.s()).apply_async()
            assert server.wait_for_request('/sst.nc', timeout=60)
            time.sleep(0.5)
            broker.stop()
            broker.start()
            helpers.became_true(lambda: result.ready() or worker.poll() is not None, 120)
            assert worker.poll() is None, 'the worker exited: ' + log_path.read_text()[-2000:]
            dataset_id, archived = result.get(timeout=60)
    finally:
        broker.stop()
    assert 'Unrecoverable error' not in log_path.read_text()
    assert dataset_id == dataset.id and archived[0].endswith('sst.nc.tar.gz')
    assert (Path(fault_environment['GEOSPAAS_PROCESSING_WORK_DIR']) / archived[0]).is_file()
    assert (
        'Connection to broker lost' in log_path.read_text()
        or 'Cannot connect to redis' in log_path.read_text()
    )
