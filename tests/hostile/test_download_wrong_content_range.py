"""Hostile case (issue 17 item 11): a 206 answer for another range than the one asked for.

RFC 9110 section 14.4 (Content-Range) and 15.3.7 (206 Partial Content): the answer must
cover the range requested. When it does not, the partial file cannot be continued: it is
dropped and the download starts again from byte 0, instead of failing on every run.
"""

from __future__ import annotations

import os

from geospaas_processing.downloaders import DownloadStatus
from geospaas_processing.downloaders.jobs import DownloadJob
from geospaas_processing.downloaders.transfers import Transfers

CONTENT = os.urandom(3_000_000)


def test_a_wrong_content_range_drops_the_partial_file_and_restarts(http_server, tmp_path):
    url = http_server.add_file('/granule.nc', CONTENT, drop_after=1_200_000, drops=1)
    job = DownloadJob.for_urls(url)
    with Transfers(tmp_path) as transfers:
        [cut] = transfers.download([job])
        assert cut.status is DownloadStatus.FAILED  # the connection was cut: partial kept
        http_server.files['/granule.nc'].wrong_range = True
        [outcome] = transfers.download([job])
    assert outcome.status is DownloadStatus.DOWNLOADED, outcome.reason
    assert (tmp_path / outcome.path).read_bytes() == CONTENT
    ranged, restarted = http_server.requests[-2:]
    assert ranged.headers['Range'] == 'bytes=1200000-' and 'Range' not in restarted.headers
    assert not list(tmp_path.rglob('*.part'))
