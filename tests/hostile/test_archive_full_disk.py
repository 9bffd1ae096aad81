"""``archive()`` on a full disk leaves the original and no half-written archive.

A 1 MiB tmpfs (mounting needs root; skipped otherwise, with the reason) holds a file that
does not compress. Reference: GNU tar 1.34 ``tar -czf`` on the same disk fails (exit 2,
"Wrote only N of 10240 bytes" or gzip's "No space left on device") and leaves a truncated
archive under the final name; the package leaves neither a truncated archive nor a partial
file, and keeps the original.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from geospaas_processing.ops import ArchiveError, archive
from tests.helpers import mounted_tmpfs


def test_archive_onto_a_full_disk_keeps_the_original_and_no_partial(tmp_path: Path) -> None:
    disk = tmp_path / 'disk'
    disk.mkdir()
    with mounted_tmpfs(disk, '1m'):
        original = disk / 'noise.nc'
        original.write_bytes(os.urandom(600 * 1024))  # random bytes do not compress
        if shutil.which('tar'):
            gnu = subprocess.run(['tar', '-czf', 'gnu.tar.gz', 'noise.nc'], cwd=disk)
            assert gnu.returncode != 0 and (disk / 'gnu.tar.gz').exists()
            (disk / 'gnu.tar.gz').unlink()
        content = original.read_bytes()

        with pytest.raises(ArchiveError, match='No space left on device'):
            archive(original)

        assert sorted(path.name for path in disk.iterdir()) == ['noise.nc']
        assert original.read_bytes() == content
