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
from geospaas_processing.cli.util import human_size
from geospaas_processing.demo.server import LoopbackFileServer
from tests.helpers import (
    RunningCommand,
    catalog_environment,
    make_dataset,
    run_command,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

NORDIC = 'POLYGON((0 60,10 60,10 70,0 70,0 60))'
TROPICS = 'POLYGON((0 -10,10 -10,10 10,0 10,0 -10))'
HTTP = services.HTTP_SERVICE


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


def run_in_terminal(args, env, timeout=60, stdout_file=None, columns=80) -> str:
    """Run a command with a pseudo-terminal (``columns`` wide) as stderr; return what it showed.

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
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack('HHHH', 24, columns, 0, 0))
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


# Ctrl-C, resume and the dry run, against the loopback server of tests/servers/http.py -------

MEBIBYTE = 1024 * 1024
BODY = bytes(range(256)) * 4096 * 3  # 3 MiB: resumable (1 MiB or more)
HALF = len(BODY) // 2


def trickling(http_server, name: str, interval: float = 0.2) -> str:
    """A file whose first half comes at once, then one byte every ``interval`` seconds."""
    return http_server.add_file(name, BODY, trickle_after=HALF, trickle_interval=interval)


def partial_files(directory: Path, at_least: int = 1) -> list[Path]:
    """The partial downloads under ``directory`` holding ``at_least`` bytes."""
    return [
        path
        for path in directory.rglob('.download-*.part')
        if not path.name.endswith('.resume.part') and path.stat().st_size >= at_least
    ]


def start_download(*args) -> RunningCommand:
    return RunningCommand(['geospaas_processing.cli.download', *args], catalog_environment())


def test_ctrl_c_stops_the_transfers_in_flight_keeps_their_partial_files_and_starts_none(
    http_server, tmp_path
):
    for index in range(4):
        make_dataset(f'slow-{index}', [(trickling(http_server, f'/slow-{index}.nc'), HTTP)])
    command = start_download('-d', str(tmp_path), '--workers', '2')
    wait_until(lambda: len(partial_files(tmp_path, at_least=HALF)) == 2)
    command.interrupt()
    status, stdout, stderr = command.finish()
    assert status == 130, stderr
    assert 'Traceback' not in stderr
    assert 'downloaded: 0 (3.0 MiB transferred), already present: 0, failed: 0' in stdout
    assert (
        'interrupted: 0 of 4 datasets finished, 2 stopped in flight (partial files kept), '
        '2 not started; the same command resumes them'
    ) in stderr
    assert len(partial_files(tmp_path, at_least=HALF)) == 2  # kept for the resume
    assert not [path for path in tmp_path.rglob('*.nc')]  # nothing passed off as complete
    # The server saw the two transfers in flight and no other: none started after Ctrl-C.
    assert sorted(r.path for r in http_server.requests if r.method == 'GET') == [
        '/slow-0.nc',
        '/slow-1.nc',
    ]


def test_ctrl_c_with_save_path_records_the_datasets_finished_before_it(http_server, tmp_path):
    make_dataset('quick', [(http_server.add_file('/quick.nc', b'q' * 1000), HTTP)])
    make_dataset('slow', [(trickling(http_server, '/slow.nc'), HTTP)])
    command = start_download('-d', str(tmp_path), '--workers', '2', '-a', '--json')
    wait_until(
        lambda: (
            (tmp_path / 'quick' / 'quick.nc').is_file()
            and partial_files(tmp_path / 'slow', at_least=HALF)
        )
    )
    command.interrupt()
    status, stdout, stderr = command.finish()
    assert status == 130, stderr
    summary = json.loads(stdout)
    assert summary['interrupted'] is True
    assert [item['entry_id'] for item in summary['downloaded']] == ['quick']
    assert [item['entry_id'] for item in summary['stopped']] == ['slow']
    assert summary['not_started'] == 0
    recorded = DatasetURI.objects.filter(service=services.LOCAL_FILE_SERVICE)
    assert [(uri.dataset.entry_id, Path(uri.uri).read_bytes()) for uri in recorded] == [
        ('quick', b'q' * 1000)
    ]


def silent_after_half(http_server, tmp_path, name: str) -> Path:
    """Half of ``name``, then nothing for an hour, and settings letting a read wait that long.

    Returns the settings file. With ``low_speed_time: 3600`` the downloader's read waits
    for data up to its read timeout (120 s): a command ending far sooner after Ctrl-C
    did not wait for the server.
    """
    settings = tmp_path / 'settings.yml'
    settings.write_text(f"'{http_server.base_url}':\n  low_speed_time: 3600\n")
    make_dataset(name, [(trickling(http_server, f'/{name}.nc', interval=3600), HTTP)])
    return settings


def test_the_first_ctrl_c_stops_a_transfer_whose_server_went_silent(http_server, tmp_path):
    """Issue 13 item 4: the read waiting on the silent server is cut; no second Ctrl-C."""
    settings = silent_after_half(http_server, tmp_path, 'stalled')
    out = tmp_path / 'out'
    command = start_download('-d', str(out), '-c', str(settings))
    wait_until(lambda: partial_files(out, at_least=HALF))
    command.interrupt()
    status, stdout, stderr = command.finish(timeout=30)  # far below the 120 s read timeout
    assert status == 130, stderr
    assert 'Traceback' not in stderr
    assert 'downloaded: 0 (1.5 MiB transferred), already present: 0, failed: 0' in stdout
    assert (
        'interrupted: 0 of 1 datasets finished, 1 stopped in flight (partial files kept), '
        '0 not started; the same command resumes them'
    ) in stderr
    [partial] = partial_files(out, at_least=HALF)  # kept for the resume
    assert not list(out.rglob('*.nc'))  # nothing passed off as complete


def test_a_second_ctrl_c_quits_at_once(http_server, tmp_path):
    # A server that takes the request and never answers it: the transfer has no connection
    # of its own yet for the first Ctrl-C to cut, so only the second ends the command.
    settings = tmp_path / 'settings.yml'
    settings.write_text(f"'{http_server.base_url}':\n  low_speed_time: 3600\n")
    url = http_server.add_file(
        '/unanswered.nc', BODY, before_answer=lambda method: http_server.closing.wait()
    )
    make_dataset('unanswered', [(url, HTTP)])
    out = tmp_path / 'out'
    command = start_download('-d', str(out), '-c', str(settings))
    wait_until(lambda: any(r.path == '/unanswered.nc' for r in http_server.requests))
    command.interrupt()
    assert command.wait_for('Ctrl-C again to quit at once')
    assert command.process.poll() is None  # the unanswered request holds the first Ctrl-C
    command.interrupt()
    status, stdout, stderr = command.finish()
    assert status == 130 and 'Traceback' not in stderr
    assert 'datasets finished' not in stderr and stdout == ''  # quit without summing up


def test_a_resumed_transfer_says_so_and_the_summary_counts_only_new_bytes(http_server, tmp_path):
    make_dataset('big', [(trickling(http_server, '/big.nc'), HTTP)])
    first = start_download('-d', str(tmp_path))
    wait_until(lambda: partial_files(tmp_path, at_least=HALF))
    first.interrupt()
    assert first.finish()[0] == 130
    [partial] = partial_files(tmp_path)
    kept = partial.stat().st_size
    http_server.files['/big.nc'].trickle_after = None  # the provider is fast again
    shown = run_in_terminal(
        ['geospaas_processing.cli.download', '-d', str(tmp_path)],
        catalog_environment(),
        columns=120,  # 80 columns cut the bar's postfix short
    )
    assert f'resumed at {human_size(kept)}' in shown and '1/1 files' in shown
    assert f'downloaded: 1 ({human_size(len(BODY) - kept)} transferred)' in shown
    assert (tmp_path / 'big' / 'big.nc').read_bytes() == BODY
    ranges = [r.headers.get('Range') for r in http_server.requests if r.method == 'GET']
    assert ranges == [None, f'bytes={kept}-']


def test_the_dry_run_prints_each_dataset_as_it_comes_and_probes_sizes_at_once(
    http_server, tmp_path
):
    import threading

    together = threading.Barrier(3, timeout=30)  # broken unless three HEADs wait at once
    first_line_seen = threading.Event()
    released_by_the_first_line = []

    def hold(method: str, last: bool) -> None:
        if method != 'HEAD':
            return
        together.wait()
        if last:  # the last size stays unknown to the command until its first line is out
            released_by_the_first_line.append(first_line_seen.wait(30))

    for index in range(3):
        url = http_server.add_file(
            f'/p{index}.nc',
            b'p' * 1024 * (index + 1),
            before_answer=lambda method, last=index == 2: hold(method, last),
        )
        make_dataset(f'planned-{index}', [(url, HTTP)])
    command = start_download('-d', str(tmp_path / 'out'), '--dry-run')
    assert command.wait_for('planned-0  ->', name='stdout')
    first_line_seen.set()
    status, stdout, stderr = command.finish()
    assert status == 0, stderr
    assert released_by_the_first_line == [True]
    assert 'planned-0  ->  planned-0  (1.0 KiB)' in stdout
    assert '3 datasets, 6.0 KiB known; nothing was written' in stdout
    assert not (tmp_path / 'out').exists()


def test_the_selection_is_counted_once_and_streamed(provider, tmp_path):
    """One COUNT query per run (``manager.count()``), the datasets then read in keyset pages."""
    import logging

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from geospaas_processing.cli import download as command

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level  # the command sets up its own logging
    args = command.build_parser().parse_args(['-d', str(tmp_path / 'out'), '--quiet'])
    try:
        with CaptureQueriesContext(connection) as queries:
            assert command.run(args) == 0
    finally:
        root.handlers[:], root.level = handlers, level
    sql = [query['sql'].upper() for query in queries]
    assert len([text for text in sql if 'COUNT(' in text]) == 1, sql
    assert len(list((tmp_path / 'out').rglob('*.nc'))) == 3
