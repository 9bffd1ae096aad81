"""Copy or link dataset files to another place, with flag files and a time-to-live clean-up.

What ``geospaas-copy`` does, as a library. Everything here works on paths; the only
function that touches the catalog is :func:`flag_from_dataset`.

Errors::

    GeospaasProcessingError
    └── CopyError      invalid destination or time to live

Failures of single files do not raise: they are reported as ``failed`` outcomes so that
one unreadable file does not stop the others.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from geospaas_processing.errors import GeospaasProcessingError

SECONDS_PER_DAY = 86400
DEFAULT_TIME_TO_LIVE_DAYS = 90

CopyStatus = Literal['copied', 'linked', 'skipped', 'failed']


class CopyError(GeospaasProcessingError):
    """The copy cannot start: invalid destination or time to live (the message says which)."""


@dataclass(frozen=True)
class Flag:
    """What a flag file says about the dataset a copy comes from."""

    type: str
    entry_id: str
    entry_title: str
    source: str
    data_center: str
    summary: str
    urls: tuple[str, ...] = ()

    def content(self) -> str:
        """The text of the ``<name>.flag`` file, one ``key: value`` per line."""
        lines = [
            f'type: {self.type}',
            f'entry_id: {self.entry_id}',
            f'entry_title: {_one_line(self.entry_title)}',
            f'source: {self.source}',
            f'data_center: {self.data_center}',
            *(f'- url: {url}' for url in self.urls),
            f'summary: {_one_line(self.summary)}',
        ]
        return '\n'.join(lines) + '\n'


def _one_line(text: str) -> str:
    return ' '.join(str(text).split())


def flag_from_dataset(dataset, flag_type: str = '') -> Flag:
    """The flag of a catalog ``Dataset``: its remote URIs (service other than ``local``)."""
    from geospaas_processing.catalog.services import LOCAL_FILE_SERVICE

    source = dataset.source
    uris = dataset.dataseturi_set.exclude(service=LOCAL_FILE_SERVICE).order_by('id')
    return Flag(
        type=flag_type,
        entry_id=str(dataset.entry_id),
        entry_title=dataset.entry_title,
        source=f'{source.platform.short_name}/{source.instrument.short_name}' if source else '',
        data_center=dataset.data_center.short_name,
        summary=dataset.summary,
        urls=tuple(uri.uri for uri in uris),
    )


@dataclass(frozen=True)
class CopyOutcome:
    """What happened to one source: ``copied``, ``linked``, ``skipped`` (exists) or ``failed``."""

    source: Path
    destination: Path
    status: CopyStatus
    reason: str = ''


def check_destination(destination: str | os.PathLike) -> Path:
    """The destination as a Path if it is (or can be created as) a writable directory.

    Nothing is created. Raises CopyError naming the problem otherwise.
    """
    path = Path(destination).expanduser()
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise CopyError(f'destination {path}: {existing} is not a directory')
    if not os.access(existing, os.W_OK | os.X_OK):
        raise CopyError(f'destination {path} is not writable ({existing})')
    return path


def validate_time_to_live(value: object) -> float:
    """A time to live in days as a float; CopyError unless it is a non-negative number."""
    if isinstance(value, bool):
        raise CopyError(f'the time to live must be a non-negative number of days, got {value!r}')
    try:
        days = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CopyError(
            f'the time to live must be a non-negative number of days, got {value!r}'
        ) from None
    if math.isnan(days) or days < 0:
        raise CopyError(f'the time to live must be a non-negative number of days, got {value!r}')
    return days


def copy_to(
    sources: Iterable[str | os.PathLike],
    destination: str | os.PathLike,
    *,
    link: bool = False,
    flag: Flag | None = None,
) -> list[CopyOutcome]:
    """Copy (or symlink) each file or directory into ``destination``, never overwriting.

    A source whose name already exists in the destination (even as a broken link) is
    ``skipped``. Copies get the current time as modification time, so that their age for
    :func:`remove_expired` counts from the copy. With ``flag``, ``<name>.flag`` is written
    next to each new copy or link.

    Raises:
        CopyError: the destination is not a writable directory.
    """
    target_dir = check_destination(destination)
    target_dir.mkdir(parents=True, exist_ok=True)
    return [_copy_one(Path(source), target_dir, link, flag) for source in sources]


def _copy_one(source: Path, target_dir: Path, link: bool, flag: Flag | None) -> CopyOutcome:
    target = target_dir / source.name
    if os.path.lexists(target):
        return CopyOutcome(source, target, 'skipped', 'already present in the destination')
    if not source.exists():
        return CopyOutcome(source, target, 'failed', 'source does not exist')
    try:
        if link:
            os.symlink(source.resolve(), target)
        elif source.is_dir():
            _copy_directory(source, target)
        else:
            _copy_file(source, target)
        if flag is not None:
            _write_atomically(target_dir / f'{source.name}.flag', flag.content())
    except FileExistsError:
        return CopyOutcome(source, target, 'skipped', 'already present in the destination')
    except OSError as exc:
        return CopyOutcome(source, target, 'failed', str(exc))
    return CopyOutcome(source, target, 'linked' if link else 'copied')


def _copy_file(source: Path, target: Path) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f'.{target.name}.')
    os.close(descriptor)
    try:
        shutil.copyfile(source, temporary)
        shutil.copymode(source, temporary)
        # A hard link, unlike a rename, fails if the name was taken meanwhile.
        os.link(temporary, target)
    finally:
        os.unlink(temporary)


def _copy_directory(source: Path, target: Path) -> None:
    temporary = Path(tempfile.mkdtemp(dir=target.parent, prefix=f'.{target.name}.'))
    try:
        shutil.copytree(source, temporary / 'tree', symlinks=True, copy_function=shutil.copy)
        if os.path.lexists(target):
            raise FileExistsError(target)
        os.rename(temporary / 'tree', target)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _write_atomically(path: Path, text: str) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.')
    with os.fdopen(descriptor, 'w') as stream:
        stream.write(text)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def remove_expired(
    destination: str | os.PathLike, time_to_live_days: float, *, now: float | None = None
) -> list[Path]:
    """Delete the files and symlinks under ``destination`` owned by the current user and
    last modified more than ``time_to_live_days`` days ago.

    Symbolic links are judged by their own age and never followed; directories left empty
    by the clean-up are removed too (not the destination itself).

    Returns:
        The deleted paths.

    Raises:
        CopyError: the time to live is not a non-negative number.
    """
    limit = (time.time() if now is None else now) - validate_time_to_live(
        time_to_live_days
    ) * SECONDS_PER_DAY
    root = Path(destination)
    if not root.is_dir():
        return []
    uid = os.geteuid()
    removed: list[Path] = []
    emptied: set[Path] = set()
    for directory, subdirectories, files in os.walk(root, topdown=False):
        folder = Path(directory)
        for name in files + [name for name in subdirectories if (folder / name).is_symlink()]:
            path = folder / name
            status = path.lstat()
            if status.st_uid == uid and status.st_mtime < limit:
                path.unlink()
                removed.append(path)
                emptied.add(folder)
        if folder in emptied and folder != root and not any(folder.iterdir()):
            folder.rmdir()
            emptied.add(folder.parent)
    return removed
