"""The downloader contract for FTP, against pyftpdlib on loopback."""

from __future__ import annotations

import pytest

from geospaas_processing.downloaders.ftp import FTPDownloader
from geospaas_processing.downloaders.provider_settings import ProviderSettings
from tests.downloaders.contract import DownloaderContract, Remote


@pytest.fixture
def remote(ftp_server) -> Remote:
    def publish(name: str, content: bytes) -> str:
        (ftp_server.root / name).write_bytes(content)
        return ftp_server.url(name)

    def settings(password: str) -> ProviderSettings:
        return ProviderSettings(username=ftp_server.username, password=password)

    return Remote(
        FTPDownloader,
        publish,
        settings(ftp_server.password),
        bad_settings=settings('wrong-secret-PW9'),
        secret='wrong-secret-PW9',
        cut=ftp_server.cut,
        stall=ftp_server.stall,
    )


class TestFTPContract(DownloaderContract):
    """FTP passes the contract."""
