"""``geospaas-copy -ttl`` expires only what it made (issue 17, item 2), run as a real command.

Reference: ``rsync -r --delete SRC/ DEST/`` deletes every file of DEST that SRC lacks,
whoever made it, and ``--dry-run`` prints ``deleting NAME`` for each (rsync 3.2.7 man page,
``--delete``, ``--dry-run``). ``geospaas-copy`` is meant to share a destination with other
people's files, so it deletes only the copies its record lists, and names each one.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from geospaas_processing.catalog import services
from geospaas_processing.catalog.records import DatasetRecord, create_dataset
from tests.helpers import catalog_environment, run_command

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = 365 * 86400


def _copy(*args: str):
    return run_command(['geospaas_processing.cli.delete_and_copy', *args], catalog_environment())


@pytest.fixture
def destination(tmp_path: Path) -> Path:
    """A shared destination holding a year-old file of its owner, and one dataset to copy."""
    shared = tmp_path / 'shared'
    shared.mkdir()
    theirs = shared / 'their_analysis.nc'
    theirs.write_text('a year of work')
    os.utime(theirs, (time.time() - YEAR, time.time() - YEAR))
    (tmp_path / 'a.nc').write_bytes(b'a' * 10)
    create_dataset(
        DatasetRecord(
            'a',
            datetime(2024, 3, 1, tzinfo=UTC),
            datetime(2024, 3, 1, 12, tzinfo=UTC),
            'POINT(5 65)',
            uris=[((tmp_path / 'a.nc').as_uri(), services.LOCAL_FILE_SERVICE)],
        )
    )
    return shared


def test_copy_ttl_with_a_selection_matching_nothing_keeps_files_it_never_made(destination):
    """The issue's case: ``-ttl 90`` and no match deleted every old file of the user."""
    result = _copy('-d', str(destination), '-q', '{"entry_id": "no-such-dataset"}')

    assert result.returncode == 0, result.stderr
    assert (destination / 'their_analysis.nc').read_text() == 'a year of work'
    assert 'removed 0 expired' in result.stdout


def test_copy_dry_run_lists_each_file_it_would_remove(destination):
    """``--dry-run`` named nothing; it now names each expired copy, in text and JSON."""
    assert _copy('-d', str(destination), '-q', '{"entry_id": "a"}').returncode == 0

    text = _copy('-d', str(destination), '-ttl', '0', '--dry-run', '-q', '{"entry_id": "x"}')
    as_json = _copy('-d', str(destination), '-ttl', '0', '--dry-run', '--json')

    assert f'would remove (expired): {destination / "a.nc"}' in text.stdout
    assert 'their_analysis.nc' not in text.stdout
    assert json.loads(as_json.stdout)['expired_would_remove'] == [str(destination / 'a.nc')]
    assert (destination / 'a.nc').exists()


def test_copy_names_each_removed_file_in_text_and_json(destination):
    """Each removed copy is named: ``removed (expired): PATH`` and ``expired_removed``."""
    assert _copy('-d', str(destination), '-q', '{"entry_id": "a"}').returncode == 0
    flagged = _copy('-d', str(destination / 'flagged'), '-f', '-q', '{"entry_id": "a"}')
    assert flagged.returncode == 0

    text = _copy('-d', str(destination), '-ttl', '0', '-q', '{"entry_id": "x"}')
    as_json = _copy('-d', str(destination / 'flagged'), '-ttl', '0', '--json', '-q', '{"id": 0}')

    assert f'removed (expired): {destination / "a.nc"}' in text.stdout
    assert json.loads(as_json.stdout)['expired_removed'] == [
        str(destination / 'flagged' / 'a.nc'),
        str(destination / 'flagged' / 'a.nc.flag'),
    ]
    assert (destination / 'their_analysis.nc').exists()


def test_copy_record_naming_a_file_outside_the_destination_deletes_nothing(tmp_path):
    """A record rewritten by someone else (a shared, group-writable destination) cannot make
    ``-ttl`` delete a file outside the destination, even one whose identity it copies."""
    from geospaas_processing import copiers

    outside = tmp_path / 'outside.nc'
    outside.write_text('not in the destination')
    destination = tmp_path / 'shared'
    (destination / 'sub').mkdir(parents=True)
    (destination / 'linked').symlink_to(tmp_path)
    status = outside.lstat()
    identity = {
        'kind': 'file',
        'device': status.st_dev,
        'inode': status.st_ino,
        'size': status.st_size,
        'mtime_ns': status.st_mtime_ns,
        'made': 0,
    }
    entries = {
        str(outside): identity,
        'sub/../../outside.nc': identity,
        'linked/outside.nc': identity,
    }
    (destination / copiers.RECORD_NAME).write_text(json.dumps(entries))

    assert copiers.remove_expired(destination, 0) == []
    assert outside.exists()
