"""Making room deletes only what nobody uses (issue 17, items 3 and 4).

Local: a small tmpfs (mounting needs root; skipped otherwise, with the reason) stands for a
full work directory; another process holds a dataset lock, as a running crop task does.
Remote: the tests' OpenSSH server on loopback (tests/servers/sshd.py).

Reference: POSIX ``unlink()`` frees a file's space only "when the file's link count becomes
0" (POSIX.1-2017, unlink): deleting one name of a hard-linked file frees nothing and loses a
name someone made on purpose. ``rsync --delete`` and ``tmpreaper`` have no notion of files in
use; the package's rule is stricter than both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from geospaas_processing.storage import (
    DOWNLOAD_RECORD_NAME,
    LocalStorage,
    NotEnoughSpaceError,
    RemoteStorage,
)
from tests.helpers import mounted_tmpfs

KIB = 1024
DISK = 2048 * KIB
HOLD_LOCK = """
import sys, time
from geospaas_processing import locks
with locks.dataset_lock(int(sys.argv[1])):
    print('held', flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def full_work_dir(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs as the work directory."""
    mount_point = tmp_path / 'work'
    mount_point.mkdir()
    with mounted_tmpfs(mount_point, str(DISK)) as mounted:
        yield mounted


def _old_file(path: Path, size: int = 256 * KIB, age: float = 10_000) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'x' * size)
    os.utime(path, (time.time() - age, time.time() - age))
    return path


def _completed_download(directory: Path, dataset_id: int, age: float) -> Path:
    path = _old_file(directory / 'granule.nc', age=age)
    manifest = {'file': path.name, 'size': path.stat().st_size, 'dataset_id': dataset_id}
    (directory / DOWNLOAD_RECORD_NAME).write_text(json.dumps(manifest))
    return path


def test_free_space_keeps_the_old_file_of_a_dataset_another_process_is_processing(
    full_work_dir: Path,
) -> None:
    """The issue's case: the oldest download belongs to a dataset a task holds locked."""
    busy = _completed_download(full_work_dir / 'busy_dataset', 41, age=90_000)
    idle = _completed_download(full_work_dir / 'idle_dataset', 42, age=10_000)
    holder = subprocess.Popen(
        [sys.executable, '-c', HOLD_LOCK, '41'],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert holder.stdout.readline().strip() == 'held'
        local = LocalStorage(full_work_dir)
        deleted = local.free_space(local.get_free_space() + 100 * KIB)
        with pytest.raises(NotEnoughSpaceError):
            local.free_space(local.get_free_space() + 100 * KIB)
    finally:
        holder.communicate('', timeout=30)

    assert deleted == [idle]
    assert busy.read_bytes() == b'x' * 256 * KIB


def test_free_space_deletes_no_result_that_is_not_a_completed_download(
    full_work_dir: Path,
) -> None:
    """Crops, archives, conversions and partial downloads in the work directory stay."""
    kept = [
        _old_file(full_work_dir / 'ds' / 'cropped_0_1_2_0' / 'granule.nc'),
        _old_file(full_work_dir / 'ds' / 'granule.nc.tar.gz'),
        _old_file(full_work_dir / 'ds' / '.download-0123.part'),
        _old_file(full_work_dir / 'converted' / 'idf' / 'a.nc'),
    ]
    local = LocalStorage(full_work_dir)

    with pytest.raises(NotEnoughSpaceError):
        local.free_space(local.get_free_space() + 100 * KIB)

    assert all(path.exists() for path in kept)


@pytest.fixture
def remote_root(sshd_server, unique_name: str) -> Iterator[Path]:
    """A 2 MiB tmpfs under the SSH server's root: free space that is exact and ours alone."""
    root = sshd_server.root / unique_name
    root.mkdir()
    with mounted_tmpfs(root, str(DISK)) as mounted:
        yield mounted


def test_free_space_remote_keeps_hard_linked_files(sshd_server, remote_root: Path) -> None:
    """Publish over SSH: the oldest file has a second name; the README promises it stays.

    Before, SFTP listings (which carry no link count) made it a candidate and it was deleted.
    """
    linked = _old_file(remote_root / 'published' / 'linked.nc', age=90_000)
    os.link(linked, remote_root / 'kept_name.nc')
    single = _old_file(remote_root / 'published' / 'single.nc', age=10_000)
    storage = RemoteStorage(
        sshd_server.alias, str(remote_root), ssh_config_path=sshd_server.ssh_config_path
    )
    with storage:
        free = storage.get_free_space()
        # Two candidates by age; only the single-link one frees anything.
        deleted = storage.free_space(free + 10 * KIB)

    assert deleted == [str(single)]
    assert linked.exists() and (remote_root / 'kept_name.nc').exists()
