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

from tests.helpers import free_port

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
    port = free_port()
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
        for inspect_line in inspect_block.splitlines():  # ping, active, reserved
            inspect = inspect_line.split('#')[0].split()
            answered = subprocess.run(
                [sys.executable, '-m', *inspect],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert answered.returncode == 0, (inspect_line, answered.stderr)
            assert '1 node online' in answered.stdout, (inspect_line, answered.stdout)
            if inspect[-1] == 'ping':
                assert 'pong' in answered.stdout
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


def test_transfers_block_without_a_catalog(http_server, tmp_path):
    """README: "Downloading", "Without a catalog": the Transfers block, in a fresh interpreter.

    Mirrored: ``urls`` are two files of the loopback HTTP server (tests/servers/http.py)
    standing in for a provider, ``/data`` a temporary directory, and provider_settings.yml
    in the working directory names that server.
    """
    block, line = readme_block('from geospaas_processing.downloaders import DownloadJob, Transfers')
    urls = [http_server.add_file(f'/t{index}.nc', b't' * 100 * (index + 1)) for index in (1, 2)]
    (tmp_path / 'provider_settings.yml').write_text(
        f"'{http_server.base_url}':\n  max_parallel_downloads: 2\n"
    )
    script = f'urls = {urls!r}\n' + block.replace("'/data'", repr(str(tmp_path / 'data')))
    result = subprocess.run(
        [sys.executable, '-c', script],
        cwd=tmp_path,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (line, result.stderr[-2000:])
    assert result.stdout.splitlines() == ['downloaded t1.nc/t1.nc', 'downloaded t2.nc/t2.nc']
    assert (tmp_path / 'data' / 't2.nc' / 't2.nc').read_bytes() == b't' * 300


def test_first_install_and_demo_block(tmp_path):
    """README: "Your first download", the first block (``pip install``, ``demo``).

    ``geospaas-processing demo`` runs as written (HOME in a temporary directory: the demo
    must not touch it). ``pip install geospaas_processing`` needs a fresh environment and
    PyPI: mirrored by the installed distribution's console scripts being the commands the
    README uses.
    """
    from importlib.metadata import distribution

    block, line = readme_block('pip install geospaas_processing')
    pip_line, demo_line = block.splitlines()
    assert pip_line == 'pip install geospaas_processing'
    scripts = {
        entry.name
        for entry in distribution('geospaas_processing').entry_points
        if entry.group == 'console_scripts'
    }
    assert {'geospaas-processing', 'geospaas-download', 'geospaas-copy'} <= scripts
    result = _shell(demo_line, tmp_path)
    assert result.returncode == 0, (line + 1, result.stderr[-3000:])
    assert 'demo catalog:' in result.stdout + result.stderr
    assert not (tmp_path / '.local').exists()  # the user's data directory is left alone


def test_module_forms_and_harvest_line(tmp_path, monkeypatch):
    """README: "Also ``python -m geospaas_processing.cli.download``" (geospaas-download),
    "Also ``python -m geospaas_processing.cli.delete_and_copy``" (geospaas-copy), and the
    ``geospaas-processing harvest --config harvest.yml --search search.yml`` line (Harvesting).

    Mirrored: the module forms are asked for ``--help``; the harvest line runs with
    ``--dry-run`` on the README's own two YAML blocks (the real one would query CREODIAS),
    with made-up credentials for the ``!ENV`` variables they name.
    """
    text = README.read_text()
    for module in ('geospaas_processing.cli.download', 'geospaas_processing.cli.delete_and_copy'):
        assert f'`python -m {module}`' in text
        shown = subprocess.run(
            [sys.executable, '-m', module, '--help'], capture_output=True, text=True, timeout=60
        )
        assert shown.returncode == 0 and '--destination_path' in shown.stdout, shown.stderr
    harvest_line = re.search(r'`(geospaas-processing harvest --config [^`\[]+)', text).group(1)
    harvest_block, _ = readme_block('vocabularies:')
    search_block, _ = readme_block(
        "common: {start_time: 2022-08-01, end_time: 2022-08-02, location: 'POLYGON((...))'}"
    )
    (tmp_path / 'harvest.yml').write_text(harvest_block)
    (tmp_path / 'search.yml').write_text(
        search_block.replace("'POLYGON((...))'", "'POLYGON((0 60,10 60,10 70,0 70,0 60))'")
    )
    credentials = {
        name: f'readme-{name.lower()}' for name in re.findall(r'!ENV (\w+)', harvest_block)
    }
    result = _shell(harvest_line.strip() + ' --dry-run', tmp_path, **credentials)
    assert result.returncode == 0, result.stderr[-2000:]
    assert '2 searches; nothing was harvested' in result.stdout
    assert 'creodias:' in result.stdout and 'archive:' in result.stdout


def test_idf_install_line():
    """README: "Conversion (IDF)", ``scripts/install_idf_converter.sh``, run as written.

    It is safe to run again (it only does what is missing): with ``.venv-idf/`` made by
    ``make setup`` it ends at once; without it, it would install from PyPI, so the test
    is skipped there.
    """
    block, line = readme_block(
        'scripts/install_idf_converter.sh     # makes .venv-idf/ with pip install '
        'idf-converter (~30 s)'
    )
    root = README.parent
    if not (root / '.venv-idf' / 'bin' / 'idf-converter').exists():
        pytest.skip('.venv-idf/ is not made here (make setup makes it)')
    result = subprocess.run(
        ['bash', '-c', block.split('#')[0]], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, (line, result.stderr[-2000:])


def test_layout_block_names_what_exists():
    """README: "Layout": every module and folder the block names exists."""
    block, line = readme_block('geospaas_processing/')
    root = README.parent
    package = root / 'geospaas_processing'
    names = []
    for row in block.splitlines():
        if not row.startswith(' '):  # geospaas_processing/, benchmarks/, tests/
            names.append(root / row.split()[0])
            continue
        for name in re.findall(r'(?:^|\s|,\s)([a-z_]+(?:\.py|/))(?=[\s,]|$)', row.split('  ')[1]):
            names.append(package / name)
    assert len(names) > 20, names
    missing = [str(path.relative_to(root)) for path in names if not path.exists()]
    assert not missing, (line, missing)


_CELERY = test_celery_client_snippet_sends_tasks_and_gets_results
_FLOWER = test_flower_against_rabbitmq_shows_a_finished_task
#: Every fenced block of the README (by its first line) and the test that runs or mirrors it.
COVERED_BLOCKS = {
    'pip install geospaas_processing': test_first_install_and_demo_block,
    'geospaas-download -d ~/data -b 2024-03-01': test_first_download_lines,
    'make demo': test_project_commands_and_install_lines_name_what_exists,
    'pip install -e .  ': test_project_commands_and_install_lines_name_what_exists,
    'import geospaas_processing': test_catalog_python_snippet,
    'geospaas-processing datasets': test_datasets_lines,
    "geospaas-download -d '/data/%Y/%m/%d'": test_geospaas_download_lines,
    'geospaas-copy -d /shared/sst': test_geospaas_copy_line,
    "pip install -e '.[worker]'": _CELERY,
    'from geospaas_processing.tasks.core import': _CELERY,
    'FLOWER_UNAUTHENTICATED_API=true celery': _FLOWER,
    'celery -A geospaas_processing.tasks.core inspect': _FLOWER,
    'vocabularies:': test_harvest_configuration_blocks,
    'common: {start_time': test_harvest_configuration_blocks,
    'from geospaas_processing.converters.base import': test_converter_framework_block,
    'scripts/install_idf_converter.sh': test_idf_install_line,
    'from geospaas_processing.downloaders import DownloadManager': test_download_manager_block,
    'from geospaas_processing.downloaders import DownloadJob': (
        test_transfers_block_without_a_catalog
    ),
    "'https://zipper.creodias.eu':": test_provider_settings_block,
    'geospaas_processing/': test_layout_block_names_what_exists,
}


def test_every_code_block_of_the_readme_is_run_or_mirrored_by_a_test():
    """README: every fenced block; a block added without a test fails here, naming its line."""
    lines = README.read_text().splitlines()
    uncovered, inside = [], False
    for number, row in enumerate(lines, start=1):
        if not row.strip().startswith('```'):
            continue
        if not inside:
            first = lines[number].strip()  # the block's first line (lines is 0-based)
            if not any(first.startswith(prefix.strip()) for prefix in COVERED_BLOCKS):
                uncovered.append(f'README.md:{number + 1}: {first}')
        inside = not inside
    assert not uncovered, uncovered
    for prefix, test in COVERED_BLOCKS.items():  # each claimed block is still in the README
        assert any(row.strip().startswith(prefix.strip()) for row in lines), (prefix, test.__name__)
