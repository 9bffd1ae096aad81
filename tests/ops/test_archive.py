"""Archiving and safe extraction, on real archives written to temporary directories."""

from __future__ import annotations

import gzip
import io
import os
import pickle
import tarfile
import zipfile
from pathlib import Path

import pytest

from geospaas_processing.ops.archive import (
    ArchiveError,
    CorruptedArchiveError,
    UnsafeArchiveError,
    archive,
    is_archive,
    unarchive,
)


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob('*'))
        if path.is_file()
    }


def _add_file(tar: tarfile.TarFile, name: str, content: bytes = b'payload') -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    tar.addfile(info, io.BytesIO(content))


def _add_link(tar: tarfile.TarFile, name: str, target: str, kind: bytes = tarfile.SYMTYPE):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    tar.addfile(info)


def _no_leftovers(directory: Path, *expected: str) -> None:
    assert sorted(path.name for path in directory.iterdir()) == sorted(expected)


# --- archive -------------------------------------------------------------------------------


def test_archive_packs_a_file_and_removes_it_only_after(tmp_path: Path) -> None:
    data = tmp_path / 'dataset_180.nc'
    data.write_bytes(b'netcdf bytes' * 1000)

    result = archive(data)

    assert result == tmp_path / 'dataset_180.nc.tar.gz'
    _no_leftovers(tmp_path, 'dataset_180.nc.tar.gz')
    with tarfile.open(result) as tar:
        assert tar.getnames() == ['dataset_180.nc']
        assert tar.extractfile('dataset_180.nc').read() == b'netcdf bytes' * 1000


def test_archive_packs_a_directory_and_round_trips(tmp_path: Path) -> None:
    folder = tmp_path / 'product'
    (folder / 'sub').mkdir(parents=True)
    (folder / 'a.txt').write_text('a')
    (folder / 'sub' / 'b.txt').write_text('b')

    packed = archive(folder)
    assert not folder.exists()
    extracted = unarchive(packed)

    assert extracted == tmp_path / 'product'
    assert _tree(extracted) == {'product/a.txt': b'a', 'product/sub/b.txt': b'b'}


@pytest.mark.parametrize('name', ['a.tar.gz', 'a.tgz', 'a.zip', 'a.nc.gz', 'A.TAR.BZ2', 'a.txz'])
def test_archive_leaves_existing_archives_alone(tmp_path: Path, name: str) -> None:
    existing = tmp_path / name
    existing.write_bytes(b'whatever')

    assert is_archive(existing)
    assert archive(existing) == existing
    assert existing.read_bytes() == b'whatever'


def test_archive_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match='no such file'):
        archive(tmp_path / 'missing.nc')


# --- unarchive: formats ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ('name', 'mode'),
    [
        ('d.tar', 'w'),
        ('d.tar.gz', 'w:gz'),
        ('d.tgz', 'w:gz'),
        ('d.tar.bz2', 'w:bz2'),
        ('d.tbz2', 'w:bz2'),
        ('d.tar.xz', 'w:xz'),
        ('d.txz', 'w:xz'),
    ],
)
def test_unarchive_extracts_every_tar_flavour(tmp_path: Path, name: str, mode: str) -> None:
    path = tmp_path / name
    with tarfile.open(path, mode) as tar:
        _add_file(tar, 'd/data.nc', b'123')
        _add_link(tar, 'd/latest.nc', 'data.nc')

    extracted = unarchive(path)

    assert extracted == tmp_path / 'd'
    assert (extracted / 'd' / 'data.nc').read_bytes() == b'123'
    assert (extracted / 'd' / 'latest.nc').read_bytes() == b'123'
    assert path.exists(), 'the archive is kept'
    _no_leftovers(tmp_path, name, 'd')


def test_unarchive_extracts_zip_and_gz(tmp_path: Path) -> None:
    zipped = tmp_path / 'z.zip'
    with zipfile.ZipFile(zipped, 'w') as archive_file:
        archive_file.writestr('inner/x.txt', 'x')
    gzipped = tmp_path / 'y.nc.gz'
    gzipped.write_bytes(gzip.compress(b'y' * 5000))

    assert _tree(unarchive(zipped)) == {'inner/x.txt': b'x'}
    assert _tree(unarchive(gzipped)) == {'y.nc': b'y' * 5000}
    assert unarchive(tmp_path / 'plain.nc') is None


def test_unarchive_replaces_a_previous_extraction(tmp_path: Path) -> None:
    path = tmp_path / 'd.tar'
    with tarfile.open(path, 'w') as tar:
        _add_file(tar, 'new.txt', b'new')
    (tmp_path / 'd').mkdir()
    (tmp_path / 'd' / 'stale.txt').write_text('stale')

    assert _tree(unarchive(path)) == {'new.txt': b'new'}
    _no_leftovers(tmp_path, 'd.tar', 'd')


# --- unarchive: malicious archives ---------------------------------------------------------


MALICIOUS_TARS = {
    'traversal': (lambda tar: _add_file(tar, '../evil.txt'), '../evil.txt'),
    'nested traversal': (lambda tar: _add_file(tar, 'a/../../evil.txt'), 'a/../../evil.txt'),
    'absolute': (lambda tar: _add_file(tar, '/tmp/evil.txt'), '/tmp/evil.txt'),
    'symlink out': (lambda tar: _add_link(tar, 'out', '../..'), 'out'),
    'absolute symlink': (lambda tar: _add_link(tar, 'etc', '/etc'), 'etc'),
    'hardlink out': (
        lambda tar: _add_link(tar, 'passwd', '../../etc/passwd', tarfile.LNKTYPE),
        'passwd',
    ),
    'absolute hardlink': (
        lambda tar: _add_link(tar, 'passwd', '/etc/passwd', tarfile.LNKTYPE),
        'passwd',
    ),
    # Each link stays inside on its own; together 'up' resolves to the parent directory.
    'chained symlinks': (
        lambda tar: (_add_link(tar, 'here', '.'), _add_link(tar, 'up', 'here/..')),
        'up',
    ),
    'file through a link': (
        lambda tar: (_add_link(tar, 'sub', '..'), _add_file(tar, 'sub/evil.txt')),
        'sub',
    ),
}


@pytest.mark.parametrize('case', sorted(MALICIOUS_TARS))
def test_unarchive_refuses_members_landing_outside(tmp_path: Path, case: str) -> None:
    build, member = MALICIOUS_TARS[case]
    work = tmp_path / 'work'
    work.mkdir()
    path = work / 'evil.tar.gz'
    with tarfile.open(path, 'w:gz') as tar:
        _add_file(tar, 'harmless.txt', b'first member, must not be extracted either')
        build(tar)

    with pytest.raises(UnsafeArchiveError) as raised:
        unarchive(path)

    assert raised.value.member == member
    assert repr(member) in str(raised.value)
    _no_leftovers(work, 'evil.tar.gz')
    _no_leftovers(tmp_path, 'work')


def test_unarchive_refuses_device_files(tmp_path: Path) -> None:
    path = tmp_path / 'dev.tar'
    with tarfile.open(path, 'w') as tar:
        info = tarfile.TarInfo('null')
        info.type = tarfile.CHRTYPE
        tar.addfile(info)

    with pytest.raises(UnsafeArchiveError, match='device'):
        unarchive(path)


def test_unarchive_accepts_links_that_stay_inside(tmp_path: Path) -> None:
    path = tmp_path / 'ok.tar'
    with tarfile.open(path, 'w') as tar:
        _add_file(tar, 'a/b/data.txt', b'data')
        _add_link(tar, 'a/c/up.txt', '../b/data.txt')
        _add_link(tar, 'a/hard.txt', 'a/b/data.txt', tarfile.LNKTYPE)

    extracted = unarchive(path)

    assert (extracted / 'a' / 'c' / 'up.txt').read_bytes() == b'data'
    assert (extracted / 'a' / 'hard.txt').read_bytes() == b'data'


def test_unarchive_drops_setuid_bits(tmp_path: Path) -> None:
    path = tmp_path / 'suid.tar'
    with tarfile.open(path, 'w') as tar:
        info = tarfile.TarInfo('tool')
        info.mode = 0o4755
        info.size = 2
        tar.addfile(info, io.BytesIO(b'#!'))

    extracted = unarchive(path)

    assert not (extracted / 'tool').stat().st_mode & 0o7000


@pytest.mark.parametrize('name', ['../evil.txt', '/tmp/evil.txt', 'a/../../evil.txt'])
def test_unarchive_refuses_zip_slip(tmp_path: Path, name: str) -> None:
    path = tmp_path / 'slip.zip'
    with zipfile.ZipFile(path, 'w') as archive_file:
        archive_file.writestr('harmless.txt', 'ok')
        archive_file.writestr(zipfile.ZipInfo(name), 'evil')

    with pytest.raises(UnsafeArchiveError) as raised:
        unarchive(path)

    assert raised.value.member == name
    _no_leftovers(tmp_path, 'slip.zip')


def test_unarchive_refuses_zip_symlinks_pointing_out(tmp_path: Path) -> None:
    path = tmp_path / 'link.zip'
    with zipfile.ZipFile(path, 'w') as archive_file:
        info = zipfile.ZipInfo('link')
        info.external_attr = (0o120777 << 16) | 0x20
        archive_file.writestr(info, '../../etc/passwd')

    with pytest.raises(UnsafeArchiveError, match="'link'"):
        unarchive(path)


# --- unarchive: corrupted archives ---------------------------------------------------------


def _truncated(path: Path) -> Path:
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])
    return path


def _corrupted_tar_gz(tmp_path: Path) -> Path:
    path = tmp_path / 'c.tar.gz'
    with tarfile.open(path, 'w:gz') as tar:
        _add_file(tar, 'data.bin', os.urandom(200_000))
    return _truncated(path)


def _corrupted_tar_bz2(tmp_path: Path) -> Path:
    path = tmp_path / 'c.tar.bz2'
    with tarfile.open(path, 'w:bz2') as tar:
        _add_file(tar, 'data.bin', os.urandom(200_000))
    return _truncated(path)


def _corrupted_zip(tmp_path: Path) -> Path:
    path = tmp_path / 'c.zip'
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as archive_file:
        archive_file.writestr('data.bin', os.urandom(200_000))
    content = bytearray(path.read_bytes())
    content[1000:1100] = bytes(100)  # damage the compressed data, keep the directory
    path.write_bytes(bytes(content))
    return path


def _corrupted_gz(tmp_path: Path) -> Path:
    path = tmp_path / 'c.nc.gz'
    path.write_bytes(gzip.compress(os.urandom(200_000)))
    return _truncated(path)


def _not_an_archive(tmp_path: Path) -> Path:
    path = tmp_path / 'c.tar.xz'
    path.write_text('<html>Service temporarily unavailable</html>')
    return path


@pytest.mark.parametrize(
    'make',
    [_corrupted_tar_gz, _corrupted_tar_bz2, _corrupted_zip, _corrupted_gz, _not_an_archive],
)
def test_corrupted_archive_is_removed_with_advice(tmp_path: Path, make) -> None:
    path = make(tmp_path)

    with pytest.raises(CorruptedArchiveError, match='download the dataset again') as raised:
        unarchive(path)

    assert raised.value.archive == str(path)
    _no_leftovers(tmp_path)


def test_errors_survive_pickling(tmp_path: Path) -> None:
    for error in (
        UnsafeArchiveError(tmp_path / 'a.tar', '../x', 'contains a ".." component'),
        CorruptedArchiveError(tmp_path / 'a.tar', 'unexpected end of data'),
        ArchiveError('cannot archive a: disk full'),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert str(copy) == str(error)


def test_public_names_of_ops() -> None:
    import geospaas_processing.ops as ops

    assert sorted(ops.__all__) == sorted(
        [
            'ArchiveError',
            'CorruptedArchiveError',
            'CropError',
            'PublishError',
            'RemoteSpaceError',
            'UnsafeArchiveError',
            'UnsupportedArchiveError',
            'archive',
            'crop',
            'is_archive',
            'publish',
            'publish_in_place',
            'publish_over_ssh',
            'unarchive',
        ]
    )
    assert all(hasattr(ops, name) for name in ops.__all__)


def test_unarchive_task_returns_the_extracted_entries_relative_to_the_work_dir(
    isolated_environment: Path,
) -> None:
    """Upstream's shape: a list of what each archive holds at its top, for convert_to_idf."""
    from geospaas_processing.tasks import core

    work = isolated_environment / 'work'
    (work / 'ds').mkdir(parents=True)
    with zipfile.ZipFile(work / 'ds' / 'S1A_x.zip', 'w') as archive_file:
        archive_file.writestr('S1A_x.SAFE/manifest.safe', 'm')
        archive_file.writestr('readme.txt', 'r')
    with gzip.open(work / 'ds' / 'b.nc.gz', 'wb') as compressed:
        compressed.write(b'netcdf')

    assert core.unarchive((4, 'ds/S1A_x.zip')) == (
        4,
        ['ds/S1A_x/S1A_x.SAFE', 'ds/S1A_x/readme.txt'],
    )
    assert core.unarchive((4, ['ds/b.nc.gz', 'ds/S1A_x/readme.txt'])) == (
        4,
        ['ds/b.nc/b.nc', 'ds/S1A_x/readme.txt'],
    )
