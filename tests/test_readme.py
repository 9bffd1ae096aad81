"""The README's command lines and code blocks, run as written (each test names its lines).

Blocks that need servers run against loopback servers started here; a block that
cannot run as written on this machine says so in its test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import require_service

README = Path(__file__).resolve().parents[1] / 'README.md'


def readme_block(first_line: str) -> tuple[str, int]:
    """The fenced code block of the README whose first line is ``first_line``, and its line."""
    lines = README.read_text().splitlines()
    for number, line in enumerate(lines):
        if line.strip() == first_line and lines[number - 1].strip().startswith('```'):
            block = []
            for following in lines[number:]:
                if following.strip().startswith('```'):
                    return '\n'.join(block) + '\n', number + 1
                block.append(following.strip())
    raise AssertionError(f'the README has no code block starting with {first_line!r}')


@pytest.fixture
def rabbitmq_broker():
    """A RabbitMQ virtual host of this test only, deleted afterwards."""
    require_service('rabbitmq')
    if shutil.which('rabbitmqctl') is None:
        pytest.skip('rabbitmqctl is not installed: the test makes a virtual host of its own')
    vhost = f'geospaas-readme-{uuid.uuid4().hex[:8]}'
    subprocess.run(['rabbitmqctl', '-q', 'add_vhost', vhost], check=True, capture_output=True)
    subprocess.run(
        ['rabbitmqctl', '-q', 'set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*'],
        check=True,
        capture_output=True,
    )
    yield f'amqp://guest:guest@127.0.0.1:5672/{vhost}'
    subprocess.run(['rabbitmqctl', '-q', 'delete_vhost', vhost], check=False, capture_output=True)


def _only_broker_environment(home: Path, broker_url: str) -> dict[str, str]:
    # What a user's shell has: PATH and HOME (the default catalog lives under HOME).
    return {'PATH': os.environ['PATH'], 'HOME': str(home), 'GEOSPAAS_PROCESSING_BROKER': broker_url}


def _start_documented_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen:
    block, _ = readme_block("pip install -e '.[worker]'")
    command = next(line for line in block.splitlines() if line.startswith('celery '))
    arguments = command.split()[1:] + ['-n', f'readme-{uuid.uuid4().hex[:6]}@%h']
    with open(log_path, 'ab') as log:
        process = subprocess.Popen(
            [sys.executable, '-m', 'celery', *arguments],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None or b' ready.' in log_path.read_bytes():
            break
        time.sleep(0.2)
    assert process.poll() is None, log_path.read_text()[-3000:]
    assert b' ready.' in log_path.read_bytes(), log_path.read_text()[-3000:]
    return process


def test_celery_client_snippet_sends_tasks_and_gets_results(tmp_path, rabbitmq_broker):
    """README: the client snippet under "Celery tasks and workers" and the worker command.

    In a fresh interpreter with only GEOSPAAS_PROCESSING_BROKER set, importing the task
    modules is enough to send a task and read its result from the default backend.
    """
    block, line = readme_block(
        'from geospaas_processing.tasks.core import archive, crop, download, publish'
    )
    assert re.search(r'\.delay\(\)', block), f'README line {line}: the snippet sends a chain'
    env = _only_broker_environment(tmp_path, rabbitmq_broker)
    worker = _start_documented_worker(env, tmp_path / 'worker.log')
    try:
        # The snippet's import line, then a task whose result needs no dataset in the catalog.
        script = block.splitlines()[0] + '\nfrom geospaas_processing.tasks.core import ping\n'
        script += 'print(ping.delay().get(timeout=60))\n'
        result = subprocess.run(
            [sys.executable, '-c', script],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=30)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == 'pong'


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def _get_json(url: str, timeout: float = 5):
    import json
    import urllib.request

    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


def test_flower_against_rabbitmq_shows_a_finished_task(tmp_path, rabbitmq_broker):
    """README: "Watching a fleet": the Flower command and its task API; `celery inspect ping`.

    Flower 2 answers its REST API without authentication only with
    FLOWER_UNAUTHENTICATED_API set (flower/api/__init__.py, BaseApiHandler.prepare).
    """
    pytest.importorskip('flower')
    block, line = readme_block(
        'FLOWER_UNAUTHENTICATED_API=true celery -A geospaas_processing.tasks.core flower '
        '--port=5555'
    )
    env = _only_broker_environment(tmp_path, rabbitmq_broker)
    worker = _start_documented_worker(env, tmp_path / 'worker.log')
    port = _free_port()
    flower_line = block.splitlines()[0].replace('5555', str(port))
    variable, command = flower_line.split(' ', 1)
    name, value = variable.split('=')
    flower_log = open(tmp_path / 'flower.log', 'wb')  # noqa: SIM115 - closed below
    flower = subprocess.Popen(
        [sys.executable, '-m', *command.split()],
        env={**env, name: value},
        stdout=flower_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if _get_json(f'http://127.0.0.1:{port}/api/workers'):
                    break
            except OSError:
                pass
            time.sleep(0.5)
        script = (
            'from geospaas_processing.tasks.core import ping\n'
            'result = ping.delay()\n'
            'result.get(timeout=60)\n'
            'print(result.id)\n'
        )
        sent = subprocess.run(
            [sys.executable, '-c', script], env=env, capture_output=True, text=True, timeout=120
        )
        assert sent.returncode == 0, sent.stderr[-3000:]
        task_id = sent.stdout.strip()
        info = {}
        while time.monotonic() < deadline + 60:
            try:
                info = _get_json(f'http://127.0.0.1:{port}/api/task/info/{task_id}')
            except OSError:
                info = {}
            if info.get('state') == 'SUCCESS':
                break
            time.sleep(0.5)
        assert info.get('state') == 'SUCCESS', (line, info, (tmp_path / 'flower.log').read_text())
        assert info['name'] == 'geospaas_processing.tasks.core.ping'
        assert 'pong' in str(info['result'])
        inspect_block, _ = readme_block(
            'celery -A geospaas_processing.tasks.core inspect ping       # which workers answer'
        )
        inspect = inspect_block.splitlines()[0].split('#')[0].split()
        answered = subprocess.run(
            [sys.executable, '-m', *inspect], env=env, capture_output=True, text=True, timeout=60
        )
        assert answered.returncode == 0 and 'pong' in answered.stdout, answered.stderr
    finally:
        for process in (flower, worker):
            os.killpg(process.pid, 15)
            process.wait(timeout=30)
        flower_log.close()
