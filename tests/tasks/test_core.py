"""Core tasks: conventions, in-process mode, and real workers on RabbitMQ and Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from celery import chain

from geospaas_processing.catalog import services
from geospaas_processing.demo.netcdf import GridSpec, write_sst_file
from geospaas_processing.downloaders._files import MANIFEST_NAME
from geospaas_processing.errors import ConfigurationError
from geospaas_processing.tasks import core, dataset_id_of
from tests import helpers
from tests.tasks.conftest import broker_url_for, start_worker, stop_worker
from tests.tasks.slow_server import SlowFileServer


def make_dataset(entry_id: str, uri: str, service: str = services.HTTP_SERVICE):
    return helpers.make_dataset(entry_id, [(uri, service)])


@pytest.fixture
def sst_file(tmp_path) -> Path:
    return write_sst_file(
        tmp_path / 'provider' / 'sst.nc',
        GridSpec(-10, 60, 20, 80),
        datetime(2024, 3, 1, tzinfo=UTC),
    )


# --- conventions -------------------------------------------------------------------------


def test_a_task_argument_without_dataset_id_is_a_clear_error():
    with pytest.raises(ValueError, match=r'tuple starting with the dataset ID'):
        dataset_id_of(('not-an-id',))


def test_paths_keep_their_shape():
    assert core.map_paths('a.nc', str.upper) == 'A.NC'
    assert core.map_paths(['a.nc', 'b.nc'], str.upper) == ['A.NC', 'B.NC']


def test_paths_outside_the_work_directory_are_refused(task_environment):
    with pytest.raises(ValueError, match='outside the work directory'):
        core.in_work_dir('../../etc/passwd')


def test_a_retry_waits_what_the_server_asked_within_the_broker_limit(monkeypatch):
    """Retry-After replaces the backoff; no wait exceeds GEOSPAAS_PROCESSING_RETRY_MAX_COUNTDOWN
    (under RabbitMQ's consumer_timeout), however long the server asked for."""
    from geospaas_processing.errors import TemporaryError
    from geospaas_processing.tasks import _policy

    def asked(seconds):
        error = TemporaryError('503')
        error.retry_after = seconds
        return error

    assert _policy.schedule(asked(90), 12.5, None) == (90.0, None)
    assert _policy.schedule(asked(1e20), 12.5, None) == (1500.0, None)
    assert _policy.schedule(TemporaryError('timeout'), 12.5, 30) == (12.5, 30)
    monkeypatch.setenv('GEOSPAAS_PROCESSING_RETRY_MAX_COUNTDOWN', '0')
    with pytest.raises(ConfigurationError, match='RETRY_MAX_COUNTDOWN must be a positive'):
        _policy.schedule(asked(90), 12.5, None)


# --- in-process mode (no broker) -----------------------------------------------------------


def test_crop_without_bounding_box_passes_arguments_through(task_environment):
    assert core.crop((7, ['a.nc'])) == (7, ['a.nc'])


def test_publish_in_place_returns_urls_under_the_prefix(task_environment, monkeypatch):
    monkeypatch.setenv('GEOSPAAS_PROCESSING_PUBLISH_PREFIX', 'https://data.example.org/work/')
    assert core.publish((180, './foo/dataset_180.nc')) == (
        180,
        'https://data.example.org/work/foo/dataset_180.nc',
    )


def test_publish_over_ftp_names_the_missing_variables(task_environment, monkeypatch):
    monkeypatch.setenv('GEOSPAAS_PROCESSING_FTP_HOST', 'ftp.domain.com')
    with pytest.raises(ConfigurationError) as error:
        core.publish((180, './foo/dataset_180.nc'), publish_mode='ftp')
    assert 'GEOSPAAS_PROCESSING_FTP_ROOT, GEOSPAAS_PROCESSING_FTP_PATH' in str(error.value)


def test_archive_task_compresses_and_keeps_the_shape(task_environment):
    work = Path(task_environment['GEOSPAAS_PROCESSING_WORK_DIR'])
    (work / 'ds').mkdir()
    (work / 'ds' / 'a.nc').write_bytes(b'a' * 1000)
    dataset_id, archived = core.archive((3, 'ds/a.nc'))
    assert (dataset_id, archived) == (3, 'ds/a.nc.tar.gz')
    assert (work / archived).is_file() and not (work / 'ds' / 'a.nc').exists()
    assert core.archive((3, [archived])) == (3, [archived])  # already an archive


@pytest.mark.django_db(transaction=True)
def test_download_runs_in_process_without_a_broker(task_environment, sst_file):
    dataset = make_dataset('local-sst', sst_file.as_uri(), services.LOCAL_FILE_SERVICE)
    dataset_id, paths = core.download.delay((dataset.id,)).get()
    assert dataset_id == dataset.id and len(paths) == 1
    work = Path(task_environment['GEOSPAAS_PROCESSING_WORK_DIR'])
    assert (work / paths[0]).read_bytes() == sst_file.read_bytes()


def test_cleanup_waits_while_a_dataset_is_locked(task_environment):
    """In-process, the clean-up retries (GEOSPAAS_PROCESSING_LOCK_RETRY_DELAY apart) until
    the dataset lock is released, deleting nothing meanwhile."""
    from geospaas_processing import locks

    work = Path(task_environment['GEOSPAAS_PROCESSING_WORK_DIR'])
    (work / 'keep.nc').write_bytes(b'x')
    an_hour_ago = time.time() - 3600  # entries changed in the last minutes are kept
    os.utime(work / 'keep.nc', (an_hour_ago, an_hour_ago))
    seen_while_locked = []
    locked = threading.Event()

    def hold_the_lock():
        with locks.dataset_lock(99):
            locked.set()
            time.sleep(2.5)
            seen_while_locked.append((work / 'keep.nc').exists())

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    locked.wait(10)
    try:
        assert core.cleanup_workdir() == ['keep.nc']
    finally:
        holder.join()
    assert seen_while_locked == [True]
    assert list(work.iterdir()) == []


# --- real workers ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_chain_download_crop_archive_publish_on_a_worker(worker, sst_file):
    with SlowFileServer(sst_file.parent) as server:
        dataset = make_dataset('sst-chain', f'{server.url}sst.nc')
        pipeline = chain(
            core.download.s((dataset.id,)),
            core.crop.s(bounding_box=[0, 75, 10, 65]),
            core.archive.s(),
            core.publish.s(),
        )
        dataset_id, urls = pipeline.apply_async().get(timeout=90)
    assert dataset_id == dataset.id
    assert len(urls) == 1 and urls[0].startswith('https://data.example.org/')
    relative = urls[0].removeprefix('https://data.example.org/')
    assert 'cropped_0_75_10_65' in relative and relative.endswith('.tar.gz')
    assert (worker.work_dir / relative).is_file()


@pytest.mark.django_db(transaction=True)
def test_two_tasks_racing_on_one_dataset_download_it_once(worker, sst_file):
    with SlowFileServer(sst_file.parent, bytes_per_second=200_000) as server:
        dataset = make_dataset('sst-race', f'{server.url}sst.nc')
        first = core.download.delay((dataset.id,))
        second = core.download.delay((dataset.id,))
        results = [first.get(timeout=120), second.get(timeout=120)]
        assert server.completed_downloads('/sst.nc') == 1
    assert results[0] == results[1]
    assert (worker.work_dir / results[0][1][0]).stat().st_size == sst_file.stat().st_size


def pool_children(worker_pid: int) -> list[int]:
    listing = subprocess.run(
        ['ps', '-o', 'pid=', '--ppid', str(worker_pid)], capture_output=True, text=True, check=False
    ).stdout
    return [int(pid) for pid in listing.split()]


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_killed_mid_download_loses_nothing(worker, sst_file):
    with SlowFileServer(sst_file.parent, bytes_per_second=100_000) as server:
        dataset = make_dataset('sst-killed', f'{server.url}sst.nc')
        result = core.download.delay((dataset.id,))
        assert server.wait_for_request('/sst.nc', timeout=30)
        time.sleep(0.5)
        for child in pool_children(worker.process.pid):
            os.kill(child, signal.SIGKILL)
        dataset_id, paths = result.get(timeout=120)
    downloaded = worker.work_dir / paths[0]
    assert downloaded.read_bytes() == sst_file.read_bytes()
    leftovers = [
        p
        for p in worker.work_dir.rglob('*')
        if p.is_file() and p != downloaded and p.name != MANIFEST_NAME
    ]
    assert leftovers == [], f'partial files left: {leftovers}'


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_no_database_connection_between_tasks(worker, sst_file):
    """Connections are closed after each task, so a database restart never strands a worker."""
    from django.db import connection

    if connection.vendor != 'postgresql':
        pytest.skip('counts server-side connections: runs on the PostGIS pass')
    dataset = make_dataset('sst-connections', sst_file.as_uri(), services.LOCAL_FILE_SERVICE)
    core.download.delay((dataset.id,)).get(timeout=60)
    database = connection.settings_dict['NAME']

    def other_connections() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                'SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> '
                'pg_backend_pid()',
                [database],
            )
            return cursor.fetchone()[0]

    deadline = time.monotonic() + 10
    while other_connections() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert other_connections() == 0


@pytest.mark.django_db(transaction=True)
def test_a_whole_worker_killed_mid_download_hands_the_task_to_another(
    request, task_environment, client_app, tmp_path, sst_file
):
    """RabbitMQ gives an unacknowledged task back when its worker dies: nothing is lost."""
    broker_url = broker_url_for('rabbitmq', request)
    app = client_app(broker_url)
    app.control.purge()
    first = start_worker(broker_url, task_environment, tmp_path / 'first.log')
    with SlowFileServer(sst_file.parent, bytes_per_second=100_000) as server:
        dataset = make_dataset('sst-worker-killed', f'{server.url}sst.nc')
        result = core.download.delay((dataset.id,))
        assert server.wait_for_request('/sst.nc', timeout=30)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        second = start_worker(broker_url, task_environment, tmp_path / 'second.log')
        try:
            dataset_id, paths = result.get(timeout=120)
        finally:
            stop_worker(second)
    work = Path(task_environment['GEOSPAAS_PROCESSING_WORK_DIR'])
    assert (work / paths[0]).read_bytes() == sst_file.read_bytes()
    assert not list(work.rglob('*.part'))
