"""Faults of the distributed parts, made on loopback: a cuttable TCP proxy, private brokers.

Each fault test owns what it breaks: it never stops the shared PostgreSQL, Redis or RabbitMQ
of the machine. A database outage is a :class:`TcpProxy` in front of PostgreSQL that the test
cuts; a broker restart is a :class:`PrivateRedis` of the test; a short RabbitMQ
``consumer_timeout`` is a :class:`PrivateRabbitMQ` node of the test.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import free_port


def wait_for_port(port: int, timeout: float) -> bool:
    """Whether something accepts connections on ``port`` within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(('127.0.0.1', port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


class TcpProxy:
    """Forwards 127.0.0.1:``port`` to 127.0.0.1:``target_port``, until the test cuts it.

    ``cut()`` closes every open connection (as a server restart or a network cut does) and
    refuses new ones until ``restore()``; ``drop()`` closes the open connections only (a
    blip: the server is back at once).
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._listener = socket.create_server(('127.0.0.1', 0))
        self.port = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._refusing = False
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._refusing:
                client.close()
                continue
            try:
                server = socket.create_connection(('127.0.0.1', self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._open.update((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            self._close(end)

    def _close(self, end: socket.socket) -> None:
        with self._lock:
            self._open.discard(end)
        try:
            end.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        end.close()

    def drop(self) -> int:
        """Close every open connection; new ones are accepted. Returns how many were open."""
        with self._lock:
            ends = list(self._open)
        for end in ends:
            self._close(end)
        return len(ends) // 2

    def cut(self) -> int:
        """Close every open connection and refuse new ones until :meth:`restore`."""
        self._refusing = True
        return self.drop()

    def restore(self) -> None:
        """Accept connections again."""
        self._refusing = False

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        self.drop()


class PrivateRedis:
    """A redis-server of the test on its own port, persisting every write (AOF, fsync always),
    so that a restart keeps the queued messages as a production broker configured so does."""

    def __init__(self, directory: Path) -> None:
        if shutil.which('redis-server') is None:
            pytest.skip('redis-server is not installed: the test runs a Redis broker of its own')
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f'redis://127.0.0.1:{self.port}/0'

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        command = [
            'redis-server',
            '--port',
            str(self.port),
            '--bind',
            '127.0.0.1',
            '--dir',
            str(self.directory),
            '--appendonly',
            'yes',
            '--appendfsync',
            'always',
            '--save',
            '',
        ]
        log = open(self.directory / 'redis.log', 'ab')  # noqa: SIM115 - kept by the process
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        if not wait_for_port(self.port, 20):
            raise RuntimeError(f'redis-server did not start on port {self.port}')

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)
        self.process = None


class PrivateRabbitMQ:
    """A RabbitMQ node of the test, with its own ``consumer_timeout`` (milliseconds).

    RabbitMQ checks delivery timeouts at each channel tick (``channel_tick_interval``,
    one minute by default); the node ticks every second so that a short timeout shows.
    The node runs as the ``rabbitmq`` user, as the packaged server does.
    """

    def __init__(self, consumer_timeout_ms: int) -> None:
        if shutil.which('rabbitmq-server') is None or shutil.which('rabbitmqctl') is None:
            pytest.skip('rabbitmq-server is not installed: the test runs a node of its own')
        self.directory = Path(tempfile.mkdtemp(prefix='gp-rabbitmq-'))
        self.port = free_port()
        self.consumer_timeout_ms = consumer_timeout_ms
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f'amqp://guest:guest@127.0.0.1:{self.port}//'

    def start(self) -> None:
        base = self.directory
        (base / 'rabbitmq.conf').write_text(
            f'listeners.tcp.default = 127.0.0.1:{self.port}\n'
            f'consumer_timeout = {self.consumer_timeout_ms}\n'
            'loopback_users = none\n'
        )
        (base / 'advanced.config').write_text('[{rabbit, [{channel_tick_interval, 1000}]}].\n')
        (base / 'enabled_plugins').write_text('[].\n')
        for sub in ('mnesia', 'log'):
            (base / sub).mkdir(exist_ok=True)
        shutil.chown(base, 'rabbitmq', 'rabbitmq')
        for path in base.rglob('*'):
            shutil.chown(path, 'rabbitmq', 'rabbitmq')
        env = {
            **os.environ,
            'RABBITMQ_NODENAME': self.node_name,
            'RABBITMQ_NODE_PORT': str(self.port),
            'RABBITMQ_DIST_PORT': str(free_port()),
            'RABBITMQ_MNESIA_BASE': str(base / 'mnesia'),
            'RABBITMQ_FEATURE_FLAGS_FILE': str(base / 'feature_flags'),
            'RABBITMQ_LOG_BASE': str(base / 'log'),
            'RABBITMQ_CONFIG_FILE': str(base / 'rabbitmq.conf'),
            'RABBITMQ_ADVANCED_CONFIG_FILE': str(base / 'advanced.config'),
            'RABBITMQ_ENABLED_PLUGINS_FILE': str(base / 'enabled_plugins'),
            'RABBITMQ_PID_FILE': str(base / 'pid'),
        }
        log = open(base / 'server.out', 'ab')  # noqa: SIM115 - kept by the process
        self.process = subprocess.Popen(
            ['rabbitmq-server'],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        if not wait_for_port(self.port, 90):
            self.stop()
            raise RuntimeError(f'the RabbitMQ node did not start: {self.log()[-2000:]}')

    def log(self) -> str:
        texts = [path.read_text(errors='replace') for path in self.directory.rglob('*.log')]
        return '\n'.join(texts)

    @property
    def node_name(self) -> str:
        return f'gp{self.port}@localhost'

    def stop(self) -> None:
        """Stop the node: ``rabbitmqctl stop`` (it runs as another user, outside our process
        group), then the Erlang VM by the PID it wrote, then the wrapper."""
        if self.process is None:
            return
        subprocess.run(
            ['rabbitmqctl', '-q', '-n', self.node_name, 'stop'],
            capture_output=True,
            timeout=60,
            check=False,
        )
        pid_file = self.directory / 'pid'
        if pid_file.is_file():
            try:
                os.kill(int(pid_file.read_text().strip()), signal.SIGKILL)
            except (ValueError, ProcessLookupError):
                pass
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def postgis_port() -> int:
    """The port of the test database; the test is skipped on SpatiaLite."""
    from django.db import connection

    if connection.vendor != 'postgresql':
        pytest.skip('a database outage is made on PostGIS: runs on the PostGIS pass')
    return int(connection.settings_dict['PORT'] or 5432)


@contextlib.contextmanager
def running_worker(broker_url: str, env: dict, log_path: Path, **options) -> Iterator:
    """A documented ``celery worker`` on ``broker_url`` for the duration of a ``with`` block."""
    from tests.tasks.conftest import start_worker, stop_worker

    process = start_worker(broker_url, env, log_path, **options)
    try:
        yield process
    finally:
        stop_worker(process)


def sst_source(directory: Path) -> Path:
    """A small NetCDF file a provider serves (34 kB)."""
    from datetime import UTC, datetime

    from geospaas_processing.demo.netcdf import GridSpec, write_sst_file

    return write_sst_file(
        directory / 'sst.nc', GridSpec(-10, 60, 20, 80), datetime(2024, 3, 1, tzinfo=UTC)
    )


@pytest.fixture
def fault_environment(task_environment: dict, monkeypatch: pytest.MonkeyPatch) -> dict:
    """The task environment of a fault test: host-local file locks, one-second backoff.

    File locks, because dataset IDs restart at 1 in every test database and the shared
    Redis would make another test run's dataset 1 look locked.
    """
    for name in ('GEOSPAAS_PROCESSING_REDIS_HOST', 'GEOSPAAS_PROCESSING_REDIS_PORT'):
        monkeypatch.delenv(name, raising=False)
    env = {
        k: v for k, v in task_environment.items() if not k.startswith('GEOSPAAS_PROCESSING_REDIS')
    }
    env['GEOSPAAS_PROCESSING_RETRY_BACKOFF'] = '1'
    return env
