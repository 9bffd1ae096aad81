"""A copy onto a full disk leaves nothing half-written (issue 17: nothing lost or half-written).

A 1 MiB tmpfs (mounting needs root; skipped otherwise, with the reason) is the destination.
Reference: rsync writes each file to a temporary ``.NAME.XXXXXX`` and, on "No space left on
device (28)", removes it (rsync(1), ``--partial`` is what would keep it); the same run of
rsync is made here on the same input and must leave the disk as clean as ``copy_to`` does.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from geospaas_processing.copiers import RECORD_LOCK_NAME, RECORD_NAME, copy_to
from tests.helpers import mounted_tmpfs

MIB = 1024 * 1024


def test_copy_onto_a_full_disk_fails_alone_and_leaves_no_partial_file(tmp_path: Path) -> None:
    big = tmp_path / 'src' / 'big.nc'
    big.parent.mkdir()
    big.write_bytes(b'x' * 2 * MIB)
    small = tmp_path / 'src' / 'small.nc'
    small.write_bytes(b'y' * 1024)
    disk = tmp_path / 'disk'
    disk.mkdir()
    with mounted_tmpfs(disk, '1m'):
        outcomes = copy_to([big, small], disk / 'ours')
        ours = sorted(path.name for path in (disk / 'ours').iterdir())
        if shutil.which('rsync'):
            rsync = subprocess.run(
                ['rsync', str(big), str(disk / 'rsync') + '/'], capture_output=True, text=True
            )
            assert rsync.returncode != 0 and 'No space left on device' in rsync.stderr
            assert list((disk / 'rsync').iterdir()) == []

    assert [(outcome.status, outcome.source.name) for outcome in outcomes] == [
        ('failed', 'big.nc'),
        ('copied', 'small.nc'),
    ]
    assert 'No space left on device' in outcomes[0].reason
    assert ours == sorted([RECORD_LOCK_NAME, RECORD_NAME, 'small.nc'])
