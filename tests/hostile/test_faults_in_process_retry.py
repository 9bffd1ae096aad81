"""Without a broker, a task retries in the calling process (issue 17 item 14).

Before: ``download.delay(...)`` raised ``celery.exceptions.Retry`` after one wait. Now the
task waits and runs again with the tasks' retry policy, and returns its result.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from geospaas_processing import locks
from geospaas_processing.catalog import services
from geospaas_processing.demo.netcdf import GridSpec, write_sst_file
from geospaas_processing.tasks import core
from tests import helpers
from tests.tasks import conftest as task_fixtures

task_environment = task_fixtures.task_environment


@pytest.mark.django_db(transaction=True)
def test_in_process_retry(task_environment, tmp_path, caplog):
    source = write_sst_file(
        tmp_path / 'provider' / 'sst.nc',
        GridSpec(-10, 60, 20, 80),
        datetime(2024, 3, 1, tzinfo=UTC),
    )
    dataset = helpers.make_dataset(
        'in-process-retry', [(source.as_uri(), services.LOCAL_FILE_SERVICE)]
    )
    locked, release = threading.Event(), threading.Event()

    def another_task_holding_the_dataset():
        with locks.dataset_lock(dataset.id):
            locked.set()
            release.wait(30)

    holder = threading.Thread(target=another_task_holding_the_dataset)
    holder.start()
    assert locked.wait(10)
    # GEOSPAAS_PROCESSING_LOCK_RETRY_DELAY is 1 s here: the task finds the lock held, waits.
    threading.Timer(2.5, release.set).start()
    caplog.set_level(logging.INFO, logger='geospaas_processing.tasks')
    try:
        dataset_id, paths = core.download.delay((dataset.id,)).get()
    finally:
        release.set()
        holder.join()
    assert dataset_id == dataset.id
    work = Path(task_environment['GEOSPAAS_PROCESSING_WORK_DIR'])
    assert (work / paths[0]).read_bytes() == source.read_bytes()
    retries = [r.getMessage() for r in caplog.records if 'retry 1 in' in r.getMessage()]
    assert retries and 'held elsewhere' in retries[0], caplog.text

    # Called as a plain function, the same: the lock is held again, then released.
    holder = threading.Thread(target=another_task_holding_the_dataset)
    locked.clear()
    release.clear()
    holder.start()
    assert locked.wait(10)
    threading.Timer(2.5, release.set).start()
    try:
        assert core.download((dataset.id,)) == (dataset_id, paths)
    finally:
        release.set()
        holder.join()
