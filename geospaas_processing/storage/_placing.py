"""Put a finished result in its final place in one step, with the permissions of a new file."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import threading
import uuid
from pathlib import Path

_umask_lock = threading.Lock()


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    with contextlib.suppress(OSError, ValueError):
        with open('/proc/self/status', encoding='ascii') as status:
            for line in status:
                if line.startswith('Umask:'):
                    return int(line.split()[1], 8)
    with _umask_lock:  # elsewhere the only way to read it is to set it for an instant
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def creation_mode(path: str | os.PathLike[str], source_mode: int | None = None) -> int:
    """The mode a normally created file or directory at ``path`` gets: ``0o666`` (files) or
    ``0o777`` (directories), or ``source_mode`` for a copy, minus the umask (as ``cp`` does)."""
    if source_mode is None:
        source_mode = 0o777 if os.path.isdir(path) else 0o666
    return stat.S_IMODE(source_mode) & 0o777 & ~current_umask()


def move_into_place(
    temporary: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    source_mode: int | None = None,
    replace: bool = True,
) -> Path:
    """Give ``temporary`` (a finished file or directory) its final name ``target`` at once.

    Temporary files (``mkstemp``: mode 0600; ``mkdtemp``: 0700) first get the permissions a
    normally created file would have (umask applied; see :func:`creation_mode`), so that a
    result can be served or shared like any other file. The move is a rename within one
    filesystem: a reader sees the old result or the complete new one, never a partial one.
    An existing file is replaced in one step; an existing directory (or a file replaced by a
    directory) is renamed aside, the new one renamed in, then the old one deleted.

    Args:
        temporary: the finished result, on the filesystem of ``target``.
        target: its final path; missing parent directories are created.
        source_mode: for a copy, the mode of the original (masked by the umask as ``cp``
            does); by default the mode of a new file or directory.
        replace: when False, an existing ``target`` is left as it is and
            :class:`FileExistsError` raised (``temporary`` is then left for the caller).

    Returns:
        ``target`` as a Path.
    """
    temporary, target = Path(temporary), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(temporary, creation_mode(temporary, source_mode))
    if not replace:
        _move_exclusively(temporary, target)
    elif temporary.is_dir() or (target.is_dir() and not target.is_symlink()):
        _swap(temporary, target)
    else:
        os.replace(temporary, target)
    return target


def _move_exclusively(temporary: Path, target: Path) -> None:
    if temporary.is_dir() and not temporary.is_symlink():
        # rename() would replace an empty directory: check, then rename (a narrow race left).
        if os.path.lexists(target):
            raise FileExistsError(target)
        os.rename(temporary, target)
        return
    # link() fails when the name exists, even when it was taken a moment ago.
    os.link(temporary, target, follow_symlinks=False)
    os.unlink(temporary)


def _swap(temporary: Path, target: Path) -> None:
    if not os.path.lexists(target):
        os.rename(temporary, target)
        return
    aside = target.with_name(f'.{target.name}.replaced-{uuid.uuid4().hex[:8]}')
    os.rename(target, aside)
    os.rename(temporary, target)
    if aside.is_dir() and not aside.is_symlink():
        shutil.rmtree(aside, ignore_errors=True)
    else:
        aside.unlink(missing_ok=True)
