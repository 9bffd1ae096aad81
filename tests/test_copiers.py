"""Copying, linking, flag files and the time-to-live clean-up, on real temporary directories."""

from __future__ import annotations

import os
import pickle
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from geospaas_processing.copiers import (
    RECORD_LOCK_NAME,
    RECORD_NAME,
    CopyError,
    Flag,
    check_destination,
    copy_to,
    flag_from_dataset,
    remove_expired,
    validate_time_to_live,
)

DAY = 86400
FLAG = Flag(
    type='sst',
    entry_id='dataset_180',
    entry_title='Sea surface\ntemperature',
    source='Aqua/MODIS',
    data_center='NERSC',
    summary='A summary\non two lines.',
    urls=('https://example.org/a.nc', 'ftp://example.org/a.nc'),
)


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, Path]:
    """A file and a directory (with a relative link inside) to copy."""
    data = tmp_path / 'src' / 'dataset_180.nc'
    data.parent.mkdir()
    data.write_bytes(b'netcdf')
    old = time.time() - 400 * DAY
    os.utime(data, (old, old))
    folder = tmp_path / 'src' / 'product.SAFE'
    (folder / 'measurement').mkdir(parents=True)
    (folder / 'measurement' / 'band.tif').write_bytes(b'tif')
    (folder / 'manifest').symlink_to('measurement/band.tif')
    return {'file': data, 'directory': folder}


def _age(path: Path, days: float) -> Path:
    moment = time.time() - days * DAY
    os.utime(path, (moment, moment), follow_symlinks=False)
    return path


# --- copy and link -----------------------------------------------------------------------------


def test_copy_files_and_directories_with_flags(sources, tmp_path: Path) -> None:
    destination = tmp_path / 'dest' / 'new'

    outcomes = copy_to(sources.values(), destination, flag=FLAG)

    assert [outcome.status for outcome in outcomes] == ['copied', 'copied']
    assert (destination / 'dataset_180.nc').read_bytes() == b'netcdf'
    assert (destination / 'product.SAFE' / 'manifest').read_bytes() == b'tif'
    assert (destination / 'product.SAFE' / 'manifest').is_symlink()
    assert time.time() - (destination / 'dataset_180.nc').stat().st_mtime < 60, (
        'the age of a copy counts from the copy'
    )
    assert (destination / 'dataset_180.nc.flag').read_text() == (
        'type: sst\n'
        'entry_id: dataset_180\n'
        'entry_title: Sea surface temperature\n'
        'source: Aqua/MODIS\n'
        'data_center: NERSC\n'
        '- url: https://example.org/a.nc\n'
        '- url: ftp://example.org/a.nc\n'
        'summary: A summary on two lines.\n'
    )
    assert (destination / 'product.SAFE.flag').is_file()
    assert sorted(path.name for path in destination.iterdir()) == [
        RECORD_NAME,
        RECORD_LOCK_NAME,
        'dataset_180.nc',
        'dataset_180.nc.flag',
        'product.SAFE',
        'product.SAFE.flag',
    ]


def test_link_instead_of_copying(sources, tmp_path: Path) -> None:
    destination = tmp_path / 'dest'

    outcomes = copy_to([sources['file']], destination, link=True)

    assert outcomes[0].status == 'linked'
    link = destination / 'dataset_180.nc'
    assert link.is_symlink() and link.resolve() == sources['file'].resolve()
    assert not (destination / 'dataset_180.nc.flag').exists()


def test_existing_destinations_are_skipped_never_overwritten(sources, tmp_path: Path) -> None:
    destination = tmp_path / 'dest'
    destination.mkdir()
    (destination / 'dataset_180.nc').write_text('theirs')
    (destination / 'product.SAFE').symlink_to(tmp_path / 'nowhere')  # even a broken link

    outcomes = copy_to(sources.values(), destination, flag=FLAG)

    assert [(outcome.status, outcome.reason) for outcome in outcomes] == [
        ('skipped', 'already present in the destination')
    ] * 2
    assert (destination / 'dataset_180.nc').read_text() == 'theirs'
    assert not (destination / 'dataset_180.nc.flag').exists()


def test_missing_source_fails_alone(sources, tmp_path: Path) -> None:
    outcomes = copy_to([tmp_path / 'gone.nc', sources['file']], tmp_path / 'dest')

    assert [outcome.status for outcome in outcomes] == ['failed', 'copied']
    assert outcomes[0].reason == 'source does not exist'


def test_destination_must_be_a_writable_directory(sources, tmp_path: Path) -> None:
    a_file = tmp_path / 'file'
    a_file.write_text('x')

    with pytest.raises(CopyError, match='is not a directory'):
        copy_to([sources['file']], a_file / 'sub')
    assert check_destination(tmp_path / 'not' / 'yet') == tmp_path / 'not' / 'yet'
    assert not (tmp_path / 'not').exists(), 'checking creates nothing'


# --- time to live ------------------------------------------------------------------------------


@pytest.mark.parametrize('value', [0, 90, '7', 1.5])
def test_valid_time_to_live(value) -> None:
    assert validate_time_to_live(value) == float(value)


@pytest.mark.parametrize('value', [-1, '-3', 'ninety', None, True, float('nan'), '1 day'])
def test_invalid_time_to_live(value) -> None:
    with pytest.raises(CopyError, match='non-negative number of days'):
        validate_time_to_live(value)


def test_remove_expired_deletes_only_what_copy_to_made(sources, tmp_path: Path) -> None:
    destination = tmp_path / 'dest'
    copy_to(sources.values(), destination, flag=FLAG)
    copy_to([sources['file']], destination / 'links', link=True)
    theirs = destination / 'theirs.nc'
    theirs.write_text('put there by someone else')
    _age(theirs, 1000)
    (destination / 'kept_empty').mkdir()

    assert remove_expired(destination, 90) == [], 'fresh copies stay'
    removed = remove_expired(destination, 90, now=time.time() + 100 * DAY)

    assert sorted(str(path.relative_to(destination)) for path in removed) == [
        'dataset_180.nc',
        'dataset_180.nc.flag',
        'product.SAFE.flag',
        'product.SAFE/manifest',
        'product.SAFE/measurement/band.tif',
    ]
    assert theirs.exists(), 'a file copy_to did not make is never deleted'
    assert sources['file'].exists(), 'sources are not touched'
    assert not (destination / 'product.SAFE').exists(), 'directories emptied by the clean-up go'
    assert (destination / 'kept_empty').is_dir(), 'other empty directories stay'
    assert remove_expired(tmp_path / 'missing', 90) == []
    assert remove_expired(destination / 'links', 90, now=time.time() + 100 * DAY) == [
        destination / 'links' / 'dataset_180.nc'
    ]


def test_remove_expired_keeps_a_copy_replaced_since(sources, tmp_path: Path) -> None:
    destination = tmp_path / 'dest'
    copy_to([sources['file']], destination)
    copy = destination / 'dataset_180.nc'
    copy.unlink()
    copy.write_text('a new file of the same name, made by the user')

    assert remove_expired(destination, 0, now=time.time() + DAY) == []
    assert copy.read_text() == 'a new file of the same name, made by the user'


def test_remove_expired_dry_run_lists_and_deletes_nothing(sources, tmp_path: Path) -> None:
    destination = tmp_path / 'dest'
    copy_to([sources['file']], destination)
    later = time.time() + 100 * DAY

    assert remove_expired(destination, 90, now=later, dry_run=True) == [
        destination / 'dataset_180.nc'
    ]
    assert (destination / 'dataset_180.nc').exists()
    assert remove_expired(destination, 90, now=later) == [destination / 'dataset_180.nc']


def test_copies_get_the_mode_cp_gives(sources, tmp_path: Path) -> None:
    sources['file'].chmod(0o640)
    old_umask = os.umask(0o027)
    try:
        copy_to([sources['file']], tmp_path / 'dest', flag=FLAG)
    finally:
        os.umask(old_umask)
    assert (tmp_path / 'dest' / 'dataset_180.nc').stat().st_mode & 0o777 == 0o640
    assert (tmp_path / 'dest' / 'dataset_180.nc.flag').stat().st_mode & 0o777 == 0o640


def test_relative_paths_and_overwrite_for_the_copy_task(sources, tmp_path: Path) -> None:
    destination = tmp_path / 'dest'
    (destination / 'src').mkdir(parents=True)
    (destination / 'src' / 'dataset_180.nc').write_text('older copy')

    outcomes = copy_to(
        [sources['file'], sources['directory']],
        destination,
        relative_to=tmp_path,
        overwrite=True,
        record=False,
    )

    assert [outcome.status for outcome in outcomes] == ['copied', 'copied']
    assert (destination / 'src' / 'dataset_180.nc').read_bytes() == b'netcdf'
    assert (destination / 'src' / 'product.SAFE' / 'measurement' / 'band.tif').is_file()
    assert not (destination / RECORD_NAME).exists()
    with pytest.raises(CopyError, match='is not under'):
        copy_to([tmp_path.parent / 'elsewhere.nc'], destination, relative_to=tmp_path)


def test_copy_error_survives_pickling() -> None:
    error = CopyError('destination /x is not writable')
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


# --- the catalog edge ------------------------------------------------------------------------


@pytest.mark.django_db
def test_flag_from_a_catalog_dataset(sources, tmp_path: Path) -> None:
    from geospaas_processing.catalog import services
    from geospaas_processing.catalog.records import DatasetRecord, create_dataset

    dataset = create_dataset(
        DatasetRecord(
            'dataset_180',
            datetime(2024, 3, 1, tzinfo=UTC),
            datetime(2024, 3, 2, tzinfo=UTC),
            'POLYGON((0 60,10 60,10 70,0 70,0 60))',
            entry_title='SST',
            summary='Daily SST.',
            uris=[
                ('https://example.org/a.nc', services.HTTP_SERVICE),
                (sources['file'].as_uri(), services.LOCAL_FILE_SERVICE),
                ('ftp://example.org/a.nc', services.FTP_SERVICE),
            ],
        )
    )

    flag = flag_from_dataset(dataset, 'sst')

    assert flag == Flag(
        type='sst',
        entry_id='dataset_180',
        entry_title='SST',
        source='Aqua/MODIS',
        data_center='NERSC',
        summary='Daily SST.',
        urls=('https://example.org/a.nc', 'ftp://example.org/a.nc'),
    )
    copy_to([sources['file']], tmp_path / 'dest', flag=flag)
    assert (
        '- url: ftp://example.org/a.nc' in (tmp_path / 'dest' / 'dataset_180.nc.flag').read_text()
    )


def test_copy_task_keeps_relative_paths_and_replaces_older_copies(
    isolated_environment: Path, tmp_path: Path
) -> None:
    """The ``copy`` task goes through copy_to: ``copy_to/<path>``, overwriting, chain unbroken."""
    from geospaas_processing.tasks import core

    work = isolated_environment / 'work'
    (work / 'ds' / 'product.SAFE').mkdir(parents=True)
    (work / 'ds' / 'a.nc').write_bytes(b'new')
    (work / 'ds' / 'product.SAFE' / 'band.tif').write_bytes(b'tif')
    target = tmp_path / 'copies'
    (target / 'ds').mkdir(parents=True)
    (target / 'ds' / 'a.nc').write_bytes(b'older copy')

    result = core.copy((6, ['ds/a.nc', 'ds/product.SAFE', 'ds/missing.nc']), copy_to=str(target))

    assert result == (6, ['ds/a.nc', 'ds/product.SAFE', 'ds/missing.nc'])
    assert (target / 'ds' / 'a.nc').read_bytes() == b'new'
    assert (target / 'ds' / 'product.SAFE' / 'band.tif').read_bytes() == b'tif'
    assert not (target / RECORD_NAME).exists(), 'task copies are not geospaas-copy copies'
