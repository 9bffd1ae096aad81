"""The downloader contract for local paths and file:// URLs."""

from __future__ import annotations

import pytest

from geospaas_processing.downloaders.local import LocalDownloader
from geospaas_processing.downloaders.provider_settings import ProviderSettings
from tests.downloaders.contract import DownloaderContract, Remote


@pytest.fixture
def remote(tmp_path_factory) -> Remote:
    source = tmp_path_factory.mktemp('source')

    def publish(name: str, content: bytes) -> str:
        (source / name).write_bytes(content)
        return (source / name).as_uri()

    return Remote(LocalDownloader, publish, ProviderSettings())


class TestLocalContract(DownloaderContract):
    """Local files pass the contract (no credentials, no connection to cut)."""
