"""Hostile case (issue 17 item 5): a catalog URI naming a private local file.

A remote provider once made a worker copy ``file:///.../secret`` (mode 0600) into the work
directory as 0644. The local downloader reads only under ``GEOSPAAS_PROCESSING_LOCAL_SOURCE_DIRS``;
anything else is that dataset's failure, naming the variable, and nothing is written.
rsync's ``--safe-links`` drops links leading out of the tree for the same reason: a link
inside an allowed directory pointing elsewhere is refused too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from geospaas_processing.downloaders import DownloadStatus
from geospaas_processing.downloaders.jobs import DownloadJob
from geospaas_processing.downloaders.transfers import Transfers


@pytest.mark.parametrize('form', ['file_url', 'bare_path', 'link_out'])
def test_a_local_file_outside_the_allowed_directories_is_not_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    allowed = tmp_path / 'archive'
    allowed.mkdir()
    secret = tmp_path / 'secret'
    secret.write_text('private key')
    secret.chmod(0o600)
    (allowed / 'escape.nc').symlink_to(secret)
    monkeypatch.setenv('GEOSPAAS_PROCESSING_LOCAL_SOURCE_DIRS', str(allowed))
    uri = {
        'file_url': secret.as_uri(),
        'bare_path': str(secret),
        'link_out': str(allowed / 'escape.nc'),
    }[form]
    target = tmp_path / 'downloads'

    with Transfers(target) as transfers:
        [outcome] = transfers.download([DownloadJob.for_urls(uri, entry_id='granule')])

    assert outcome.status is DownloadStatus.FAILED
    assert 'GEOSPAAS_PROCESSING_LOCAL_SOURCE_DIRS' in outcome.reason
    assert [path for path in target.rglob('*') if path.is_file()] == []


def test_a_local_file_under_an_allowed_directory_is_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    allowed = tmp_path / 'archive'
    allowed.mkdir()
    (allowed / 'granule.nc').write_bytes(b'CDF\x01 data')
    monkeypatch.setenv('GEOSPAAS_PROCESSING_LOCAL_SOURCE_DIRS', str(allowed))

    with Transfers(tmp_path / 'downloads') as transfers:
        [outcome] = transfers.download([DownloadJob.for_urls((allowed / 'granule.nc').as_uri())])

    assert outcome.status is DownloadStatus.DOWNLOADED
    assert (tmp_path / 'downloads' / outcome.path).read_bytes() == b'CDF\x01 data'
