"""A broker outage of 25 s at a chain hand-off (issue 17 item 19).

Before: the download finished during the outage, was recorded as FAILURE with its file on
disk, and the archive was never sent. Now publishing the next task retries for about two
minutes (``tasks.PUBLISH_RETRY_POLICY``); the download is recorded as SUCCESS and the chain
finishes. The broker is a redis-server of the test, stopped for 25 s while the download
runs and finishes.
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

OUTAGE_SECONDS = 25


@pytest.mark.django_db(transaction=True)
def test_broker_outage_at_handoff(fault_environment, client_app, tmp_path):
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
                'broker-outage', [(f'{server.url}sst.nc', services.HTTP_SERVICE)]
            )
            result = chain(core.download.s((dataset.id,)), core.archive.s()).apply_async()
            assert server.wait_for_request('/sst.nc', timeout=60)
            broker.stop()
            # The download ends during the outage: its hand-off to archive waits for the broker.
            assert helpers.became_true(lambda: server.completed_downloads('/sst.nc') == 1, 30)
            time.sleep(OUTAGE_SECONDS)
            broker.start()
            dataset_id, archived = result.get(timeout=180)
            assert worker.poll() is None, 'the worker exited'
    finally:
        broker.stop()
    assert result.parent.state == 'SUCCESS'
    assert dataset_id == dataset.id and archived == ['broker-outage/sst.nc.tar.gz']
    assert (Path(fault_environment['GEOSPAAS_PROCESSING_WORK_DIR']) / archived[0]).is_file()
