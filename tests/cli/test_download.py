"""``geospaas-download`` run as a real command against the test catalog and a loopback server."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from geospaas_processing.catalog import services
from geospaas_processing.catalog.models import DatasetURI
from geospaas_processing.catalog.records import DatasetRecord, create_dataset
from geospaas_processing.demo.server import LoopbackFileServer
from tests.helpers import catalog_environment, run_command

pytestmark = pytest.mark.django_db(transaction=True)

NORDIC = 'POLYGON((0 60,10 60,10 70,0 70,0 60))'
TROPICS = 'POLYGON((0 -10,10 -10,10 10,0 10,0 -10))'


@pytest.fixture
def provider(tmp_path):
    """Three files on a loopback HTTP server and their datasets in the catalog."""
    directory = tmp_path / 'provider'
    directory.mkdir()
    with LoopbackFileServer(directory) as server:
        for name, day, wkt, instrument in (
            ('nordic-a', 1, NORDIC, 'AMSR2'),
            ('nordic-b', 2, NORDIC, 'MODIS'),
            ('tropics', 3, TROPICS, 'AMSR2'),
        ):
            (directory / f'{name}.nc').write_bytes(name.encode() * 1000)
            create_dataset(
                DatasetRecord(
                    name,
                    datetime(2024, 3, day, tzinfo=UTC),
                    datetime(2024, 3, day, 12, tzinfo=UTC),
                    wkt,
                    instrument=instrument,
                    uris=[(f'{server.url}{name}.nc', services.HTTP_SERVICE)],
                )
            )
        yield server


def download(*args, cwd=None):
    return run_command(['geospaas_processing.cli.download', *args], catalog_environment(), cwd=cwd)


def test_downloads_the_datasets_selected_by_time_and_geometry(provider, tmp_path):
    result = download(
        '-d',
        str(tmp_path / 'out' / '%Y' / '%m' / '%d'),
        '-b',
        '2024-03-01',
        '-e',
        '2024-03-02T23:59:59Z',
        '-g',
        'POINT(5 65)',
    )
    assert result.returncode == 0, result.stderr
    assert 'downloaded: 2' in result.stdout and 'failed: 0' in result.stdout
    assert (tmp_path / 'out/2024/03/01/nordic-a/nordic-a.nc').read_bytes() == b'nordic-a' * 1000
    assert (tmp_path / 'out/2024/03/02/nordic-b/nordic-b.nc').is_file()
    assert not list((tmp_path / 'out').rglob('tropics*'))


def test_query_relative_time_and_json_summary(provider, tmp_path):
    query = json.dumps({'source__instrument__short_name__icontains': 'amsr'})
    result = download('-d', str(tmp_path), '-q', query, '--json')
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert sorted(item['entry_id'] for item in summary['downloaded']) == ['nordic-a', 'tropics']
    again = json.loads(download('-d', str(tmp_path), '-q', query, '--json').stdout)
    assert len(again['already_present']) == 2 and again['downloaded'] == []
    recent = download('-d', str(tmp_path), '-r', '-b', '24', '--json')
    assert json.loads(recent.stdout)['matched'] == 0  # 2024 is more than a day ago


def test_save_path_records_local_uris_once(provider, tmp_path):
    for _ in range(2):
        result = download('-d', str(tmp_path), '-q', '{"entry_id": "tropics"}', '-a')
        assert result.returncode == 0, result.stderr
    local = DatasetURI.objects.filter(
        dataset__entry_id='tropics', service=services.LOCAL_FILE_SERVICE
    )
    assert local.count() == 1
    assert local.get().uri.endswith('/tropics/tropics.nc')


def test_dry_run_lists_uris_and_sizes_and_writes_nothing(provider, tmp_path):
    result = download('-d', str(tmp_path / 'out'), '--dry-run')
    assert result.returncode == 0, result.stderr
    assert f'{provider.url}nordic-a.nc' in result.stdout
    assert '3 datasets, 22.5 KiB known; nothing was written' in result.stdout
    assert not (tmp_path / 'out').exists()


def test_a_failed_dataset_gives_exit_status_1_with_its_reason(provider, tmp_path):
    (tmp_path / 'provider' / 'tropics.nc').unlink()
    result = download('-d', str(tmp_path), '-q', '{"source__instrument__short_name": "AMSR2"}')
    assert result.returncode == 1
    assert 'failed: tropics:' in result.stdout and '404' in result.stdout
    assert 'downloaded: 1' in result.stdout


@pytest.mark.parametrize(
    ('arguments', 'message'),
    [
        (['-b', '2024-13-01'], "-b/--begin '2024-13-01' is not a date"),
        (['-b', '2024-03-05', '-e', '2024-03-01'], 'is after -e/--end'),
        (['-g', 'POLYGON((0 0, 1 1'], 'is not valid WKT'),
        (['-q', '["entry_id"]'], '-q/--query must be a JSON object'),
        (['-q', '{"entry_id": '], '-q/--query is not valid JSON'),
        (['-q', '{"colour": "red"}'], "Cannot resolve keyword 'colour' into field. Choices are"),
        (['-s', '2'], '3 datasets match, more than the safety limit of 2'),
        (['-r', '-b', 'yesterday'], 'with -r, -b must be a number of hours'),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(provider, tmp_path, arguments, message):
    result = download('-d', str(tmp_path / 'out'), *arguments)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert 'Traceback' not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / 'out').exists()


def test_invalid_settings_file_is_named(provider, tmp_path):
    settings = tmp_path / 'settings.yml'
    settings.write_text('"http://example.org":\n  max_parallel_downloads: many\n')
    result = download('-d', str(tmp_path / 'out'), '-c', str(settings))
    assert result.returncode == 2
    assert 'max_parallel_downloads' in result.stderr and 'Traceback' not in result.stderr
    missing = download('-d', str(tmp_path / 'out'), '-c', str(tmp_path / 'nope.yml'))
    assert missing.returncode == 2 and 'nope.yml' in missing.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason='root can write anywhere')
def test_unwritable_destination_is_refused(provider, tmp_path):
    locked = tmp_path / 'locked'
    locked.mkdir(mode=0o500)
    result = download('-d', str(locked / 'out'))
    assert result.returncode == 2 and 'is not writable' in result.stderr


def test_destination_under_a_file_is_refused(provider, tmp_path):
    (tmp_path / 'a-file').write_text('x')
    result = download('-d', str(tmp_path / 'a-file' / 'out'))
    assert result.returncode == 2 and 'cannot be written to' in result.stderr


def test_entry_points_and_subcommand_share_the_flags(provider, tmp_path):
    result = run_command(
        [
            'geospaas_processing',
            'download',
            '-d',
            str(tmp_path),
            '--quiet',
            '-q',
            '{"entry_id": "nordic-a"}',
        ],
        catalog_environment(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ''
    assert Path(tmp_path / 'nordic-a' / 'nordic-a.nc').is_file()


def run_in_terminal(args, env, timeout=60, stdout_file=None) -> str:
    """Run a command with a pseudo-terminal (80 columns) as stderr; return what it showed.

    stdout goes to the terminal too, or to ``stdout_file`` (a pipe into a file, as in
    ``geospaas-download ... > list.txt``).
    """
    import fcntl
    import pty
    import select
    import struct
    import subprocess
    import sys
    import termios

    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 80, 0, 0))
    process = subprocess.Popen(
        [sys.executable, '-m', *args],
        env=env,
        stdin=terminal,
        stdout=terminal if stdout_file is None else stdout_file,
        stderr=terminal,
        close_fds=True,
    )
    os.close(terminal)
    output = b''
    while True:
        ready, _, _ = select.select([controller], [], [], timeout)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed: the command exited
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=timeout)
    os.close(controller)
    return output.decode(errors='replace')


def test_a_terminal_gets_a_progress_bar_with_bytes_rate_and_eta(provider, tmp_path):
    shown = run_in_terminal(
        ['geospaas_processing.cli.download', '-d', str(tmp_path)], catalog_environment()
    )
    # The total is every planned byte from the first frame on, not the transfers started.
    first_frame = shown.split('\r')[1]
    assert first_frame.startswith('downloading:   0%') and '/22.5k' in first_frame
    assert 'downloading: 100%' in shown
    assert '22.5k/22.5k' in shown and 'B/s' in shown and '3/3 files' in shown
    assert 'INFO' not in shown  # the bar replaces the per-dataset log lines
    assert 'downloaded: 3 (22.5 KiB transferred), already present: 0, failed: 0' in shown


def test_the_bar_is_decided_by_stderr_being_a_terminal(provider, tmp_path):
    listing = tmp_path / 'stdout.txt'
    with open(listing, 'w') as stdout_file:
        shown = run_in_terminal(
            ['geospaas_processing.cli.download', '-d', str(tmp_path / 'out')],
            catalog_environment(),
            stdout_file=stdout_file,
        )
    assert '3/3 files' in shown  # stdout redirected, stderr still a terminal: a bar
    assert '%|' not in listing.read_text()
    assert 'downloaded: 3' in listing.read_text()


def test_an_all_present_run_draws_no_bar(provider, tmp_path):
    download('-d', str(tmp_path))
    shown = run_in_terminal(
        ['geospaas_processing.cli.download', '-d', str(tmp_path)], catalog_environment()
    )
    assert '%|' not in shown
    assert 'downloaded: 0 (0 B transferred), already present: 3, failed: 0' in shown


def _read_all(controller: int) -> str:
    import select

    output = b''
    while select.select([controller], [], [], 0.5)[0]:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    return output.decode(errors='replace')


def test_a_resumed_transfer_says_so_and_counts_only_new_bytes():
    import fcntl
    import pty
    import struct
    import termios

    from geospaas_processing.cli.progress import TransferProgress

    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 120, 0, 0))
    mebibyte = 1024 * 1024
    with open(terminal, 'w') as stream:
        with TransferProgress(files=2, planned_bytes=8 * mebibyte, draw=True, stream=stream) as bar:
            # The downloader reports the bytes already on disk first, then each chunk.
            bar.callback(7, 4 * mebibyte, 6 * mebibyte)
            bar.callback(7, 6 * mebibyte, 6 * mebibyte)
    shown = _read_all(controller)
    assert 'resumed at 4.0 MiB' in shown and '1/2 files' in shown
    assert bar.transferred == 2 * mebibyte and bar.finished == 1


def test_cron_gets_plain_log_lines(provider, tmp_path):
    result = download('-d', str(tmp_path))
    assert '%|' not in result.stdout + result.stderr  # no bar
    assert result.stderr.count('downloaded') >= 3  # a line per dataset


def test_cron_log_lines_carry_a_timestamp_and_v_raises_only_our_loggers(provider, tmp_path):
    import re

    result = download('-d', str(tmp_path), '-v')
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line]
    assert lines and all(
        re.match(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (DEBUG|INFO|WARNING|ERROR) ', line)
        for line in lines
    ), lines
    assert all(' geospaas_processing' in line for line in lines)  # no filelock/urllib3 lines


def test_id_entry_id_and_overlap_select(provider, tmp_path):
    from geospaas_processing.catalog.models import Dataset

    tropics = Dataset.objects.get(entry_id='tropics')
    by_id = json.loads(
        download('-d', str(tmp_path / 'a'), '--id', str(tropics.id), '--json').stdout
    )
    assert [item['entry_id'] for item in by_id['downloaded']] == ['tropics']
    by_entry = download(
        '-d', str(tmp_path / 'b'), '--entry-id', 'nordic-a', '--entry-id', 'tropics', '--json'
    )
    assert sorted(i['entry_id'] for i in json.loads(by_entry.stdout)['downloaded']) == [
        'nordic-a',
        'tropics',
    ]
    # nordic-b covers 2024-03-02 00:00-12:00: within [02 06:00, 02 23:00] only with --overlap.
    window = ['-b', '2024-03-02T06:00:00Z', '-e', '2024-03-02T23:00:00Z', '--json']
    within = json.loads(download('-d', str(tmp_path / 'c'), *window).stdout)
    overlapping = json.loads(download('-d', str(tmp_path / 'd'), *window, '--overlap').stdout)
    assert within['matched'] == 0
    assert overlapping['matched'] == 1 and overlapping['downloaded'][0]['entry_id'] == 'nordic-b'


def test_ctrl_c_stops_the_downloads_keeps_partial_files_and_exits_130(http_server, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    body = bytes(range(256)) * 4096 * 3  # 3 MiB, sent at 512 KiB/s: six seconds each
    for index in range(4):
        url = http_server.add_file(f'/slow-{index}.nc', body, rate=512 * 1024, etag=f'"v{index}"')
        create_dataset(
            DatasetRecord(
                f'slow-{index}',
                datetime(2024, 3, 1, tzinfo=UTC),
                datetime(2024, 3, 2, tzinfo=UTC),
                NORDIC,
                uris=[(url, services.HTTP_SERVICE)],
            )
        )
    process = subprocess.Popen(
        [
            sys.executable,
            '-m',
            'geospaas_processing.cli.download',
            '-d',
            str(tmp_path),
            '--workers',
            '1',
        ],
        env=catalog_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        partials = [p for p in tmp_path.rglob('.download-*.part') if '.resume' not in p.name]
        if partials and partials[0].stat().st_size > 1024 * 1024:
            break
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert 'Traceback' not in stderr
    assert 'interrupted: 0 of 4 datasets finished' in stderr
    assert [p for p in tmp_path.rglob('.download-*.part') if p.stat().st_size > 1024 * 1024]
    requested = {r.path for r in http_server.requests if r.method == 'GET'}
    assert not requested & {'/slow-2.nc', '/slow-3.nc'}  # no new dataset started


def test_datasets_lists_counts_and_dumps_the_selection(provider, tmp_path):
    def datasets(*args):
        return run_command(['geospaas_processing', 'datasets', *args], catalog_environment())

    table = datasets('-g', 'POINT(5 65)')
    assert table.returncode == 0, table.stderr
    rows = table.stdout.splitlines()
    assert rows[0] == 'id\tentry_id\ttime_coverage\tsource\turis'
    assert [row.split('\t')[1] for row in rows[1:]] == ['nordic-a', 'nordic-b']
    assert '2024-03-01T00:00:00Z/2024-03-01T12:00:00Z' in rows[1]
    assert rows[1].endswith(f'\t{provider.url}nordic-a.nc')
    assert '2 datasets match' in table.stderr
    assert datasets('-q', '{"source__instrument__short_name": "AMSR2"}', '--count').stdout == '2\n'
    (dumped,) = json.loads(datasets('--entry-id', 'tropics', '--json').stdout)
    assert dumped['entry_id'] == 'tropics' and dumped['uris'][0]['service'] == services.HTTP_SERVICE
    wrong = datasets('-q', '{"no_such_field": 1}')
    assert wrong.returncode == 2 and 'no_such_field' in wrong.stderr


def test_a_terminal_run_into_a_strftime_destination_downloads(provider, tmp_path):
    shown = run_in_terminal(
        ['geospaas_processing.cli.download', '-d', str(tmp_path / '%Y' / '%m')],
        catalog_environment(),
    )
    assert 'downloaded: 3' in shown and 'Traceback' not in shown
    assert (tmp_path / '2024/03/nordic-a/nordic-a.nc').is_file()


def test_a_second_ctrl_c_quits_at_once(http_server, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    # A trickle: the transfer in flight notices the first Ctrl-C only at its next chunk.
    url = http_server.add_file('/slow.nc', b'x' * 4 * 1024 * 1024, rate=4096, etag='"v"')
    create_dataset(
        DatasetRecord(
            'slow',
            datetime(2024, 3, 1, tzinfo=UTC),
            datetime(2024, 3, 2, tzinfo=UTC),
            NORDIC,
            uris=[(url, services.HTTP_SERVICE)],
        )
    )
    command = [sys.executable, '-m', 'geospaas_processing.cli.download', '-d', str(tmp_path)]
    process = subprocess.Popen(
        command,
        env=catalog_environment(),
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(tmp_path.rglob('.download-*.part')):
        time.sleep(0.1)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    time.sleep(0.5)  # two signals sent at once may arrive as one
    assert process.poll() is None  # still waiting for the trickle after the first
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130 and 'Traceback' not in stderr
    assert 'datasets finished' not in stderr  # it quit without waiting to sum up
