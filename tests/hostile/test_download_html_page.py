"""Hostile case (issue 17 item 12): a ``200 text/html`` login page for ``granule.nc``.

Providers behind a login (NASA Earthdata, Copernicus hubs) answer an expired session with
an HTML page and status 200. Saving it as the dataset would record a wrong file for good:
it is a per-dataset failure naming the content type, nothing recorded, tried again next run.
A provider that really serves HTML sets ``allow_html: true``.
"""

from __future__ import annotations

from geospaas_processing.downloaders import DownloadStatus, UnexpectedContentError
from geospaas_processing.downloaders.jobs import DownloadJob
from geospaas_processing.downloaders.provider_settings import ProviderSettingsRegistry, parse
from geospaas_processing.downloaders.transfers import Transfers

PAGE = b'<html><body><form action="/login">Sign in</form></body></html>'


def test_an_html_page_for_a_netcdf_name_fails_records_nothing_and_is_retried(http_server, tmp_path):
    url = http_server.add_file('/granule.nc', PAGE, content_type='text/html; charset=utf-8')
    job = DownloadJob.for_urls(url)
    with Transfers(tmp_path) as transfers:
        [outcome] = transfers.download([job])
        assert outcome.status is DownloadStatus.FAILED
        [(_, error)] = outcome.error.errors
        assert isinstance(error, UnexpectedContentError)
        assert 'text/html' in outcome.reason and 'allow_html' in outcome.reason
        assert [path for path in tmp_path.rglob('*') if path.is_file()] == []
        served = http_server.files['/granule.nc']
        served.content, served.content_type = b'CDF\x01 real data', 'application/x-netcdf'
        served.etag = '"fixed"'
        [again] = transfers.download([job])
    assert again.status is DownloadStatus.DOWNLOADED
    assert (tmp_path / again.path).read_bytes() == b'CDF\x01 real data'


def test_a_provider_allowing_html_gets_its_page(http_server, tmp_path):
    url = http_server.add_file('/report.nc', PAGE, content_type='text/html')
    settings = ProviderSettingsRegistry(parse({http_server.base_url: {'allow_html': True}}), 't')
    with Transfers(tmp_path, settings) as transfers:
        [outcome] = transfers.download([DownloadJob.for_urls(url)])
    assert outcome.status is DownloadStatus.DOWNLOADED
