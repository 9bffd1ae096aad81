"""FTPDownloader against pyftpdlib and LocalDownloader on paths and file:// URLs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geospaas_processing.downloaders import _transfer
from geospaas_processing.downloaders.errors import (
    AuthenticationError,
    DownloadError,
    ObsoleteURLError,
    RetriableDownloadError,
)
from geospaas_processing.downloaders.ftp import FTPDownloader
from geospaas_processing.downloaders.local import LocalDownloader
from geospaas_processing.downloaders.provider_settings import ProviderSettings

CONTENT = os.urandom(400_000)


def fetch(downloader_class, url: str, directory: Path, settings=None):
    with downloader_class(settings or ProviderSettings()) as downloader:
        return _transfer.fetch(downloader, url, directory)


def test_ftp_with_settings_credentials(ftp_server, tmp_path):
    (ftp_server.root / 'sub').mkdir()
    (ftp_server.root / 'sub' / 'a.nc').write_bytes(CONTENT)
    settings = ProviderSettings(username=ftp_server.username, password=ftp_server.password)
    path, size = fetch(FTPDownloader, ftp_server.url('sub/a.nc'), tmp_path, settings)
    assert path == tmp_path / 'a.nc' and path.read_bytes() == CONTENT and size == len(CONTENT)
    with FTPDownloader(settings) as downloader:
        assert downloader.size(ftp_server.url('sub/a.nc')) == len(CONTENT)


def test_ftp_credentials_from_the_url_stay_out_of_errors(ftp_server, tmp_path):
    url = ftp_server.url('missing.nc', with_credentials=True)
    with pytest.raises(ObsoleteURLError) as raised:
        fetch(FTPDownloader, url, tmp_path)
    assert ftp_server.password not in str(raised.value) and ftp_server.password not in repr(
        raised.value.url
    )
    assert list(tmp_path.iterdir()) == []


def test_ftp_wrong_password(ftp_server, tmp_path):
    settings = ProviderSettings(username=ftp_server.username, password='not-it-123')
    with pytest.raises(AuthenticationError):
        fetch(FTPDownloader, ftp_server.url('a.nc'), tmp_path, settings)


def test_ftp_resumes_an_interrupted_file(ftp_server, tmp_path):
    from geospaas_processing.downloaders._files import PartialFiles

    (ftp_server.root / 'r.nc').write_bytes(CONTENT)
    settings = ProviderSettings(username=ftp_server.username, password=ftp_server.password)
    url = ftp_server.url('r.nc')
    with FTPDownloader(settings) as downloader:
        remote = downloader.open(url)
        remote.close()
    partial = PartialFiles.for_url(tmp_path, url)
    partial.data.write_bytes(CONTENT[:123_456])
    partial.write_validator(remote.validator)
    path, _ = fetch(FTPDownloader, url, tmp_path, settings)
    assert path.read_bytes() == CONTENT


def test_ftp_unreachable_is_retriable(tmp_path):
    with pytest.raises(RetriableDownloadError):
        fetch(FTPDownloader, 'ftp://127.0.0.1:9/x.nc', tmp_path)


def test_local_paths_and_file_urls(tmp_path):
    source = tmp_path / 'source dir' / 'local.nc'
    source.parent.mkdir()
    source.write_bytes(CONTENT)
    path, _ = fetch(LocalDownloader, str(source), tmp_path / 'a')
    assert path.read_bytes() == CONTENT
    path, _ = fetch(LocalDownloader, source.as_uri(), tmp_path / 'b')
    assert path.read_bytes() == CONTENT and path.name == 'local.nc'
    with pytest.raises(ObsoleteURLError):
        fetch(LocalDownloader, str(tmp_path / 'nothing.nc'), tmp_path / 'c')
    with pytest.raises(DownloadError, match='directory'):
        fetch(LocalDownloader, str(source.parent), tmp_path / 'd')


def test_registry_by_scheme_and_service():
    from geospaas_processing.downloaders.base import registry
    from geospaas_processing.downloaders.http import HTTPDownloader

    assert registry.downloader_class('https://a.org/x', 'OPENDAP') is HTTPDownloader
    assert registry.downloader_class('/data/x.nc', 'local') is LocalDownloader
    assert registry.downloader_class('file:///data/x.nc') is LocalDownloader
    with pytest.raises(DownloadError, match='WMS'):
        registry.downloader_class('https://a.org/wms', 'WMS')
    with pytest.raises(ValueError, match='already'):
        registry.register('x:Y', schemes=('https',))
