"""Hostile case (issue 17 item 13): one dataset directory cannot be written.

It is that dataset's failure, naming the directory; the other datasets are downloaded and
the command's summary lists the failure (exit status 1, no traceback).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from datetime import UTC, datetime

import pytest

from geospaas_processing.catalog import services
from geospaas_processing.catalog.records import DatasetRecord, create_dataset
from tests.helpers import catalog_environment, run_command


@contextlib.contextmanager
def unwritable(directory):
    """Make ``directory`` unwritable, for root too (an immutable inode), then restore it."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        try:
            yield
        finally:
            directory.chmod(0o755)
        return
    if shutil.which('chattr') is None:
        pytest.skip('chattr (e2fsprogs) is needed to make a directory unwritable for root')
    result = subprocess.run(['chattr', '+i', str(directory)], capture_output=True, check=False)
    if result.returncode != 0:
        pytest.skip(f'this file system has no immutable flag: {result.stderr.decode().strip()}')
    try:
        yield
    finally:
        subprocess.run(['chattr', '-i', str(directory)], check=True)


@pytest.mark.django_db(transaction=True)
def test_an_unwritable_dataset_directory_fails_that_dataset_only(http_server, tmp_path):
    for name in ('first', 'locked', 'last'):
        url = http_server.add_file(f'/{name}.nc', name.encode() * 100)
        create_dataset(
            DatasetRecord(
                name,
                datetime(2024, 3, 1, tzinfo=UTC),
                datetime(2024, 3, 1, 12, tzinfo=UTC),
                'POLYGON((0 60,10 60,10 70,0 70,0 60))',
                uris=[(url, services.HTTP_SERVICE)],
            )
        )
    out = tmp_path / 'out'
    (out / 'locked').mkdir(parents=True)
    with unwritable(out / 'locked'):
        result = run_command(
            [
                'geospaas_processing.cli.download',
                '-d',
                str(out),
                '-b',
                '2024-03-01',
                '-e',
                '2024-03-02',
            ],
            catalog_environment(),
        )
    assert result.returncode == 1, result.stderr
    assert 'Traceback' not in result.stderr
    assert 'failed: locked: ' in result.stdout and str(out / 'locked') in result.stdout
    assert 'downloaded: 2' in result.stdout and 'failed: 1' in result.stdout
    assert (out / 'first' / 'first.nc').exists() and (out / 'last' / 'last.nc').exists()
