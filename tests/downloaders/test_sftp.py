"""SFTPDownloader against OpenSSH's sshd on loopback, configured through ~/.ssh/config."""

from __future__ import annotations

import os

import pytest

from geospaas_processing.downloaders import _transfer
from geospaas_processing.downloaders.errors import DownloadError, ObsoleteURLError
from geospaas_processing.downloaders.provider_settings import ProviderSettings
from geospaas_processing.downloaders.sftp import SFTPDownloader
from tests.downloaders.test_contract_sftp import ssh_home  # noqa: F401 - a fixture

CONTENT = os.urandom(700_000)


@pytest.mark.usefixtures('ssh_home')
def test_sftp_download_through_a_host_alias(sshd_server, tmp_path):
    source = sshd_server.root / 'sftp_test.nc'
    source.write_bytes(CONTENT)
    url = f'sftp://{sshd_server.alias}{source}'
    with SFTPDownloader(ProviderSettings()) as downloader:
        path, size = _transfer.fetch(downloader, url, tmp_path / 'out')
        assert downloader.size(url) == len(CONTENT)
        with pytest.raises(ObsoleteURLError):
            _transfer.fetch(downloader, f'{url}.missing', tmp_path / 'out2')
    assert path.read_bytes() == CONTENT and size == len(CONTENT)


@pytest.mark.usefixtures('ssh_home')
def test_sftp_resumes_from_a_partial_file(sshd_server, tmp_path):
    from geospaas_processing.downloaders._files import PartialFiles

    source = sshd_server.root / 'sftp_resume.nc'
    source.write_bytes(CONTENT)
    url = f'sftp://{sshd_server.alias}{source}'
    partial = PartialFiles.for_url(tmp_path, url)
    partial.data.write_bytes(CONTENT[:300_000])
    status = source.stat()
    partial.write_validator(f'{status.st_size}:{int(status.st_mtime)}')
    path, _ = _transfer.fetch(SFTPDownloader(ProviderSettings()), url, tmp_path)
    assert path.read_bytes() == CONTENT


def test_sftp_refuses_an_unknown_host_key(sshd_server, tmp_path, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path))  # no ~/.ssh/config, no known hosts
    url = f'sftp://127.0.0.1:{sshd_server.port}{sshd_server.root}/x.nc'
    with pytest.raises(DownloadError, match='known_hosts'):
        _transfer.fetch(SFTPDownloader(ProviderSettings()), url, tmp_path / 'out')
