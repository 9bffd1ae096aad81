"""Errors the original geospaas_processing raised as RuntimeError or ValueError still are.

Users' code catches the built-in types upstream raised (django-geo-spaas-processing:
``tasks/core.py`` raises RuntimeError for missing FTP settings and for a corrupted archive;
``downloaders.py`` raises ValueError("Too many datasets to download")). The package's own
classes derive from those types as well as from the package's roots.
"""

from __future__ import annotations

import pytest

from geospaas_processing import config
from geospaas_processing.downloaders import DownloadManager
from geospaas_processing.ops.archive import unarchive
from tests.helpers import make_dataset


def test_a_configuration_error_is_a_runtime_error(monkeypatch):
    monkeypatch.setenv('GEOSPAAS_PROCESSING_LOGGING_PORT', 'not-a-port')
    with pytest.raises(RuntimeError, match='GEOSPAAS_PROCESSING_LOGGING_PORT'):
        config.get_int('GEOSPAAS_PROCESSING_LOGGING_PORT')


def test_a_corrupted_archive_is_a_runtime_error(tmp_path):
    corrupted = tmp_path / 'product.tar.gz'
    corrupted.write_bytes(b'\x1f\x8b\x08\x00' + b'not gzip data' * 10)
    with pytest.raises(RuntimeError):
        unarchive(corrupted)


@pytest.mark.django_db
def test_too_many_datasets_is_a_value_error(tmp_path):
    make_dataset('first')
    make_dataset('second')
    manager = DownloadManager(download_directory=tmp_path, max_downloads=1)
    with pytest.raises(ValueError, match='2'):
        manager.download()
    assert list(tmp_path.iterdir()) == []
