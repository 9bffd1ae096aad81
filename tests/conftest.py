"""Test-suite wide fixtures: an isolated environment, the services on loopback, loud skips.

Tests that need a service mark themselves ``@pytest.mark.service('redis')`` (or
``postgis``, ``rabbitmq``, ``mariadb``). Where the service is not reachable the
test is skipped and a summary line at the end of the run names every service
that was missing; under CI (``CI=true``) a missing service fails the test instead.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

# Fixtures of the loopback servers (tests/servers/), one module each.
pytest_plugins: list[str] = ['tests.servers.sshd', 'tests.servers.http', 'tests.servers.ftp']

# The environment of the machine running the tests must not leak into them.
for _name in list(os.environ):
    if _name.startswith(('GEOSPAAS_PROCESSING_', 'SYNTOOL_', 'GEOSPAAS_FAILED')):
        del os.environ[_name]

SERVICE_ADDRESSES = {
    'postgis': ('127.0.0.1', 5432),
    'redis': ('127.0.0.1', int(os.environ.get('GEOSPAAS_TEST_REDIS_PORT', '6379'))),
    'rabbitmq': ('127.0.0.1', 5672),
    'mariadb': ('127.0.0.1', 3306),
}
_availability: dict[str, bool] = {}
_skipped_for: Counter[str] = Counter()


def service_available(name: str) -> bool:
    """Whether the named service accepts TCP connections on loopback (cached per run)."""
    if name not in _availability:
        try:
            with socket.create_connection(SERVICE_ADDRESSES[name], timeout=1):
                _availability[name] = True
        except OSError:
            _availability[name] = False
    return _availability[name]


def require_service(name: str) -> None:
    """Skip the calling test (fail it under CI) when the named service is not reachable."""
    if service_available(name):
        return
    host, port = SERVICE_ADDRESSES[name]
    message = f'service {name} is not reachable on {host}:{port}'
    if os.environ.get('CI', '').lower() == 'true':
        pytest.fail(f'{message} (CI must run every test)')
    _skipped_for[name] += 1
    pytest.skip(message)


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers('service'):
        for name in marker.args:
            require_service(name)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostGIS pass, run only the tests that touch the catalog database."""
    if os.environ.get('GEOSPAAS_TEST_PASS') != 'postgis':
        return
    selected, deselected = [], []
    for item in items:
        uses_db = item.get_closest_marker('django_db') is not None or any(
            name in item.fixturenames for name in ('db', 'transactional_db', 'django_db_setup')
        )
        (selected if uses_db else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if _skipped_for:
        missing = ', '.join(f'{name} ({count} tests)' for name, count in _skipped_for.items())
        terminalreporter.write_line(
            f'!!! SKIPPED FOR MISSING SERVICES: {missing}. Start them to run the whole suite.',
            red=True,
            bold=True,
        )


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point every per-user directory of the package at a fresh temporary folder."""
    home = tmp_path_factory.mktemp('home')
    monkeypatch.setenv('GEOSPAAS_PROCESSING_WORK_DIR', str(home / 'work'))
    monkeypatch.setenv('GEOSPAAS_PROCESSING_LOCKS_DIR', str(home / 'locks'))
    monkeypatch.setenv('GEOSPAAS_PROCESSING_AUXILIARY_PATH', str(home / 'auxiliary'))
    monkeypatch.setenv('GEOSPAAS_FAILED_INGESTIONS_DIR', str(home / 'failed_ingestions'))
    # Local downloads read only under allowed directories: the tests' own temporary files.
    monkeypatch.setenv('GEOSPAAS_PROCESSING_LOCAL_SOURCE_DIRS', str(tmp_path_factory.getbasetemp()))
    return home


@pytest.fixture(autouse=True)
def restored_logging() -> Iterator[None]:
    """Undo what a command run in-process did to logging (handlers, levels), as a new process would.

    The commands configure logging for their process: replacing the root handlers and
    setting the package's level. Left in place, pytest's capture handler is gone and the
    next test's ``caplog`` sees nothing.
    """
    root = logging.getLogger()
    package = logging.getLogger('geospaas_processing')
    saved = (list(root.handlers), root.level, package.level, package.propagate)
    yield
    root.handlers[:], root.level = saved[0], saved[1]
    package.setLevel(saved[2])
    package.propagate = saved[3]


@pytest.fixture
def redis_url() -> str:
    """URL of the loopback Redis server; the test is skipped (or fails in CI) without it."""
    require_service('redis')
    return f'redis://127.0.0.1:{SERVICE_ADDRESSES["redis"][1]}/0'


@pytest.fixture
def unique_name() -> str:
    """A name no other test (or concurrent test run) uses, for Redis keys, queues, locks."""
    return f'test-{uuid.uuid4().hex[:12]}'
