"""Helpers shared by the tests: running the package's commands in real subprocesses."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path


def catalog_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a subprocess needs to open the test run's catalog database."""
    from django.db import connection

    env = dict(os.environ)
    settings = connection.settings_dict
    if connection.vendor == 'postgresql':
        env.update(
            {
                'GEOSPAAS_DB_HOST': settings['HOST'],
                'GEOSPAAS_DB_PORT': str(settings['PORT']),
                'GEOSPAAS_DB_NAME': settings['NAME'],
                'GEOSPAAS_DB_USER': settings['USER'],
                'GEOSPAAS_DB_PASSWORD': settings['PASSWORD'] or '',
            }
        )
    else:
        env.pop('GEOSPAAS_DB_HOST', None)
        env['GEOSPAAS_DB_PATH'] = str(settings['NAME'])
    env.update(extra or {})
    return env


def run_command(
    args: Sequence[str], env: Mapping[str, str], cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m <args>`` with this interpreter and capture its output as text."""
    return subprocess.run(
        [sys.executable, '-m', *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_python(
    script: str, env: Mapping[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run a Python snippet with this interpreter and capture its output as text."""
    return subprocess.run(
        [sys.executable, '-c', script],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def make_dataset(entry_id: str, uris: Sequence[tuple[str, str]] = ()):
    """A catalog dataset over the Nordic Seas on 2024-03-01 with the given (uri, service) pairs."""
    from datetime import UTC, datetime

    from geospaas_processing.catalog.records import DatasetRecord, create_dataset

    return create_dataset(
        DatasetRecord(
            entry_id,
            datetime(2024, 3, 1, tzinfo=UTC),
            datetime(2024, 3, 2, tzinfo=UTC),
            'POLYGON((0 60,10 60,10 70,0 70,0 60))',
            uris=list(uris),
        )
    )


@contextlib.contextmanager
def mounted_tmpfs(mount_point: Path, size: str) -> Iterator[Path]:
    """Mount a tmpfs of ``size`` (e.g. ``'2m'``) on ``mount_point``: a small, exact disk."""
    import pytest

    mounted = subprocess.run(
        ['mount', '-t', 'tmpfs', '-o', f'size={size},mode=0755', 'tmpfs', str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f'cannot mount a tmpfs (needs root): {mounted.stderr.strip()}')
    try:
        yield mount_point
    finally:
        subprocess.run(['umount', '-l', str(mount_point)], check=False)


class RunningCommand:
    """``python -m <args>`` started as a real subprocess; its output read as it comes.

    For Ctrl-C tests: :meth:`interrupt` sends SIGINT as a terminal does, :meth:`wait_for`
    waits until a text shows up on stdout or stderr, :meth:`finish` collects the rest.
    """

    def __init__(self, args: Sequence[str], env: Mapping[str, str]) -> None:
        import threading

        self.process = subprocess.Popen(
            [sys.executable, '-m', *args],
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.output: dict[str, list[str]] = {'stdout': [], 'stderr': []}
        self._changed = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read, args=(name, stream), daemon=True)
            for name, stream in (('stdout', self.process.stdout), ('stderr', self.process.stderr))
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, name: str, stream) -> None:
        for line in stream:
            with self._changed:
                self.output[name].append(line)
                self._changed.notify_all()

    def text(self, name: str) -> str:
        """What the command wrote on ``name`` (``stdout`` or ``stderr``) so far."""
        with self._changed:
            return ''.join(self.output[name])

    def wait_for(self, text: str, name: str = 'stderr', timeout: float = 60) -> bool:
        """Wait until ``text`` appears on ``name``; False when it did not within ``timeout``."""
        with self._changed:
            return self._changed.wait_for(lambda: text in ''.join(self.output[name]), timeout)

    def interrupt(self) -> None:
        """Send SIGINT, what Ctrl-C in a terminal does."""
        import signal

        self.process.send_signal(signal.SIGINT)

    def finish(self, timeout: float = 60) -> tuple[int, str, str]:
        """Wait for the command to exit; ``(exit status, stdout, stderr)``."""
        try:
            status = self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        for reader in self._readers:
            reader.join(timeout)
        self.process.stdout.close()
        self.process.stderr.close()
        return status, self.text('stdout'), self.text('stderr')


def free_port() -> int:
    """A TCP port free on loopback right now, for a server a test starts."""
    import socket

    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def became_true(condition, timeout: float = 60, interval: float = 0.05) -> bool:
    """Whether ``condition()`` becomes true within ``timeout`` seconds (polled)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())


def wait_until(condition, timeout: float = 60, interval: float = 0.05) -> None:
    """Poll ``condition()`` until it is true; fail the test if it never becomes so."""
    if not became_true(condition, timeout, interval):
        raise AssertionError(f'{condition} did not become true within {timeout} s')
