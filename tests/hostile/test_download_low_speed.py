"""Hostile case (issue 17 item 10): a server trickling or stalling holds no slot for ever.

curl's ``--speed-limit``/``--speed-time`` (curl(1), "-Y, --speed-limit" and "-y,
--speed-time") is the model: below ``low_speed_limit`` bytes per second for
``low_speed_time`` seconds, the transfer gives up. Here it gives up with a retriable error,
keeps its partial file, frees its provider slot, and the next attempt resumes.
"""

from __future__ import annotations

import os

from geospaas_processing.downloaders import DownloadStatus, LowSpeedError, RetriableDownloadError
from geospaas_processing.downloaders.jobs import DownloadJob
from geospaas_processing.downloaders.provider_settings import ProviderSettingsRegistry, parse
from geospaas_processing.downloaders.transfers import Transfers

CONTENT = os.urandom(3_000_000)
FAST_PART = 1_500_000


def transfers(directory, base_url: str) -> Transfers:
    settings = parse(
        {
            base_url: {
                'max_parallel_downloads': 1,
                'low_speed_limit': 1000,
                'low_speed_time': 1.5,
            }
        }
    )
    return Transfers(directory, ProviderSettingsRegistry(settings, 'test'))


def partial_files(directory):
    return [
        path
        for path in directory.rglob('*.part')
        if path.stat().st_size > 0 and not path.name.endswith('.resume.part')
    ]


def test_a_trickling_server_fails_retriably_keeps_the_partial_and_frees_the_slot(
    http_server, tmp_path
):
    served = http_server.add_file(
        '/trickle.nc', CONTENT, trickle_after=FAST_PART, trickle_interval=0.2
    )
    other = http_server.add_file('/other.nc', b'other file' * 100)
    with transfers(tmp_path, http_server.base_url) as session:
        [outcome] = session.download([DownloadJob.for_urls(served)])
        assert outcome.status is DownloadStatus.FAILED
        [(_, error)] = outcome.error.errors
        assert isinstance(error, LowSpeedError) and 'low-speed limit' in str(error)
        assert isinstance(outcome.error, RetriableDownloadError)
        [partial] = partial_files(tmp_path)
        kept = partial.stat().st_size
        assert kept >= FAST_PART
        # The provider allows one transfer at a time: a second one gets the slot at once.
        [next_outcome] = session.download([DownloadJob.for_urls(other)])
        assert next_outcome.status is DownloadStatus.DOWNLOADED
        http_server.files['/trickle.nc'].trickle_after = None  # the server recovers
        [resumed] = session.download([DownloadJob.for_urls(served)])
    assert resumed.status is DownloadStatus.DOWNLOADED
    assert (tmp_path / resumed.path).read_bytes() == CONTENT
    assert http_server.requests[-1].headers['Range'] == f'bytes={kept}-'


def test_a_stalled_server_times_out_retriably_after_the_low_speed_time(http_server, tmp_path):
    served = http_server.add_file(
        '/stall.nc', CONTENT, trickle_after=FAST_PART, trickle_interval=3600
    )
    with transfers(tmp_path, http_server.base_url) as session:
        [outcome] = session.download([DownloadJob.for_urls(served)])
    assert outcome.status is DownloadStatus.FAILED
    assert isinstance(outcome.error, RetriableDownloadError)
    assert partial_files(tmp_path)
