"""The README's command lines and code blocks, run as written (each test names its lines).

Blocks that need servers run against loopback servers started here; a block that
cannot run as written on this machine says so in its test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

# The per-session virtual host of the task tests, reused here.
from tests.tasks.conftest import rabbitmq_vhost  # noqa: F401

README = Path(__file__).resolve().parents[1] / 'README.md'


def readme_block(first_line: str) -> tuple[str, int]:
    """The fenced code block of the README whose first line is ``first_line``, and its line."""
    lines = README.read_text().splitlines()
    for number, line in enumerate(lines):
        fence = lines[number - 1]
        if line.strip() == first_line and fence.strip().startswith('```'):
            indent = len(fence) - len(fence.lstrip())  # a block inside a list item
            block = []
            for following in lines[number:]:
                if following.strip().startswith('```'):
                    return '\n'.join(block) + '\n', number + 1
                block.append(following[indent:])
    raise AssertionError(f'the README has no code block starting with {first_line!r}')


@pytest.fixture
def rabbitmq_broker(rabbitmq_vhost):  # noqa: F811 - the imported fixture
    """A broker URL on the RabbitMQ virtual host of this test session."""
    return f'amqp://guest:guest@127.0.0.1:5672/{rabbitmq_vhost}'


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


VENV_BIN = str(Path(sys.executable).parent)


@pytest.fixture
def readme_catalog(tmp_path):
    """Datasets of 2024-03-01 over the Nordic Seas (AMSR2, MODIS) served on loopback.

    The README's lines name such datasets; their files are served by a loopback server.
    """
    from datetime import UTC, datetime

    from geospaas_processing.catalog import services
    from geospaas_processing.catalog.records import DatasetRecord, create_dataset
    from geospaas_processing.demo.server import LoopbackFileServer

    directory = tmp_path / 'provider'
    directory.mkdir()
    with LoopbackFileServer(directory) as server:
        for name, instrument in (('amsr2-nordic', 'AMSR2'), ('modis-nordic', 'MODIS')):
            (directory / f'{name}.nc').write_bytes(name.encode() * 500)
            create_dataset(
                DatasetRecord(
                    name,
                    datetime(2024, 3, 1, 6, tzinfo=UTC),
                    datetime(2024, 3, 1, 18, tzinfo=UTC),
                    'POLYGON((0 60,10 60,10 70,0 70,0 60))',
                    instrument=instrument,
                    uris=[(f'{server.url}{name}.nc', services.HTTP_SERVICE)],
                )
            )
        yield server


def _shell(line: str, tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run a README line in bash, with the venv's commands first on PATH and HOME in tmp."""
    from tests.helpers import catalog_environment

    env = catalog_environment(
        {'PATH': f'{VENV_BIN}:{os.environ["PATH"]}', 'HOME': str(tmp_path), **extra}
    )
    return subprocess.run(
        ['bash', '-c', line], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


@pytest.mark.django_db(transaction=True)
def test_first_download_lines(readme_catalog, tmp_path):
    """README: "Your first download", the two geospaas-download lines, as written."""
    block, line = readme_block(
        'geospaas-download -d ~/data -b 2024-03-01 -e 2024-03-02 --dry-run   '
        '# what would be fetched'
    )
    dry_line, fetch_line = block.splitlines()
    planned = _shell(dry_line, tmp_path)
    assert planned.returncode == 0, (line, planned.stderr)
    assert '2 datasets' in planned.stdout and 'nothing was written' in planned.stdout
    assert not (tmp_path / 'data').exists()
    fetched = _shell(fetch_line, tmp_path)
    assert fetched.returncode == 0, (line + 1, fetched.stderr)
    assert 'downloaded: 2' in fetched.stdout
    assert (tmp_path / 'data/amsr2-nordic/amsr2-nordic.nc').is_file()


@pytest.mark.django_db(transaction=True)
def test_datasets_lines(readme_catalog, tmp_path):
    """README: "Command line", the three `geospaas-processing datasets` lines."""
    block, line = readme_block(
        "geospaas-processing datasets -b 2024-03-01 -e 2024-03-02 -g 'POINT(5 65)'"
    )
    table, as_json, count = (_shell(command, tmp_path) for command in block.splitlines())
    assert table.returncode == 0, (line, table.stderr)
    assert 'amsr2-nordic' in table.stdout and 'modis-nordic' in table.stdout
    # The demo's entry_id is not in this catalog: an empty JSON list, exit 0.
    assert as_json.returncode == 0 and as_json.stdout.strip() == '[]'
    assert count.returncode == 0 and count.stdout.strip() == '2'


@pytest.mark.django_db(transaction=True)
def test_geospaas_download_lines(readme_catalog, tmp_path):
    """README: "geospaas-download", both lines; /data becomes a temporary directory."""
    block, line = readme_block(
        "geospaas-download -d '/data/%Y/%m/%d' -b 2024-03-01 -e 2024-03-02 -g 'POINT(5 65)' \\"
    )
    commands = block.replace('\\\n', ' ').replace('/data', str(tmp_path / 'data')).splitlines()
    (tmp_path / 'provider_settings.yml').write_text(
        f"'{readme_catalog.url}':\n  max_parallel_downloads: 2\n"
    )
    fetched = _shell(commands[0], tmp_path)
    assert fetched.returncode == 0, (line, fetched.stderr)
    assert 'downloaded: 1' in fetched.stdout  # the AMSR2 one
    assert (tmp_path / 'data/2024/03/01/amsr2-nordic/amsr2-nordic.nc').is_file()
    recent = _shell(commands[1], tmp_path)
    assert recent.returncode == 0, (line + 2, recent.stderr)
    assert 'no dataset matches' in recent.stdout  # 2024 is more than 24 hours ago


@pytest.mark.django_db(transaction=True)
def test_geospaas_copy_line(readme_catalog, tmp_path):
    """README: "geospaas-copy"; /shared becomes a temporary directory."""
    block, line = readme_block(
        'geospaas-copy -d /shared/sst -b 2024-03-01 -e 2024-03-31 -f -t satellite -ttl 30'
    )
    _shell(f'geospaas-download -d {tmp_path / "local"} -a', tmp_path)  # local copies first
    (tmp_path / 'shared' / 'sst').mkdir(parents=True)
    copied = _shell(block.strip().replace('/shared', str(tmp_path / 'shared')), tmp_path)
    assert copied.returncode == 0, (line, copied.stderr)
    assert 'copied 2' in copied.stdout
    assert (tmp_path / 'shared/sst/amsr2-nordic.nc.flag').is_file()


@pytest.mark.django_db(transaction=True)
def test_catalog_python_snippet(readme_catalog, tmp_path):
    """README: "The catalog database", the plain-script block."""
    block, line = readme_block('import geospaas_processing')
    from tests.helpers import catalog_environment

    result = subprocess.run(
        [sys.executable, '-c', block],
        env=catalog_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (line, result.stderr)
    assert result.stdout.strip() == '0'  # no SLSTR dataset in this catalog


def test_harvest_configuration_blocks(monkeypatch):
    """README: "Harvesting", the harvest configuration and the search configuration."""
    from geospaas_processing.harvesting import plan_harvest
    from geospaas_processing.harvesting.config import parse_harvest_config
    from geospaas_processing.yaml_config import parse_yaml

    harvest_block, _ = readme_block('vocabularies:')
    for name in ('CREODIAS_USERNAME', 'CREODIAS_PASSWORD'):
        monkeypatch.setenv(name, f'readme-{name.lower()}')
    harvest_config = parse_harvest_config(parse_yaml(harvest_block, 'README'), 'README')
    assert sorted(harvest_config.providers) == ['archive', 'creodias']
    search_block, _ = readme_block(
        "common: {start_time: 2022-08-01, end_time: 2022-08-02, location: 'POLYGON((...))'}"
    )
    search_block = search_block.replace('POLYGON((...))', 'POLYGON((0 60,10 60,10 70,0 70,0 60))')
    planned = plan_harvest(parse_yaml(search_block, 'README'), harvest_config)
    assert [search['provider_name'] for search in planned] == ['creodias', 'archive']


def test_provider_settings_block(monkeypatch):
    """README: "Provider settings", the example file."""
    from geospaas_processing.downloaders import provider_settings
    from geospaas_processing.yaml_config import parse_yaml

    block, _ = readme_block("'https://zipper.creodias.eu':")
    for name in re.findall(r'!ENV (\w+)', block):
        monkeypatch.setenv(name, f'readme-{name.lower()}')
    settings = provider_settings.parse(parse_yaml(block, 'README'), 'README')
    assert settings['https://zipper.creodias.eu'].max_parallel_downloads == 2


def test_project_commands_and_install_lines_name_what_exists():
    """README: "The project's two commands" and "Install" are not run here.

    ``make test`` runs this very suite and ``pip install`` needs PyPI; the demo that
    ``make demo`` runs is tested in tests/cli/test_main.py. Mirrored: the Makefile has
    both targets and pyproject.toml every extra the Install section names.
    """
    import tomllib

    root = README.parent
    makefile = (root / 'Makefile').read_text()
    assert re.search(r'^demo:', makefile, re.MULTILINE) and re.search(
        r'^test:', makefile, re.MULTILINE
    )
    extras = tomllib.loads((root / 'pyproject.toml').read_text())['project'][
        'optional-dependencies'
    ]
    block, _ = readme_block(
        'pip install -e .                 # the library, every command, '
        'Celery in-process, progress bar'
    )
    for name in re.findall(r'\.\[(\w+)\]', block):
        assert name in extras
    for name in ('postgis', 'redis', 'oauth2', 'sftp', 'syntool', 'worker', 'flower', 'dev'):
        assert f'`{name}`' in README.read_text() and name in extras


@pytest.mark.django_db(transaction=True)
def test_download_manager_block(readme_catalog, tmp_path):
    """README: "Downloading", the DownloadManager block, each line run in a fresh interpreter.

    Mirrored where the README names things of its own machine: dataset 1 becomes a
    dataset of this catalog, /tmp and /data temporary directories, ``start`` a datetime.
    """
    from datetime import UTC, datetime

    from geospaas_processing.catalog import services
    from geospaas_processing.catalog.models import Dataset
    from geospaas_processing.catalog.records import DatasetRecord, create_dataset
    from tests.helpers import catalog_environment

    (tmp_path / 'provider' / 'slstr.nc').write_bytes(b's' * 100)  # served by readme_catalog
    create_dataset(
        DatasetRecord(
            'slstr-nordic',
            datetime(2024, 3, 2, tzinfo=UTC),
            datetime(2024, 3, 2, 12, tzinfo=UTC),
            'POLYGON((0 60,10 60,10 70,0 70,0 60))',
            instrument='SLSTR',
            uris=[(f'{readme_catalog.url}slstr.nc', services.HTTP_SERVICE)],
        )
    )
    first_id = Dataset.objects.get(entry_id='amsr2-nordic').id
    block, line = readme_block('from geospaas_processing.downloaders import DownloadManager')
    (tmp_path / 'provider_settings.yml').write_text(f"'{readme_catalog.url}': {{}}\n")
    import_line, *calls = block.splitlines()
    for offset, call in enumerate(calls, start=1):
        mirrored = (
            call.replace('id=1)', f'id={first_id})')
            .replace("'/tmp'", repr(str(tmp_path / 'tmp')))
            .replace("'/data/", repr(str(tmp_path / 'data'))[:-1] + '/')
        )
        script = (
            'from datetime import UTC, datetime\n'
            'start = datetime(2024, 3, 1, tzinfo=UTC)\n'
            f'{import_line}\nprint({mirrored.split("#")[0].strip()})\n'
        )
        result = subprocess.run(
            [sys.executable, '-c', script],
            env=catalog_environment(),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, (line + offset, call, result.stderr[-2000:])
        assert '.nc' in result.stdout, (line + offset, result.stdout)
    assert (tmp_path / 'amsr2-nordic' / 'amsr2-nordic.nc').is_file()  # the current directory
    assert (tmp_path / 'data/2024/03/02/slstr-nordic/slstr.nc').is_file()


def test_converter_framework_block(tmp_path):
    """README: "Conversion (IDF)", the ConversionManager example.

    Mirrored: its last line converts dataset 42 of the README's catalog; here the
    manager picks the converter of datasets named as the selectors expect.
    """
    from types import SimpleNamespace

    block, line = readme_block(
        'from geospaas_processing.converters.base import (ConversionManager, Converter, '
        'ParameterSelector)'
    )
    definitions = block.split('conversion_manager = ')[0]
    namespace: dict = {}
    exec(compile(definitions, f'README.md:{line}', 'exec'), namespace)  # noqa: S102
    manager = namespace['ExampleConversionManager'](str(tmp_path))
    for entry_id, converter_class, param in (
        ('something_1', 'ExampleConverter', 'foo'),
        ('something_else_1', 'ExampleConverter', 'foo'),  # 'something' matches first
        ('something_special_1', 'SpecialExampleConverter', 'baz'),
    ):
        converter = manager.get_converter(SimpleNamespace(entry_id=entry_id))
        assert type(converter).__name__ == converter_class and converter.param == param
