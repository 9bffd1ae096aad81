"""Hostile archives: extraction refuses them before writing anything (issue 17, item 1).

Each archive is built member by member (as an attacker would) and also given to GNU tar 1.34
or Info-ZIP's unzip 6.0 (Debian 12), whose behaviour on the same input is in each docstring:
the package refuses the whole archive where those tools refuse (or follow) one member.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from geospaas_processing.ops.archive import (
    ArchiveError,
    UnsafeArchiveError,
    UnsupportedArchiveError,
    unarchive,
)


def _add_file(tar: tarfile.TarFile, name: str, content: bytes = b'pwned\n') -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    tar.addfile(info, io.BytesIO(content))


def _add_symlink(tar: tarfile.TarFile, name: str, target: str) -> None:
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    tar.addfile(info)


def _add_directory(tar: tarfile.TarFile, name: str) -> None:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    tar.addfile(info)


def _everything_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob('*'))


@pytest.fixture
def nest(tmp_path: Path) -> Path:
    """``top/a/work``: the archive lives in ``work``; ``top`` shows any write two levels up."""
    work = tmp_path / 'top' / 'a' / 'work'
    work.mkdir(parents=True)
    return work


def _gnu_tar(archive: Path, into: Path) -> int:
    if shutil.which('tar') is None:
        pytest.skip('GNU tar is not installed: it is the reference for this case')
    into.mkdir()
    return subprocess.run(
        ['tar', '-xf', str(archive), '-C', str(into)], capture_output=True
    ).returncode


def _assert_refused_untouched(nest: Path, archive: Path, member: str, match: str) -> None:
    before = _everything_under(nest.parent.parent)
    with pytest.raises(UnsafeArchiveError, match=match) as raised:
        unarchive(archive)
    assert raised.value.member == member
    assert _everything_under(nest.parent.parent) == before  # nothing written anywhere


def test_archive_symlink_up_then_file_through_it_then_symlink_redefined(nest: Path) -> None:
    """``d -> ../..``, ``d/FILE``, ``d -> inside``: the case of the issue.

    GNU tar 1.34 creates ``d`` as a placeholder, refuses ``d/FILE`` ("Cannot open: Not a
    directory") and exits 2, leaving the other members extracted. Python 3.11.2's tarfile
    (no data filter) writes FILE two levels up. The package refuses the archive at the
    first member that points outside and writes nothing.
    """
    archive = nest / 'evil.tar'
    with tarfile.open(archive, 'w') as tar:
        _add_symlink(tar, 'd', '../..')
        _add_file(tar, 'd/FILE')
        _add_symlink(tar, 'd', 'inside')
    _assert_refused_untouched(nest, archive, 'd', 'outside')
    assert not (nest.parent.parent / 'FILE').exists()
    assert _gnu_tar(archive, nest.parent / 'gnu') == 2
    assert not (nest.parent.parent / 'FILE').exists()


def test_archive_file_through_a_symlink_pointing_inside(nest: Path) -> None:
    """``sub/``, ``d -> sub``, ``d/FILE``: a member written through a link an earlier member made.

    GNU tar follows the link and writes ``sub/FILE`` (exit 0). The package refuses: a path
    through a link the archive made is how the escapes above start, and no archive the
    package packs (tar.add never stores members under a link) needs it.
    """
    archive = nest / 'through.tar'
    with tarfile.open(archive, 'w') as tar:
        _add_directory(tar, 'sub')
        _add_symlink(tar, 'd', 'sub')
        _add_file(tar, 'd/FILE')
    _assert_refused_untouched(nest, archive, 'd/FILE', 'goes through')
    assert _gnu_tar(archive, nest.parent / 'gnu') == 0


def test_archive_directory_replaced_by_a_symlink_out(nest: Path) -> None:
    """``x/``, ``x -> ../..``, ``x/y``: a name that occurs as a directory, then as a link.

    GNU tar replaces the directory by a placeholder, refuses ``x/y`` and exits 2. The package
    refuses the archive (a name with two types) before writing anything.
    """
    archive = nest / 'dirlink.tar'
    with tarfile.open(archive, 'w') as tar:
        _add_directory(tar, 'x')
        _add_symlink(tar, 'x', '../..')
        _add_file(tar, 'x/y')
    _assert_refused_untouched(nest, archive, 'x', 'occurs twice')
    assert _gnu_tar(archive, nest.parent / 'gnu') == 2


def test_archive_file_replaced_by_a_directory(nest: Path) -> None:
    """``x`` (file), ``x/`` (directory), ``x/y``: a name with two types.

    GNU tar replaces the file by the directory and extracts ``x/y`` (exit 0). The package
    refuses: which ``x`` the sender meant cannot be known.
    """
    archive = nest / 'filedir.tar'
    with tarfile.open(archive, 'w') as tar:
        _add_file(tar, 'x')
        _add_directory(tar, 'x')
        _add_file(tar, 'x/y')
    _assert_refused_untouched(nest, archive, 'x', 'occurs twice')
    assert _gnu_tar(archive, nest.parent / 'gnu') == 0


def test_archive_hard_link_through_a_symlink(nest: Path) -> None:
    """``d -> sub``, ``h`` hard link to ``d/data``: a link target reached through a symlink.

    GNU tar resolves ``d/data`` through the link it made. The package refuses: hard links
    may only name an earlier regular member, by its own path.
    """
    archive = nest / 'hard.tar'
    with tarfile.open(archive, 'w') as tar:
        _add_directory(tar, 'sub')
        _add_file(tar, 'sub/data')
        _add_symlink(tar, 'd', 'sub')
        info = tarfile.TarInfo('h')
        info.type = tarfile.LNKTYPE
        info.linkname = 'd/data'
        tar.addfile(info)
    _assert_refused_untouched(nest, archive, 'h', 'through a symbolic link')


def test_archive_unarchive_task_refuses_and_leaves_the_work_directory_as_it_was(
    isolated_environment: Path,
) -> None:
    """The ``unarchive`` task on the issue's archive: UnsafeArchiveError, nothing written."""
    from geospaas_processing.tasks import core

    work = isolated_environment / 'work'
    (work / 'ds').mkdir(parents=True)
    with tarfile.open(work / 'ds' / 'evil.tar', 'w') as tar:
        _add_symlink(tar, 'd', '../..')
        _add_file(tar, 'd/FILE')
        _add_symlink(tar, 'd', 'inside')
    before = _everything_under(work)

    with pytest.raises(UnsafeArchiveError):
        core.unarchive((5, 'ds/evil.tar'))

    assert _everything_under(work) == before
    assert not (isolated_environment / 'FILE').exists()  # two levels above ds/


def test_archive_encrypted_zip_member(nest: Path) -> None:
    """A password-protected member (made by Info-ZIP ``zip -P``).

    ``unzip`` without a password skips the member ("unable to get password", exit 81).
    The package raises UnsupportedArchiveError (an ArchiveError) naming the member, instead
    of zipfile's RuntimeError, and extracts nothing.
    """
    if shutil.which('zip') is None:
        pytest.skip('Info-ZIP zip is not installed: it writes the encrypted member')
    (nest / 'secret.txt').write_text('secret')
    subprocess.run(
        ['zip', '-q', '-P', 'password', 'locked.zip', 'secret.txt'], cwd=nest, check=True
    )
    (nest / 'secret.txt').unlink()

    with pytest.raises(UnsupportedArchiveError, match="'secret.txt' is encrypted") as raised:
        unarchive(nest / 'locked.zip')

    assert isinstance(raised.value, ArchiveError)
    assert sorted(path.name for path in nest.iterdir()) == ['locked.zip']


def test_archive_zip_member_with_unsupported_compression(nest: Path) -> None:
    """A member stored with method 98 (PPMd, APPNOTE.TXT 4.4.5), which zipfile cannot read.

    ``unzip`` skips it ("`PPMd' method not supported", exit 81). The package raises
    UnsupportedArchiveError naming the member and the method instead of NotImplementedError.
    """
    archive = nest / 'ppmd.zip'
    with zipfile.ZipFile(archive, 'w') as archive_file:
        archive_file.writestr('a.txt', b'hello')
    data = bytearray(archive.read_bytes())
    data[8:10] = (98).to_bytes(2, 'little')  # local file header: compression method
    central = data.find(b'PK\x01\x02')
    data[central + 10 : central + 12] = (98).to_bytes(2, 'little')  # central directory
    archive.write_bytes(bytes(data))

    with pytest.raises(UnsupportedArchiveError, match='compression method 98'):
        unarchive(archive)

    assert sorted(path.name for path in nest.iterdir()) == ['ppmd.zip']


def test_archive_zip_file_and_directory_of_one_name(nest: Path) -> None:
    """``x`` as a file, then ``x/`` as a directory: unzip 6.0 fails on the second. Refused."""
    archive = nest / 'twice.zip'
    with zipfile.ZipFile(archive, 'w') as archive_file:
        archive_file.writestr('x', b'file')
        archive_file.writestr('x/', b'')
    _assert_refused_untouched(nest, archive, 'x/', 'occurs twice')
