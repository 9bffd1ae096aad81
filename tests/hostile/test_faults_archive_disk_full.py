"""``archive`` on a full disk is retried like ``download`` (issue 17 item 26).

Before: the archive task failed for good on ENOSPC. Now a full disk is retried a few times
(``DISK_FULL_COUNTDOWN_SECONDS`` apart, capped by ``GEOSPAAS_PROCESSING_RETRY_MAX_COUNTDOWN``)
and the archive is made once room comes back. A tmpfs of 2 MiB is the full disk.
"""

from __future__ import annotations

import errno
import os
import tarfile
import threading

import pytest

from geospaas_processing.tasks import _policy, core
from tests.helpers import mounted_tmpfs
from tests.tasks import conftest as task_fixtures

task_environment = task_fixtures.task_environment


def fill(directory, name: str) -> None:
    """Write ``name`` in ``directory`` until the disk is full."""
    with open(directory / name, 'wb') as filler:
        try:
            while True:
                filler.write(b'\0' * 65536)
                filler.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def test_archive_disk_full(task_environment, tmp_path, monkeypatch):
    work = tmp_path / 'small-disk'
    work.mkdir()
    with mounted_tmpfs(work, '2m'):
        monkeypatch.setenv('GEOSPAAS_PROCESSING_WORK_DIR', str(work))
        monkeypatch.setenv('GEOSPAAS_PROCESSING_RETRY_MAX_COUNTDOWN', '1')
        data = os.urandom(600_000)  # random bytes: gzip cannot shrink them
        (work / 'ds').mkdir()
        (work / 'ds' / 'granule.nc').write_bytes(data)
        fill(work, 'filler')

        # Full disk, never freed: the task gives up after DISK_FULL_MAX_RETRIES, naming it.
        with pytest.raises(_policy.WorkDiskFull, match='no room left on the disk'):
            core.archive((7, 'ds/granule.nc'))
        assert (work / 'ds' / 'granule.nc').read_bytes() == data
        assert sorted(p.name for p in (work / 'ds').iterdir()) == ['granule.nc']

        # Room comes back while the task waits: the archive is made.
        threading.Timer(1.5, (work / 'filler').unlink).start()
        dataset_id, archived = core.archive((7, 'ds/granule.nc'))
        assert (dataset_id, archived) == (7, 'ds/granule.nc.tar.gz')
        with tarfile.open(work / archived) as tar:
            assert tar.extractfile('granule.nc').read() == data
        assert not (work / 'ds' / 'granule.nc').exists()
