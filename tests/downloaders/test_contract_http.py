"""The downloader contract for HTTP, against the loopback HTTP server (Basic auth)."""

from __future__ import annotations

import pytest

from geospaas_processing.downloaders.http import HTTPDownloader
from geospaas_processing.downloaders.provider_settings import ProviderSettings
from tests.downloaders.contract import DownloaderContract, Remote


@pytest.fixture
def remote(http_server) -> Remote:
    def publish(name: str, content: bytes) -> str:
        return http_server.add_file(f'/data/{name}', content, auth='basic')

    def settings(password: str) -> ProviderSettings:
        return ProviderSettings(
            prefix=http_server.base_url, username=http_server.username, password=password
        )

    return Remote(
        HTTPDownloader,
        publish,
        settings(http_server.password),
        bad_settings=settings('wrong-secret-PW9'),
        secret='wrong-secret-PW9',
        cut=http_server.cut,
        stall=http_server.stall,
    )


class TestHTTPContract(DownloaderContract):
    """HTTP passes the contract."""
