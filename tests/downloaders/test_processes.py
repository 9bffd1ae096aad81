"""Provider limits across processes, and a process killed mid-transfer, seen from the server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from geospaas_processing.downloaders import DownloadManager, DownloadStatus
from tests.helpers import catalog_environment

HTTP = 'HTTPServer'
SCRIPT = textwrap.dedent(
    """
    import sys
    from geospaas_processing.downloaders import DownloadManager
    manager = DownloadManager(sys.argv[1], sys.argv[2], slot_timeout=60,
                              entry_id__startswith=sys.argv[3])
    print(manager.download())
    """
)


@pytest.fixture(params=['file', 'redis'])
def lock_backend(request, monkeypatch):
    """Run the test with host-local file locks, then with Redis leases."""
    if request.param == 'redis':
        request.getfixturevalue('redis_url')
        monkeypatch.setenv('GEOSPAAS_PROCESSING_REDIS_HOST', '127.0.0.1')
    return request.param


def start(directory, settings, prefix) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, '-c', SCRIPT, str(directory), str(settings), prefix],
        env=catalog_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_two_processes_never_exceed_a_limit_of_one(
    http_server, make_dataset, settings_file, tmp_path, lock_backend, unique_name
):
    # A unique prefix gives each run its own semaphore on the shared Redis.
    settings = settings_file({http_server.base_url: {'max_parallel_downloads': 1}})
    for index in range(6):
        url = http_server.add_file(f'/{unique_name}/{index}.nc', os.urandom(200_000), rate=2e6)
        make_dataset(f'{"ab"[index % 2]}{index}', [(url, HTTP)])
    racers = [start(tmp_path / name, settings, name) for name in 'ab']
    results = [racer.communicate(timeout=120) for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0], results
    assert http_server.max_active_transfers == 1
    assert len(list(tmp_path.rglob('*.nc'))) == 6


@pytest.mark.django_db(transaction=True)
def test_a_killed_process_leaves_no_download_and_the_next_run_resumes(
    http_server, make_dataset, settings_file, tmp_path, lock_backend, monkeypatch
):
    monkeypatch.setenv('GEOSPAAS_PROCESSING_LOCK_EXPIRY', '2')
    content = os.urandom(3_000_000)
    settings = settings_file({http_server.base_url: {'max_parallel_downloads': 1}})
    url = http_server.add_file('/slow.nc', content, rate=1.5e6)
    dataset = make_dataset('k1', [(url, HTTP)])
    victim = start(tmp_path, settings, 'k1')
    deadline = time.monotonic() + 30
    partials = []
    while time.monotonic() < deadline:
        partials = [p for p in tmp_path.rglob('*.part') if p.stat().st_size > 500_000]
        if partials:
            break
        time.sleep(0.05)
    assert partials, victim.communicate(timeout=5)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=10)
    http_server.files['/slow.nc'].rate = None

    [planned] = DownloadManager(tmp_path, settings, id=dataset.id).plan()
    assert not planned.present
    outcomes = DownloadManager(tmp_path, settings, slot_timeout=10, id=dataset.id).download_report()
    assert outcomes[0].status is DownloadStatus.DOWNLOADED and outcomes[0].path == 'k1/slow.nc'
    assert (tmp_path / 'k1' / 'slow.nc').read_bytes() == content
    resumed_from = int(http_server.requests[-1].headers['Range'].split('=')[1].rstrip('-'))
    assert resumed_from >= 500_000
    assert not list(tmp_path.rglob('*.part'))
