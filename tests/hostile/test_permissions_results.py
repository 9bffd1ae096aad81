"""Results get the permissions of a normally created file, not mkstemp's 0600 (issue 17, item 15).

Reference: the real tools run side by side on the same input under the same umask: GNU tar
(``tar -czf``) writes its archive with ``0666 & ~umask``, GNU coreutils ``cp`` gives a copy
the source's mode minus the umask (cp(1), without ``--preserve``). A web server publishing
the work directory must be able to read every result, as it could read those.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from geospaas_processing.copiers import copy_to
from geospaas_processing.demo.netcdf import GridSpec, write_sst_file
from geospaas_processing.ops import archive, crop, unarchive
from geospaas_processing.storage import move_into_place

UMASK = 0o022


@pytest.fixture(autouse=True)
def publishing_umask() -> Iterator[None]:
    previous = os.umask(UMASK)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_permissions_archive_is_readable_like_gnu_tar_s(tmp_path: Path) -> None:
    """``archive()`` gave 0600; GNU tar gives 0644 under umask 022. Now the same as tar."""
    (tmp_path / 'ours').mkdir()
    (tmp_path / 'ours' / 'a.nc').write_bytes(b'x' * 100)
    (tmp_path / 'tars').mkdir()
    (tmp_path / 'tars' / 'a.nc').write_bytes(b'x' * 100)
    subprocess.run(['tar', '-czf', 'a.nc.tar.gz', 'a.nc'], cwd=tmp_path / 'tars', check=True)

    result = archive(tmp_path / 'ours' / 'a.nc')

    assert _mode(result) == _mode(tmp_path / 'tars' / 'a.nc.tar.gz') == 0o644


def test_permissions_extraction_directory_is_readable(tmp_path: Path) -> None:
    """``unarchive()`` renamed a ``mkdtemp`` (0700) directory into place; now 0755 like mkdir."""
    (tmp_path / 'd').mkdir()
    (tmp_path / 'd' / 'a.nc').write_bytes(b'x')
    packed = archive(tmp_path / 'd')

    extracted = unarchive(packed)

    assert _mode(extracted) == 0o755
    assert _mode(extracted / 'd' / 'a.nc') == 0o644


def test_permissions_cropped_file_published_in_place_is_readable(tmp_path: Path) -> None:
    """The issue's case: a crop written through mkstemp kept 0600; now 0644 (umask 022)."""
    source = write_sst_file(
        tmp_path / 'sst.nc', GridSpec(-10, 60, 20, 80), datetime(2024, 3, 1, tzinfo=UTC)
    )

    cropped = crop(source, [0, 75, 10, 65])

    assert _mode(cropped) == 0o644


def test_permissions_copy_matches_cp(tmp_path: Path) -> None:
    """``copy_to`` against ``cp``: a 0640 source gives a 0640 copy and a 0755 tool stays 0755."""
    sources = tmp_path / 'src'
    sources.mkdir()
    (sources / 'a.nc').write_bytes(b'a')
    (sources / 'a.nc').chmod(0o640)
    (sources / 'tool').write_bytes(b'#!')
    (sources / 'tool').chmod(0o755)
    (tmp_path / 'cp').mkdir()
    for name in ('a.nc', 'tool'):
        subprocess.run(['cp', str(sources / name), str(tmp_path / 'cp' / name)], check=True)

    copy_to([sources / 'a.nc', sources / 'tool'], tmp_path / 'ours')

    for name in ('a.nc', 'tool'):
        assert _mode(tmp_path / 'ours' / name) == _mode(tmp_path / 'cp' / name), name


def test_permissions_move_into_place_follows_the_umask(tmp_path: Path) -> None:
    """The one helper behind archives, crops, copies and converter results, under umask 027."""
    os.umask(0o027)
    temporary = tmp_path / '.result.part'
    temporary.write_bytes(b'r')
    temporary.chmod(0o600)

    placed = move_into_place(temporary, tmp_path / 'out' / 'result.nc')

    assert _mode(placed) == 0o640 and not temporary.exists()
