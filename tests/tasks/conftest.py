"""Real Celery workers for the task tests: started as subprocesses on RabbitMQ or Redis."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import kombu.pools
import pytest

from tests.conftest import require_service, service_available
from tests.helpers import catalog_environment


@dataclass
class Worker:
    """A running worker process and what the test needs to reach it."""

    process: subprocess.Popen
    broker_url: str
    work_dir: Path
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors='replace')


@pytest.fixture(scope='session')
def rabbitmq_vhost() -> Iterator[str]:
    """A RabbitMQ virtual host of this test session, so concurrent runs never share queues."""
    require_service('rabbitmq')
    if shutil.which('rabbitmqctl') is None:
        pytest.skip('rabbitmqctl is not installed: the tests make a virtual host per run')
    vhost = f'geospaas-test-{uuid.uuid4().hex[:8]}'
    subprocess.run(['rabbitmqctl', '-q', 'add_vhost', vhost], check=True, capture_output=True)
    subprocess.run(
        ['rabbitmqctl', '-q', 'set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*'],
        check=True,
        capture_output=True,
    )
    yield vhost
    subprocess.run(['rabbitmqctl', '-q', 'delete_vhost', vhost], check=False, capture_output=True)


def broker_url_for(kind: str, request: pytest.FixtureRequest) -> str:
    """A broker URL private to the calling test."""
    if kind == 'rabbitmq':
        vhost = request.getfixturevalue('rabbitmq_vhost')
        return f'amqp://guest:guest@127.0.0.1:5672/{vhost}'
    request.getfixturevalue('redis_url')
    # Broker keys live in a database of their own; queues are emptied by the test's purge.
    return 'redis://127.0.0.1:6379/13'


@pytest.fixture
def task_environment(isolated_environment: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """Environment shared by the test process (the client) and its workers."""
    env = {
        'GEOSPAAS_PROCESSING_WORK_DIR': str(isolated_environment / 'work'),
        'GEOSPAAS_PROCESSING_LOCKS_DIR': str(isolated_environment / 'locks'),
        # Short enough for a test to see a dead holder's lock free itself.
        'GEOSPAAS_PROCESSING_LOCK_EXPIRY': '3',
        'GEOSPAAS_PROCESSING_LOCK_RETRY_DELAY': '1',
        'GEOSPAAS_PROCESSING_PUBLISH_PREFIX': 'https://data.example.org/',
    }
    if service_available('redis'):
        env.update(
            GEOSPAAS_PROCESSING_REDIS_HOST='127.0.0.1', GEOSPAAS_PROCESSING_REDIS_PORT='6379'
        )
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    (isolated_environment / 'work').mkdir(exist_ok=True)
    return env


def start_worker(
    broker_url: str,
    env: dict,
    log_path: Path,
    queues: str = 'core',
    concurrency: int = 2,
    app_module: str = 'geospaas_processing.tasks.core',
    extra_args: tuple[str, ...] = (),
) -> subprocess.Popen:
    """Start ``celery worker`` as documented, and wait until it is ready."""
    worker_env = catalog_environment({**env, 'GEOSPAAS_PROCESSING_BROKER': broker_url})
    # As users run the documented command: the package configures Django by itself.
    worker_env.pop('DJANGO_SETTINGS_MODULE', None)
    command = [
        sys.executable,
        '-m',
        'celery',
        '-A',
        app_module,
        'worker',
        '-l',
        'info',
        '-Q',
        queues,
        '-E',
        '-c',
        str(concurrency),
        '--max-tasks-per-child',
        '4',
        '-n',
        f'test-{uuid.uuid4().hex[:6]}@%h',
        *extra_args,
    ]
    with open(log_path, 'ab') as log:
        process = subprocess.Popen(
            command, env=worker_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f'the worker exited: {log_path.read_text()[-3000:]}')
        if b' ready.' in log_path.read_bytes():
            return process
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f'the worker did not get ready: {log_path.read_text()[-3000:]}')


def stop_worker(process: subprocess.Popen) -> None:
    """Stop a worker and its children."""
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


@pytest.fixture
def client_app(task_environment: dict):
    """The package's Celery app, turned from in-process mode into a client of a broker."""
    from geospaas_processing.tasks import app

    saved = dict(app.conf)

    def reset_connections():
        # Celery keeps broker connection pools; new ones must be made for the new broker.
        kombu.pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    def connect(broker_url: str):
        app.conf.update(broker_url=broker_url, task_always_eager=False)
        reset_connections()
        return app

    yield connect
    app.conf.update({key: saved[key] for key in ('broker_url', 'task_always_eager')})
    reset_connections()


@pytest.fixture(params=['rabbitmq', 'redis'])
def worker(request, task_environment, client_app, tmp_path) -> Iterator[Worker]:
    """A real worker on the ``core`` queue, on RabbitMQ and then on Redis."""
    broker_url = broker_url_for(request.param, request)
    app = client_app(broker_url)
    app.control.purge()
    log_path = tmp_path / 'worker.log'
    process = start_worker(broker_url, task_environment, log_path)
    try:
        yield Worker(
            process, broker_url, Path(task_environment['GEOSPAAS_PROCESSING_WORK_DIR']), log_path
        )
    finally:
        stop_worker(process)
