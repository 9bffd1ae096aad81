"""``geospaas-copy`` run as a real command against the test catalog."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime

import pytest

from geospaas_processing.catalog import services
from geospaas_processing.catalog.records import DatasetRecord, create_dataset
from tests.helpers import catalog_environment, run_command

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def local_files(tmp_path):
    """Two datasets with local files (one a directory) and one with only a remote URI."""
    store = tmp_path / 'store'
    (store / 'product-dir').mkdir(parents=True)
    (store / 'product-dir' / 'band1.tif').write_bytes(b'band')
    (store / 'a.nc').write_bytes(b'a' * 100)
    create_dataset(
        DatasetRecord(
            'a',
            datetime(2024, 3, 1, tzinfo=UTC),
            datetime(2024, 3, 1, 12, tzinfo=UTC),
            'POINT(5 65)',
            entry_title='Dataset A',
            summary='About A',
            instrument='AMSR2',
            uris=[
                ((store / 'a.nc').as_uri(), services.LOCAL_FILE_SERVICE),
                ('https://provider.example.org/a.nc', services.HTTP_SERVICE),
            ],
        )
    )
    create_dataset(
        DatasetRecord(
            'b',
            datetime(2024, 3, 2, tzinfo=UTC),
            datetime(2024, 3, 2, 12, tzinfo=UTC),
            'POINT(5 65)',
            uris=[((store / 'product-dir').as_uri(), services.LOCAL_FILE_SERVICE)],
        )
    )
    create_dataset(
        DatasetRecord(
            'remote-only',
            datetime(2024, 3, 3, tzinfo=UTC),
            datetime(2024, 3, 3, 12, tzinfo=UTC),
            'POINT(5 65)',
            uris=[('https://provider.example.org/c.nc', services.HTTP_SERVICE)],
        )
    )
    return store


def copy(*args):
    return run_command(['geospaas_processing.cli.delete_and_copy', *args], catalog_environment())


def test_copies_files_and_directories_with_flag_files(local_files, tmp_path):
    destination = tmp_path / 'dest'
    result = copy('-d', str(destination), '-f', '-t', 'satellite', '-b', '2024-03-01')
    assert result.returncode == 0, result.stderr
    assert (destination / 'a.nc').read_bytes() == b'a' * 100
    assert (destination / 'product-dir' / 'band1.tif').read_bytes() == b'band'
    flag = (destination / 'a.nc.flag').read_text()
    for line in (
        'type: satellite',
        'entry_id: a',
        'entry_title: Dataset A',
        '- url: https://provider.example.org/a.nc',
        'summary: About A',
    ):
        assert line in flag
    assert 'copied 2' in result.stdout


def test_never_overwrites_and_links_with_l(local_files, tmp_path):
    destination = tmp_path / 'dest'
    destination.mkdir()
    (destination / 'a.nc').write_text('mine')
    result = copy('-d', str(destination), '-l', '--json')
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary['skipped'] == [str(destination / 'a.nc')]
    assert (destination / 'a.nc').read_text() == 'mine'
    assert (destination / 'product-dir').is_symlink()


def test_only_expired_copies_it_made_are_removed_each_named(local_files, tmp_path):
    destination = tmp_path / 'dest'
    destination.mkdir()
    theirs = destination / 'old.nc'
    theirs.write_text('old, not made by geospaas-copy')
    ten_days_ago = time.time() - 10 * 86400
    os.utime(theirs, (ten_days_ago, ten_days_ago))
    assert copy('-d', str(destination), '-q', '{"entry_id": "a"}').returncode == 0

    result = copy('-d', str(destination), '-ttl', '0', '-q', '{"entry_id": "nothing"}')

    assert result.returncode == 0, result.stderr
    assert theirs.exists() and not (destination / 'a.nc').exists()
    assert f'removed (expired): {destination / "a.nc"}' in result.stdout
    assert 'removed 1 expired' in result.stdout


def test_dry_run_lists_and_writes_nothing(local_files, tmp_path):
    result = copy('-d', str(tmp_path / 'dest'), '--dry-run')
    assert result.returncode == 0, result.stderr
    assert f'a: {local_files / "a.nc"}' in result.stdout
    assert '2 datasets would be copied' in result.stdout
    assert not (tmp_path / 'dest').exists()


def test_dry_run_lists_each_expired_copy_it_would_remove(local_files, tmp_path):
    destination = tmp_path / 'dest'
    assert copy('-d', str(destination), '-q', '{"entry_id": "a"}').returncode == 0

    text = copy('-d', str(destination), '-ttl', '0', '--dry-run')
    as_json = json.loads(copy('-d', str(destination), '-ttl', '0', '--dry-run', '--json').stdout)

    assert f'would remove (expired): {destination / "a.nc"}' in text.stdout
    assert as_json['expired_would_remove'] == [str(destination / 'a.nc')]
    assert (destination / 'a.nc').exists()


@pytest.mark.parametrize(
    ('arguments', 'message'),
    [
        (['-ttl', '-3'], 'non-negative number of days'),
        (['-ttl', 'soon'], 'non-negative number of days'),
        (['-b', 'March'], "-b/--begin 'March' is not a date"),
        (['-q', '{"dataset__colour": 1}'], "Cannot resolve keyword 'dataset'"),
        (['-g', 'POINT(1)'], 'is not valid WKT'),
    ],
)
def test_bad_input_is_one_line_exit_2(local_files, tmp_path, arguments, message):
    result = copy('-d', str(tmp_path / 'dest'), *arguments)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and 'Traceback' not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / 'dest').exists()
