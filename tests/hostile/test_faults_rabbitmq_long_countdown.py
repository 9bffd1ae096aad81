"""Retry countdowns longer than RabbitMQ's consumer_timeout (issue 17 item 21).

A worker holds a retried message unacknowledged until its countdown ends; RabbitMQ closes
the channel of a consumer holding a delivery longer than ``consumer_timeout`` (30 minutes
by default: https://www.rabbitmq.com/docs/consumers#acknowledgement-timeout), and the
download backoff reached 1,920 s. Now every countdown is capped by
``GEOSPAAS_PROCESSING_RETRY_MAX_COUNTDOWN`` (1500 s by default) and the task re-published
with the capped countdown. The test runs a RabbitMQ node of its own with a 5 s
``consumer_timeout`` (RabbitMQ 3.10 has no per-queue timeout), a cap of 3 s and a retry
delay of 30 s asked by a busy dataset lock.
"""

from __future__ import annotations

import threading

import pytest

from geospaas_processing import locks
from geospaas_processing.catalog import services
from geospaas_processing.tasks import core
from tests import helpers
from tests.hostile import faults
from tests.hostile.faults import PrivateRabbitMQ, running_worker, sst_source
from tests.tasks import conftest as task_fixtures

task_environment = task_fixtures.task_environment
client_app = task_fixtures.client_app
fault_environment = faults.fault_environment

CONSUMER_TIMEOUT_MS = 5000


@pytest.mark.django_db(transaction=True)
def test_rabbitmq_long_countdown(fault_environment, client_app, tmp_path):
    broker = PrivateRabbitMQ(CONSUMER_TIMEOUT_MS)
    env = {
        **fault_environment,
        'GEOSPAAS_PROCESSING_LOCK_RETRY_DELAY': '30',
        'GEOSPAAS_PROCESSING_RETRY_MAX_COUNTDOWN': '3',
    }
    source = sst_source(tmp_path / 'provider')
    dataset = helpers.make_dataset(
        'long-countdown', [(source.as_uri(), services.LOCAL_FILE_SERVICE)]
    )
    log_path = tmp_path / 'worker.log'
    locked, release = threading.Event(), threading.Event()

    def another_task_holding_the_dataset():
        with locks.dataset_lock(dataset.id):
            locked.set()
            release.wait(120)

    holder = threading.Thread(target=another_task_holding_the_dataset)
    try:
        broker.start()
        client_app(broker.url)
        holder.start()
        assert locked.wait(10)
        with running_worker(broker.url, env, log_path) as worker:
            result = core.download.delay((dataset.id,))
            # Three capped retries: about 9 s of countdowns, each under the 5 s timeout.
            assert helpers.became_true(lambda: 'retry 4 in 3' in log_path.read_text(), 90), (
                log_path.read_text()[-3000:]
            )
            release.set()
            dataset_id, paths = result.get(timeout=60)
            assert worker.poll() is None
        broker_log = broker.log()
    finally:
        release.set()
        holder.join()
        broker.remove()
    assert dataset_id == dataset.id and list(paths) == ['long-countdown/sst.nc']
    assert 'PRECONDITION_FAILED' not in log_path.read_text()
    assert 'timed out' not in broker_log
