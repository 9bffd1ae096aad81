"""Hostile case (issue 17 item 9): an absurd ``Retry-After`` cannot overflow or park a task.

RFC 9110 section 10.2.3 allows delay-seconds or an HTTP-date and bounds neither. A server
answering ``Retry-After: 1e20`` or a date in year 9999 gets its wait cut to the backoff
maximum (:data:`geospaas_processing.httpclient.RETRY_AFTER_MAX`).
"""

from __future__ import annotations

import pytest

from geospaas_processing.downloaders import RetriableDownloadError
from geospaas_processing.downloaders.jobs import DownloadJob
from geospaas_processing.downloaders.transfers import Transfers
from geospaas_processing.errors import TemporaryError
from geospaas_processing.httpclient import RETRY_AFTER_MAX


@pytest.mark.parametrize(
    'retry_after', ['1e20', '99999999999999999999999', 'Fri, 31 Dec 9999 23:59:59 GMT']
)
def test_an_absurd_retry_after_is_cut_to_the_backoff_maximum(http_server, tmp_path, retry_after):
    url = http_server.add_file('/busy.nc', b'x' * 100, statuses=[503], retry_after=retry_after)
    with Transfers(tmp_path) as transfers:
        [outcome] = transfers.download([DownloadJob.for_urls(url)])
    assert isinstance(outcome.error, RetriableDownloadError)
    assert isinstance(outcome.error, TemporaryError)
    assert outcome.error.retry_after == RETRY_AFTER_MAX
