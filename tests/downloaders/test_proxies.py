"""Proxies from the environment (``HTTP_PROXY``, ``NO_PROXY``) apply to every download.

The loopback server stands in for the proxy: a client sends a proxy the request target in
absolute form (RFC 9112, section 3.2.2), which the server answers like an origin server.
"""

from __future__ import annotations

import pytest

from geospaas_processing.downloaders import _transfer
from geospaas_processing.downloaders.errors import RetriableDownloadError
from geospaas_processing.downloaders.http import HTTPDownloader
from geospaas_processing.downloaders.provider_settings import ProviderSettings

# .invalid never resolves (RFC 6761, section 6.4): only a proxy can answer for it.
URL = 'http://data.invalid/granule.nc'


@pytest.fixture
def proxy(http_server, monkeypatch):
    http_server.add_file('/granule.nc', b'through the proxy')
    for name in ('HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('HTTP_PROXY', http_server.base_url)
    return http_server


def test_every_request_goes_through_the_proxy_of_the_environment(proxy, tmp_path):
    with HTTPDownloader(ProviderSettings()) as downloader:
        for index in range(3):
            path, _ = _transfer.fetch(downloader, URL, tmp_path / str(index))
            assert path.read_bytes() == b'through the proxy'
    assert [record.path for record in proxy.requests] == ['/granule.nc'] * 3


def test_no_proxy_hosts_are_reached_directly(proxy, tmp_path, monkeypatch):
    monkeypatch.setenv('NO_PROXY', 'data.invalid')
    with HTTPDownloader(ProviderSettings()) as downloader:
        with pytest.raises(RetriableDownloadError, match='could not reach'):
            _transfer.fetch(downloader, URL, tmp_path)
    assert proxy.requests == []
