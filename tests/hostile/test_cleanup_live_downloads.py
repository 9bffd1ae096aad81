"""``cleanup_workdir`` keeps what is in use even when no lock says so (issue 17, item 17).

The issue's case: the lock Redis was flushed, so no dataset lock existed, and the clean-up
deleted the directory of a running download. Here a real process writes a partial file in
the work directory without holding any lock (what a worker looks like once Redis forgot its
lease), and the task runs in-process.

Reference: systemd-tmpfiles removes an entry only when it has not been accessed, modified
or changed for the configured age (tmpfiles.d(5), "Age"); the package keeps every top-level
entry where anything changed in the last ``storage.ACTIVE_AGE`` seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from geospaas_processing.storage import ACTIVE_AGE
from geospaas_processing.tasks import core

WRITER = """
import sys, time
path = sys.argv[1]
with open(path, 'ab') as stream:
    print('writing', flush=True)
    while time.time() < float(sys.argv[2]):
        stream.write(b'x' * 1024)
        stream.flush()
        time.sleep(0.05)
"""


def _age(path: Path, seconds: float) -> None:
    moment = time.time() - seconds
    os.utime(path, (moment, moment))


def test_cleanup_keeps_a_download_being_written_while_no_lock_exists(
    isolated_environment: Path,
) -> None:
    work = isolated_environment / 'work'
    live = work / 'S1A_running_dataset'
    live.mkdir(parents=True)
    partial = live / '.download-0123456789abcdef0123.part'
    stale = work / 'S1A_old_dataset'
    stale.mkdir()
    (stale / 'granule.nc').write_bytes(b'old')
    _age(stale / 'granule.nc', 2 * ACTIVE_AGE)
    _age(stale, 2 * ACTIVE_AGE)
    writer = subprocess.Popen(
        [sys.executable, '-c', WRITER, str(partial), str(time.time() + 60)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == 'writing'
        _age(live, 2 * ACTIVE_AGE)  # only the partial file itself shows the activity

        removed = core.cleanup_workdir()

        size_then = partial.stat().st_size
        time.sleep(0.3)
        assert partial.stat().st_size > size_then, 'the download goes on'
    finally:
        writer.kill()
        writer.wait()
        writer.stdout.close()

    assert removed == ['S1A_old_dataset']
    assert not stale.exists()


def test_cleanup_keeps_a_result_made_a_moment_ago(isolated_environment: Path) -> None:
    """A crop finished a moment ago, its task gone, its chain's next task not yet started."""
    work = isolated_environment / 'work'
    result = work / 'ds' / 'cropped_0_75_10_65' / 'granule.nc'
    result.parent.mkdir(parents=True)
    result.write_bytes(b'cropped')
    _age(work / 'ds', 2 * ACTIVE_AGE)

    assert core.cleanup_workdir() == []
    assert result.exists()
