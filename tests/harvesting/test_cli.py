"""``geospaas-processing harvest`` in a real subprocess against the loopback STAC emulator."""

import textwrap

import pytest

from tests.helpers import catalog_environment, run_command


def write_files(tmp_path, url, provider_name='stac'):
    config = tmp_path / 'harvest.yml'
    config.write_text(
        textwrap.dedent(
            f"""\
            providers:
              - name: stac
                type: stac
                url: {url}
                page_size: 10
                backoff: 0.01
            """
        )
    )
    search = tmp_path / 'search.yml'
    search.write_text(
        textwrap.dedent(
            f"""\
            common:
              start_time: 2022-08-01
              end_time: 2022-09-01
            searches:
              - provider_name: {provider_name}
                collections: [sentinel-3-slstr-wst]
            """
        )
    )
    return config, search


@pytest.mark.django_db(transaction=True)
def test_harvest_command_prints_progress_and_a_summary(tmp_path, stac_server):
    stac_server.items[4] = {'type': 'Feature'}
    config, search = write_files(tmp_path, stac_server.url)
    args = ['geospaas_processing', 'harvest', '--config', str(config), '--search', str(search)]
    result = run_command(args, catalog_environment())
    assert result.returncode == 1, result.stderr  # one result could not be ingested
    assert 'stac: page 3, found 25, created 24, updated 0, failed 1' in result.stderr
    assert 'stac: complete: found 25, created 24, updated 0, failed 1' in result.stdout
    assert 'failed results are kept in' in result.stdout
    again = run_command([*args, '--retry-failed'], catalog_environment())
    assert 'total: found 25, created 0, updated 24, failed 1' in again.stdout
    assert 'retried 1 earlier failures: 0 ingested, 1 still failing' in again.stdout


@pytest.mark.django_db(transaction=True)
def test_a_search_stopped_by_the_provider_exits_1(tmp_path, stac_server):
    stac_server.failures = {2: 100}
    config, search = write_files(tmp_path, stac_server.url)
    args = ['geospaas_processing', 'harvest', '--config', str(config), '--search', str(search)]
    result = run_command(args, catalog_environment())
    assert result.returncode == 1
    assert 'stac: STOPPED EARLY: found 10, created 10' in result.stdout
    assert 'answered HTTP 503' in result.stdout


@pytest.mark.parametrize(
    ('provider_name', 'config_text', 'message'),
    [
        ('scihub', None, "unknown provider 'scihub'"),
        ('stac', 'providers: [{name: stac, type: ftp}]', "providers[0].type 'ftp' is not one of"),
        (
            'stac',
            'providers:\n  - name: stac\n    type: stac\n    url: !ENV NOT_SET_ANYWHERE\n',
            'NOT_SET_ANYWHERE',
        ),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(tmp_path, provider_name, config_text, message):
    config, search = write_files(tmp_path, 'http://127.0.0.1:9', provider_name)
    if config_text:
        config.write_text(config_text)
    args = ['geospaas_processing', 'harvest', '--config', str(config), '--search', str(search)]
    env = {**catalog_environment_without_db(tmp_path)}
    result = run_command(args, env)
    assert result.returncode == 2
    assert result.stderr.count('\n') == 1 and 'Traceback' not in result.stderr
    assert message in result.stderr


def test_a_missing_search_file_is_named(tmp_path):
    config, _ = write_files(tmp_path, 'http://127.0.0.1:9')
    missing = tmp_path / 'missing.yml'
    args = ['geospaas_processing', 'harvest', '--config', str(config), '--search', str(missing)]
    result = run_command(args, catalog_environment_without_db(tmp_path))
    assert result.returncode == 2 and f'cannot read {missing}' in result.stderr


@pytest.mark.django_db(transaction=True)
def test_harvest_has_the_output_options_of_the_other_commands(tmp_path, stac_server):
    import json
    import re

    config, search = write_files(tmp_path, stac_server.url)
    args = ['geospaas_processing', 'harvest', '--config', str(config), '--search', str(search)]
    planned = run_command([*args, '--dry-run'], catalog_environment())
    assert planned.returncode == 0, planned.stderr
    assert '1 searches; nothing was harvested' in planned.stdout
    quiet = run_command([*args, '--quiet'], catalog_environment())
    assert quiet.returncode == 0 and quiet.stdout == '' and quiet.stderr == ''
    as_json = run_command([*args, '--json'], catalog_environment())
    (summary,) = json.loads(as_json.stdout)['searches']
    assert (summary['found'], summary['updated'], summary['complete']) == (25, 25, True)
    verbose = run_command([*args, '-v'], catalog_environment())
    assert verbose.returncode == 0, verbose.stderr
    # Off a terminal, progress is logged in the one format of every command.
    assert re.search(
        r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ INFO geospaas_processing.cli.harvest: stac: page 1,',
        verbose.stderr,
        re.MULTILINE,
    )


def catalog_environment_without_db(tmp_path):
    import os

    env = {key: value for key, value in os.environ.items() if not key.startswith('GEOSPAAS_DB')}
    env['GEOSPAAS_DB_PATH'] = str(tmp_path / 'catalog.sqlite3')
    return env


@pytest.mark.django_db(transaction=True)
def test_ctrl_c_stops_the_harvest_after_the_page_in_flight_and_exits_130(tmp_path, stac_server):
    import signal
    import subprocess
    import sys
    import time

    from geospaas_processing.catalog.models import Dataset

    stac_server.failures = {2: 1}  # page 2 answers 503 once: the harvest waits 2 s, then retries
    config, search = write_files(tmp_path, stac_server.url)
    config.write_text(config.read_text().replace('backoff: 0.01', 'backoff: 2'))
    args = ['geospaas_processing', 'harvest', '--config', str(config), '--search', str(search)]
    process = subprocess.Popen(
        [sys.executable, '-m', *args],
        env=catalog_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not stac_server.served_failures[2]:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert 'Traceback' not in stderr and 'interrupted' in stderr
    assert Dataset.objects.count() == 20  # pages 1 and 2 stay; page 3 was never asked for
