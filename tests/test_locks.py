"""Locks between real processes, on the file backend and on a private Redis server."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from geospaas_processing import config, locks
from tests.helpers import free_port

REDIS_SERVER = shutil.which('redis-server')

# A process holding a lock until told to go on, then reporting whether its lease still held.
HOLDER_SCRIPT = """
import sys
from geospaas_processing import locks
kind, name, expiry = sys.argv[1], sys.argv[2], float(sys.argv[3])
if kind == 'dataset':
    context = locks.dataset_lock(int(name), expiry=expiry)
elif kind == 'slot':
    context = locks.provider_slot(name, 1, expiry=expiry)
else:
    context = locks.named_lock(name, expiry=expiry)
try:
    with context as lease:
        print('acquired', flush=True)
        sys.stdin.readline()
        try:
            lease.check()
            print('held', flush=True)
        except locks.LeaseLost:
            print('lost', flush=True)
except locks.LockBusy:
    print('busy', flush=True)
"""

# A process taking a provider's only slot as often as it can; an O_EXCL marker file proves
# that no two holders are ever inside at once.
RACER_SCRIPT = """
import json, os, sys, time
from geospaas_processing import locks
provider, marker, start, duration = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
while time.time() < start:
    time.sleep(0.005)
held = overlaps = busy = 0
while time.time() < start + duration:
    try:
        with locks.provider_slot(provider, 1, expiry=2):
            try:
                os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                overlaps += 1
                continue
            time.sleep(0.005)
            os.unlink(marker)
            held += 1
    except locks.LockBusy:
        busy += 1
    time.sleep(0.001)
print(json.dumps({'held': held, 'overlaps': overlaps, 'busy': busy}))
"""


class RedisServer:
    """A redis-server of the tests' own on a free loopback port, which a test may restart."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                '--port',
                str(self.port),
                '--bind',
                '127.0.0.1',
                '--save',
                '',
                '--appendonly',
                'no',
                '--dir',
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(('127.0.0.1', self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f'redis-server did not start on port {self.port}')

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope='module')
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    if REDIS_SERVER is None:
        message = 'redis-server is not installed (apt-get install redis-server)'
        if os.environ.get('CI', '').lower() == 'true':
            pytest.fail(message)
        pytest.skip(message)
    server = RedisServer(tmp_path_factory.mktemp('redis'))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def use_redis(redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> RedisServer:
    """Point the package at the tests' private Redis server."""
    monkeypatch.setenv('GEOSPAAS_PROCESSING_REDIS_HOST', '127.0.0.1')
    monkeypatch.setenv('GEOSPAAS_PROCESSING_REDIS_PORT', str(redis_server.port))
    return redis_server


@pytest.fixture(params=['file', 'redis'])
def backend(request: pytest.FixtureRequest) -> str:
    """Run the test once on each backend."""
    if request.param == 'redis':
        request.getfixturevalue('use_redis')
    return request.param


@pytest.fixture
def dataset_id() -> int:
    return uuid.uuid4().int % 10**9 + 1


class Holder:
    """A subprocess holding a lock (see HOLDER_SCRIPT)."""

    def __init__(self, kind: str, name: str | int, expiry: float = 60.0) -> None:
        self.process = subprocess.Popen(
            [sys.executable, '-c', HOLDER_SCRIPT, kind, str(name), str(expiry)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def read(self) -> str:
        return self.process.stdout.readline().strip()

    def finish(self) -> str:
        """Let the holder check its lease and leave; return what it reported."""
        output, _ = self.process.communicate('go\n', timeout=20)
        return output.strip()

    def kill(self) -> None:
        self.process.kill()
        self.process.communicate(timeout=20)


def _redis_client():
    client = locks.redis_client()
    assert client is not None
    return client


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_public_names() -> None:
    assert sorted(locks.__all__) == [
        'Lease',
        'LeaseLost',
        'LockBackendUnavailable',
        'LockBusy',
        'LockError',
        'any_dataset_locked',
        'configured_expiry',
        'dataset_lock',
        'named_lock',
        'provider_slot',
        'redis_client',
    ]


@pytest.mark.parametrize(
    'error_class', [locks.LockError, locks.LockBusy, locks.LeaseLost, locks.LockBackendUnavailable]
)
def test_errors_survive_pickling(error_class: type[locks.LockError]) -> None:
    error = error_class('the lock dataset:3 is held elsewhere', name='dataset:3')
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is error_class
    assert str(copy) == str(error)
    assert copy.name == 'dataset:3'


def test_no_redis_client_without_configuration() -> None:
    assert config.redis_address() is None
    assert locks.redis_client() is None


def test_dataset_lock_held_by_another_process_is_busy(backend: str, dataset_id: int) -> None:
    holder = Holder('dataset', dataset_id)
    assert holder.read() == 'acquired'
    with pytest.raises(locks.LockBusy, match=f'dataset:{dataset_id}') as caught:
        with locks.dataset_lock(dataset_id):
            pass
    assert caught.value.name == f'dataset:{dataset_id}'
    assert locks.any_dataset_locked()
    assert holder.finish() == 'held'
    with locks.dataset_lock(dataset_id) as lease:
        assert lease.name == f'dataset:{dataset_id}'
        assert lease.backend == backend
        lease.check()


def test_dataset_lock_is_busy_within_one_process(backend: str, dataset_id: int) -> None:
    with locks.dataset_lock(dataset_id):
        with pytest.raises(locks.LockBusy):
            with locks.dataset_lock(dataset_id):
                pass
        with locks.dataset_lock(dataset_id + 1):
            pass
    with locks.dataset_lock(dataset_id):
        pass


def test_any_dataset_locked(backend: str, dataset_id: int) -> None:
    assert not locks.any_dataset_locked()
    with locks.dataset_lock(dataset_id):
        assert locks.any_dataset_locked()
    assert not locks.any_dataset_locked()


def test_named_lock_waits_up_to_its_timeout(backend: str, unique_name: str) -> None:
    name = f'free-space:{unique_name}'
    with locks.named_lock(name):
        started = time.monotonic()
        with pytest.raises(locks.LockBusy):
            with locks.named_lock(name, blocking_timeout=0.3):
                pass
        assert time.monotonic() - started >= 0.3

    holder = Holder('named', name)
    assert holder.read() == 'acquired'
    threading.Timer(0.3, holder.finish).start()
    with locks.named_lock(name, blocking_timeout=10) as lease:
        assert lease.name == name


def test_lock_names_stay_inside_the_locks_directory(unique_name: str) -> None:
    locks_dir = config.locks_dir()
    with locks.named_lock(f'../../{unique_name}/../x'):
        with locks.provider_slot(f'../{unique_name}', 1):
            pass
    created = [path for path in locks_dir.parent.rglob('*') if unique_name in path.name]
    assert created
    assert all(path.resolve().is_relative_to(locks_dir.resolve()) for path in created)


def test_provider_slot_counts_holders(backend: str, unique_name: str) -> None:
    with locks.provider_slot(unique_name, 2), locks.provider_slot(unique_name, 2):
        with pytest.raises(locks.LockBusy, match='2 slot'):
            with locks.provider_slot(unique_name, 2):
                pass
        with locks.provider_slot(f'{unique_name}-other', 1):
            pass
    with locks.provider_slot(unique_name, 1):
        pass


def test_two_processes_racing_for_one_slot_never_hold_it_together(
    backend: str, unique_name: str, tmp_path: Path
) -> None:
    marker = tmp_path / 'inside'
    start = time.time() + 1.0
    racers = [
        subprocess.Popen(
            [sys.executable, '-c', RACER_SCRIPT, unique_name, str(marker), str(start), '1.5'],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    reports = [json.loads(racer.communicate(timeout=30)[0]) for racer in racers]
    assert [report['overlaps'] for report in reports] == [0, 0]
    assert all(report['held'] > 0 for report in reports), reports
    assert sum(report['busy'] for report in reports) > 0, reports


def test_killed_holder_slot_comes_back_at_once_on_files(unique_name: str) -> None:
    holder = Holder('slot', unique_name)
    assert holder.read() == 'acquired'
    with pytest.raises(locks.LockBusy):
        with locks.provider_slot(unique_name, 1):
            pass
    holder.kill()
    with locks.provider_slot(unique_name, 1):
        pass


def test_killed_holder_slot_comes_back_after_expiry_on_redis(
    use_redis: RedisServer, unique_name: str
) -> None:
    holder = Holder('slot', unique_name, expiry=1)
    assert holder.read() == 'acquired'
    holder.kill()
    killed_at = time.monotonic()
    with pytest.raises(locks.LockBusy):
        with locks.provider_slot(unique_name, 1):
            pass

    def slot_free() -> bool:
        try:
            with locks.provider_slot(unique_name, 1):
                return True
        except locks.LockBusy:
            return False

    assert _wait_for(slot_free, timeout=5)
    assert time.monotonic() - killed_at >= 0.5


def test_renewal_keeps_a_lease_past_its_expiry(backend: str, dataset_id: int, unique_name: str):
    with locks.dataset_lock(dataset_id, expiry=1) as lease:
        with locks.provider_slot(unique_name, 1, expiry=1) as slot:
            time.sleep(2.5)
            lease.check()
            slot.check()
            assert not lease.lost and not slot.lost
            holder = Holder('dataset', dataset_id)
            assert holder.finish() == 'busy'
            holder = Holder('slot', unique_name)
            assert holder.finish() == 'busy'


@pytest.mark.parametrize('kind', ['dataset', 'slot'])
def test_lease_removed_from_redis_is_reported_lost(
    use_redis: RedisServer, kind: str, dataset_id: int, unique_name: str
) -> None:
    if kind == 'dataset':
        context, key = locks.dataset_lock(dataset_id, expiry=1), f'dataset:{dataset_id}'
    else:
        context, key = locks.provider_slot(unique_name, 1, expiry=1), f'provider:{unique_name}'
    with context as lease:
        lease.check()
        assert _redis_client().delete(f'geospaas_processing:{key}') == 1
        assert _wait_for(lambda: lease.lost, timeout=2)
        with pytest.raises(locks.LeaseLost, match=key):
            lease.check()


def test_leases_are_lost_when_redis_restarts(use_redis: RedisServer, dataset_id: int) -> None:
    with locks.dataset_lock(dataset_id, expiry=1) as lease:
        use_redis.restart()
        assert _wait_for(lambda: lease.lost, timeout=3)
        with pytest.raises(locks.LeaseLost):
            lease.check()
    with locks.dataset_lock(dataset_id, expiry=1) as lease:
        lease.check()


def test_holder_paused_past_its_expiry_finds_its_slot_lost(
    use_redis: RedisServer, unique_name: str
) -> None:
    holder = Holder('slot', unique_name, expiry=1)
    assert holder.read() == 'acquired'
    holder.process.send_signal(signal.SIGSTOP)
    try:
        time.sleep(1.3)
        with locks.provider_slot(unique_name, 1, expiry=1):
            holder.process.send_signal(signal.SIGCONT)
            assert holder.finish() == 'lost'
    finally:
        holder.process.send_signal(signal.SIGCONT)
        holder.process.kill()


def test_only_the_owner_releases(use_redis: RedisServer, unique_name: str) -> None:
    key = f'geospaas_processing:lock:{unique_name}'
    with locks.named_lock(unique_name, expiry=1) as first:
        _redis_client().delete(key)  # its lease ended while it was paused, say
        holder = Holder('named', unique_name)
        assert holder.read() == 'acquired'
        owner_token = _redis_client().get(key)
        assert owner_token is not None
    # Leaving the first block must not have released the second holder's lock.
    assert first.lost
    assert _redis_client().get(key) == owner_token
    with pytest.raises(locks.LockBusy):
        with locks.named_lock(unique_name):
            pass
    assert holder.finish() == 'held'
    assert _redis_client().get(key) is None


def test_unreachable_redis_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv('GEOSPAAS_PROCESSING_REDIS_HOST', '127.0.0.1')
    monkeypatch.setenv('GEOSPAAS_PROCESSING_REDIS_PORT', str(port))
    for context in (locks.dataset_lock(1), locks.named_lock('x'), locks.provider_slot('p', 1)):
        with pytest.raises(locks.LockBackendUnavailable, match=f'127.0.0.1:{port}') as caught:
            with context:
                pass
        assert isinstance(caught.value, locks.LockError)
        assert isinstance(caught.value.__cause__, Exception)
        assert str(pickle.loads(pickle.dumps(caught.value))) == str(caught.value)
    with pytest.raises(locks.LockBackendUnavailable):
        locks.any_dataset_locked()


@pytest.mark.parametrize(
    ('call', 'message'),
    [
        (lambda: locks.provider_slot('p', 0), 'limit'),
        (lambda: locks.dataset_lock(1, expiry=0), 'expiry'),
        (lambda: locks.named_lock(''), 'name'),
        (lambda: locks.named_lock('x', blocking_timeout=-1), 'blocking_timeout'),
    ],
)
def test_invalid_arguments_are_refused(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        with call():
            pass


def test_unusable_locks_directory_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    not_a_directory = tmp_path / 'file'
    not_a_directory.write_text('')
    monkeypatch.setenv('GEOSPAAS_PROCESSING_LOCKS_DIR', str(not_a_directory / 'locks'))
    with pytest.raises(locks.LockError, match='GEOSPAAS_PROCESSING_LOCKS_DIR'):
        with locks.dataset_lock(1):
            pass


def test_any_name_is_a_valid_redis_lock_name(use_redis: RedisServer, unique_name: str) -> None:
    name = f'free-space:/data/../work dir/{unique_name}/é*?'
    with locks.named_lock(name) as lease:
        assert lease.name == name
        assert _redis_client().exists(f'geospaas_processing:lock:{name}') == 1
        with pytest.raises(locks.LockBusy):
            with locks.named_lock(name):
                pass
    assert _redis_client().exists(f'geospaas_processing:lock:{name}') == 0


def test_busy_locks_and_lock_outages_are_temporary_errors() -> None:
    """The tasks retry every TemporaryError: a busy lock and an unreachable Redis are."""
    from geospaas_processing.errors import TemporaryError

    assert issubclass(locks.LockBusy, TemporaryError)
    assert issubclass(locks.LockBackendUnavailable, TemporaryError)
    assert issubclass(locks.LeaseLost, TemporaryError)


@pytest.mark.parametrize('value', ['0', '-5', 'soon', 'inf'])
def test_a_lock_expiry_that_is_not_a_positive_number_is_refused(monkeypatch, value) -> None:
    """One meaning for GEOSPAAS_PROCESSING_LOCK_EXPIRY=0 (an error), in tasks and downloads."""
    from geospaas_processing.downloaders._slots import ProviderSlots
    from geospaas_processing.downloaders.provider_settings import ProviderSettings
    from geospaas_processing.errors import ConfigurationError
    from geospaas_processing.tasks import lock_expiry

    monkeypatch.setenv('GEOSPAAS_PROCESSING_LOCK_EXPIRY', value)
    for read in (locks.configured_expiry, lock_expiry, config.validate):
        with pytest.raises(ConfigurationError, match='GEOSPAAS_PROCESSING_LOCK_EXPIRY'):
            read()
    limited = ProviderSettings(prefix='https://limited.example/', max_parallel_downloads=1)
    with pytest.raises(ConfigurationError, match='GEOSPAAS_PROCESSING_LOCK_EXPIRY'):
        with ProviderSlots().hold(limited):
            pass
