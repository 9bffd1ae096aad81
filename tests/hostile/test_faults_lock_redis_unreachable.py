"""Lock Redis unreachable: the task is retried with backoff, not failed (issue 17 item 22).

Before: ``LockBackendUnavailable`` ("retry later") failed the task at once. Now it is a
``TemporaryError``: the worker retries it with the tasks' backoff, and the task finishes
once Redis is back. The lock Redis is a redis-server of the test, started late.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from geospaas_processing.catalog import services
from geospaas_processing.demo.netcdf import GridSpec, write_sst_file
from geospaas_processing.tasks import core
from tests import helpers
from tests.hostile.faults import PrivateRedis
from tests.tasks import conftest as task_fixtures

task_environment = task_fixtures.task_environment
client_app = task_fixtures.client_app
rabbitmq_vhost = task_fixtures.rabbitmq_vhost


@pytest.mark.django_db(transaction=True)
def test_lock_redis_unreachable(request, task_environment, client_app, tmp_path):
    lock_redis = PrivateRedis(tmp_path / 'lock-redis')
    env = {
        **task_environment,
        'GEOSPAAS_PROCESSING_REDIS_HOST': '127.0.0.1',
        'GEOSPAAS_PROCESSING_REDIS_PORT': str(lock_redis.port),
        'GEOSPAAS_PROCESSING_RETRY_BACKOFF': '1',
    }
    broker_url = task_fixtures.broker_url_for('rabbitmq', request)
    app = client_app(broker_url)
    app.control.purge()
    source = write_sst_file(
        tmp_path / 'provider' / 'sst.nc',
        GridSpec(-10, 60, 20, 80),
        datetime(2024, 3, 1, tzinfo=UTC),
    )
    dataset = helpers.make_dataset(
        'lock-redis-down', [(source.as_uri(), services.LOCAL_FILE_SERVICE)]
    )
    log_path = tmp_path / 'worker.log'
    worker = task_fixtures.start_worker(broker_url, env, log_path)
    try:
        result = core.download.delay((dataset.id,))
        # The lock service is down: the worker retries instead of failing the task.
        assert helpers.became_true(lambda: 'retry 2 in' in log_path.read_text(), 60), (
            log_path.read_text()
        )
        assert result.state != 'FAILURE'
        lock_redis.start()
        dataset_id, paths = result.get(timeout=120)
    finally:
        task_fixtures.stop_worker(worker)
        lock_redis.stop()
    log = log_path.read_text()
    assert 'cannot reach Redis at 127.0.0.1:' in log
    assert dataset_id == dataset.id
    work = Path(task_environment['GEOSPAAS_PROCESSING_WORK_DIR'])
    assert (work / paths[0]).read_bytes() == source.read_bytes()
