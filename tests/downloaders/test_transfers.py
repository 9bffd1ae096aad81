"""The transfer side without a catalog: URLs in, files out, progress, cancel, connection reuse."""

from __future__ import annotations

import os
import threading

from geospaas_processing.downloaders import DownloadStatus
from geospaas_processing.downloaders.jobs import DownloadJob
from geospaas_processing.downloaders.progress import TransferProgress
from geospaas_processing.downloaders.transfers import Transfers
from tests.helpers import wait_until

CONTENT = os.urandom(3_000_000)


class Recorder(TransferProgress):
    def __init__(self, cancel: threading.Event | None = None) -> None:
        self.events: list[tuple] = []
        self.cancel = cancel

    def start(self, key, size, offset):
        self.events.append(('start', key, size, offset))

    def advance(self, key, count):
        self.events.append(('advance', key, count))
        if self.cancel is not None:
            self.cancel.set()

    def finish(self, key, completed):
        self.events.append(('finish', key, completed))


def test_a_list_of_urls_downloads_without_any_database(http_server, tmp_path):
    urls = [
        http_server.add_file(f'/f{index}.nc', CONTENT[: 1000 * (index + 1)]) for index in range(5)
    ]
    with Transfers(tmp_path, max_workers=2) as transfers:
        outcomes = list(transfers.download(DownloadJob.for_urls(url) for url in urls))
    assert [outcome.status for outcome in outcomes] == [DownloadStatus.DOWNLOADED] * 5
    assert [outcome.path for outcome in outcomes] == [f'f{i}.nc/f{i}.nc' for i in range(5)]
    assert (tmp_path / 'f4.nc' / 'f4.nc').read_bytes() == CONTENT[:5000]


def test_cancel_stops_the_transfer_in_flight_keeps_its_partial_and_a_rerun_resumes(
    http_server, tmp_path
):
    url = http_server.add_file('/big.nc', CONTENT, rate=4_000_000)
    cancel = threading.Event()
    recorder = Recorder(cancel)
    queued = http_server.add_file('/queued.nc', b'never started')
    with Transfers(tmp_path, max_workers=1, progress=recorder, cancel=cancel) as transfers:
        outcomes = list(
            transfers.download([DownloadJob.for_urls(url), DownloadJob.for_urls(queued)])
        )
    assert outcomes[0].status is DownloadStatus.CANCELLED
    assert all(outcome.status is not DownloadStatus.DOWNLOADED for outcome in outcomes)
    assert not any(request.path == '/queued.nc' for request in http_server.requests)
    assert recorder.events[-1] == ('finish', 'big.nc', False)
    partial = [p for p in tmp_path.rglob('.download-*.part') if not p.name.endswith('.resume.part')]
    kept = partial[0].stat().st_size
    assert 0 < kept < len(CONTENT)
    resumed = Recorder()
    with Transfers(tmp_path, progress=resumed) as transfers:
        [outcome] = transfers.download([DownloadJob.for_urls(url)])
    assert outcome.status is DownloadStatus.DOWNLOADED
    assert resumed.events[0] == ('start', 'big.nc', len(CONTENT), kept)  # says where it resumed
    assert (tmp_path / outcome.path).read_bytes() == CONTENT


def test_a_dry_run_probes_sizes_on_kept_alive_connections(http_server, tmp_path):
    urls = [http_server.add_file(f'/p{index}.nc', CONTENT[:100]) for index in range(40)]
    with Transfers(tmp_path) as transfers:
        planned = list(
            transfers.plan((DownloadJob.for_urls(url) for url in urls), probe_sizes=True)
        )
    assert [item.size for item in planned] == [100] * 40
    assert [request.method for request in http_server.requests] == ['HEAD'] * 40
    # Bounded concurrency, connections reused: at most one connection per probing thread.
    from geospaas_processing.downloaders.transfers import PROBE_WORKERS

    assert http_server.connections <= PROBE_WORKERS


def test_downloading_many_files_from_one_server_reuses_connections(http_server, tmp_path):
    urls = [http_server.add_file(f'/k{index}.nc', CONTENT[:2000]) for index in range(30)]
    with Transfers(tmp_path, max_workers=2) as transfers:
        outcomes = list(transfers.download(DownloadJob.for_urls(url) for url in urls))
    assert all(outcome.status is DownloadStatus.DOWNLOADED for outcome in outcomes)
    assert http_server.connections <= 2


def test_a_completed_download_is_protected_by_its_dataset_lock(http_server, tmp_path):
    """Free-space management must find whose lock guards a download (issue 17 item 3)."""
    from geospaas_processing import locks
    from geospaas_processing.storage import is_deletable_download

    url = http_server.add_file('/granule.nc', CONTENT[:1000])
    job = DownloadJob(4242, 'granule', None, ((url, None),))
    with Transfers(tmp_path) as transfers:
        [outcome] = transfers.download([job])
    directory = (tmp_path / outcome.path).parent
    with locks.dataset_lock(4242):
        assert not is_deletable_download(directory)
    with locks.dataset_lock(4243):  # another dataset's lock does not protect this one
        assert is_deletable_download(directory)


def test_a_downloaded_file_gets_the_permissions_of_a_normally_created_file(http_server, tmp_path):
    """umask decides, as for ``curl -o`` (issue 17 item 15): a group-writable umask gives 664."""
    url = http_server.add_file('/granule.nc', CONTENT[:1000])
    previous = os.umask(0o002)
    try:
        with Transfers(tmp_path) as transfers:
            [outcome] = transfers.download([DownloadJob.for_urls(url)])
    finally:
        os.umask(previous)
    assert (tmp_path / outcome.path).stat().st_mode & 0o777 == 0o664


def test_a_cancel_cuts_a_transfer_whose_server_went_silent_and_frees_its_slot(
    http_server, tmp_path, settings_file
):
    """Issue 13 item 4: a read waiting on a silent server does not hold a cancel.

    With ``low_speed_time: 3600`` the read would wait for data up to the downloader's read
    timeout (120 s); the run ends far sooner (the 30 s this test waits) only because the
    cancel cuts the connection. The transfer is cancelled, not failed, its partial file is
    kept, and the provider's only slot is free again for the next run.
    """
    half = len(CONTENT) // 2
    stalled = http_server.add_file(
        '/stalled.nc', CONTENT, trickle_after=half, trickle_interval=3600
    )
    other = http_server.add_file('/other.nc', CONTENT[:1000])
    settings = settings_file(
        {http_server.base_url: {'low_speed_time': 3600, 'max_parallel_downloads': 1}}
    )
    cancel = threading.Event()
    outcomes = []

    def run() -> None:
        with Transfers(tmp_path, settings, cancel=cancel) as transfers:
            outcomes.extend(transfers.download([DownloadJob.for_urls(stalled)]))

    def partial_sizes() -> list[int]:
        return [
            path.stat().st_size
            for path in tmp_path.rglob('.download-*.part')
            if not path.name.endswith('.resume.part')
        ]

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    wait_until(lambda: partial_sizes() == [half])  # the rest never comes
    cancel.set()
    thread.join(30)
    assert not thread.is_alive(), 'the cancel did not cut the read waiting on the server'
    assert [outcome.status for outcome in outcomes] == [DownloadStatus.CANCELLED]
    assert partial_sizes() == [half]  # kept for the resume
    with Transfers(tmp_path, settings, slot_timeout=0) as transfers:
        [outcome] = transfers.download([DownloadJob.for_urls(other)])
    assert outcome.status is DownloadStatus.DOWNLOADED, outcome.reason  # the slot came back
