"""Copy or link dataset files to another place, with flag files and a time-to-live clean-up.

What ``geospaas-copy`` does, as a library, and the ``copy`` task's copier. Everything here
works on paths; the only function that touches the catalog is :func:`flag_from_dataset`.

What :func:`copy_to` makes is written in a record in the destination (:data:`RECORD_NAME`):
:func:`remove_expired` deletes only what that record lists and is still the very file or
link that was made, never other files of the destination.

Errors::

    GeospaasProcessingError
    └── CopyError      invalid destination or time to live

Failures of single files do not raise: they are reported as ``failed`` outcomes so that
one unreadable file does not stop the others.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import math
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from geospaas_processing.errors import GeospaasProcessingError
from geospaas_processing.storage import creation_mode, move_into_place

SECONDS_PER_DAY = 86400
DEFAULT_TIME_TO_LIVE_DAYS = 90
#: The record of what :func:`copy_to` made in a destination, and the lock guarding it.
RECORD_NAME = '.geospaas-copy-record.json'
RECORD_LOCK_NAME = '.geospaas-copy-record.lock'

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
    relative_to: str | os.PathLike | None = None,
    overwrite: bool = False,
    record: bool = True,
) -> list[CopyOutcome]:
    """Copy (or symlink) each file or directory into ``destination``.

    By default each source lands under its own name and an existing name (even a broken
    link) is ``skipped``, never overwritten. Copies are complete or absent: each file is
    written under a temporary name and moved into place with the permissions ``cp`` gives
    (the source's, minus the umask). Copies get the current time as modification time.
    With ``flag``, ``<name>.flag`` is written next to each new copy or link.

    Args:
        relative_to: keep each source's path relative to this directory
            (``relative_to/a/b.nc`` lands in ``destination/a/b.nc``) instead of its name.
        overwrite: replace existing files (directories are merged file by file).
        record: list what was made in the destination's record, so that
            :func:`remove_expired` may delete it later (``geospaas-copy`` does).

    Raises:
        CopyError: the destination is not a writable directory, or a source is not under
            ``relative_to``.
    """
    target_dir = check_destination(destination)
    target_dir.mkdir(parents=True, exist_ok=True)
    outcomes = [
        _copy_one(
            Path(source), _target(Path(source), target_dir, relative_to), link, flag, overwrite
        )
        for source in sources
    ]
    if record:
        made = [
            outcome.destination for outcome in outcomes if outcome.status in ('copied', 'linked')
        ]
        flags = [_flag_path(path) for path in made] if flag is not None else []
        _record_made(target_dir, made + flags)
    return outcomes


def _target(source: Path, target_dir: Path, relative_to: str | os.PathLike | None) -> Path:
    if relative_to is None:
        return target_dir / source.name
    base = Path(relative_to).absolute()
    absolute = source if source.is_absolute() else base / source
    try:
        relative = Path(os.path.normpath(absolute)).relative_to(os.path.normpath(base))
    except ValueError:
        raise CopyError(f'{source} is not under {base}') from None
    if not relative.parts:
        raise CopyError(f'{source} is the directory {base} itself, not a path under it')
    return target_dir / relative


def _flag_path(path: Path) -> Path:
    return path.with_name(f'{path.name}.flag')


def _copy_one(
    source: Path, target: Path, link: bool, flag: Flag | None, overwrite: bool
) -> CopyOutcome:
    if os.path.lexists(target) and not overwrite:
        return CopyOutcome(source, target, 'skipped', 'already present in the destination')
    if not source.exists():
        return CopyOutcome(source, target, 'failed', 'source does not exist')
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if link:
            _link(source, target, overwrite)
        elif source.is_dir():
            _copy_directory(source, target, overwrite)
        else:
            _copy_file(source, target, overwrite)
        if flag is not None:
            _write_atomically(_flag_path(target), flag.content())
    except FileExistsError:
        return CopyOutcome(source, target, 'skipped', 'already present in the destination')
    except OSError as exc:
        return CopyOutcome(source, target, 'failed', str(exc))
    return CopyOutcome(source, target, 'linked' if link else 'copied')


def _link(source: Path, target: Path, overwrite: bool) -> None:
    if not overwrite:
        os.symlink(source.resolve(), target)
        return
    temporary = target.with_name(f'.{target.name}.{os.getpid()}.link')
    os.symlink(source.resolve(), temporary)
    os.replace(temporary, target)


def _copy_file(source: Path, target: Path, overwrite: bool) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f'.{target.name}.')
    os.close(descriptor)
    try:
        shutil.copyfile(source, temporary)
        move_into_place(temporary, target, source_mode=source.stat().st_mode, replace=overwrite)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _copy_with_creation_mode(source: str, target: str) -> str:
    shutil.copyfile(source, target)
    os.chmod(target, creation_mode(target, os.stat(source).st_mode))
    return target


def _copy_directory(source: Path, target: Path, overwrite: bool) -> None:
    if overwrite and target.is_dir() and not target.is_symlink():
        for entry in sorted(source.iterdir()):  # merge into what is there, file by file
            _copy_merged(entry, target / entry.name)
        return
    temporary = Path(tempfile.mkdtemp(dir=target.parent, prefix=f'.{target.name}.'))
    try:
        shutil.copytree(
            source, temporary / 'tree', symlinks=True, copy_function=_copy_with_creation_mode
        )
        move_into_place(temporary / 'tree', target, replace=overwrite)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _copy_merged(source: Path, target: Path) -> None:
    if source.is_symlink():
        _link_as_is(source, target)
    elif source.is_dir():
        _copy_directory(source, target, overwrite=True)
    else:
        _copy_file(source, target, overwrite=True)


def _link_as_is(source: Path, target: Path) -> None:
    temporary = target.with_name(f'.{target.name}.{os.getpid()}.link')
    os.symlink(os.readlink(source), temporary)
    os.replace(temporary, target)


def _write_atomically(path: Path, text: str) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.')
    with os.fdopen(descriptor, 'w') as stream:
        stream.write(text)
    move_into_place(temporary, path)


# --- the record of what was made, and its expiry ------------------------------------------------


@contextlib.contextmanager
def _locked_record(target_dir: Path) -> Iterator[dict[str, dict]]:
    """The record of ``target_dir`` (relative path -> what was made), saved when the block ends.

    Two processes never update one record at once (``flock`` on the record's lock file).
    """
    descriptor = os.open(
        target_dir / RECORD_LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o666
    )
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        entries = _read_record(target_dir)
        before = json.dumps(entries, sort_keys=True)
        yield entries
        if json.dumps(entries, sort_keys=True) != before:
            _write_atomically(target_dir / RECORD_NAME, json.dumps(entries, sort_keys=True) + '\n')
    finally:
        os.close(descriptor)


def _read_record(target_dir: Path) -> dict[str, dict]:
    try:
        entries = json.loads((target_dir / RECORD_NAME).read_text(encoding='utf-8'))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise CopyError(
            f'the record of copies {target_dir / RECORD_NAME} cannot be read ({exc}); '
            'nothing is removed until it is repaired or deleted'
        ) from exc
    return entries if isinstance(entries, dict) else {}


def _identity(path: Path) -> dict | None:
    try:
        status = path.lstat()
    except FileNotFoundError:
        return None
    kind = (
        'link' if stat.S_ISLNK(status.st_mode) else 'file' if stat.S_ISREG(status.st_mode) else None
    )
    if kind is None:
        return None
    # An inode number is reused at once for a new file: the modification time tells them apart.
    return {
        'kind': kind,
        'device': status.st_dev,
        'inode': status.st_ino,
        'size': status.st_size,
        'mtime_ns': status.st_mtime_ns,
    }


def _made_paths(path: Path) -> Iterator[Path]:
    """The files and links one copy made: itself, or everything in a copied directory."""
    if path.is_dir() and not path.is_symlink():
        for directory, subdirectories, files in os.walk(path):
            folder = Path(directory)
            yield from (folder / name for name in files)
            yield from (folder / name for name in subdirectories if (folder / name).is_symlink())
    else:
        yield path


def _record_made(target_dir: Path, made: list[Path]) -> None:
    if not made:
        return
    now = time.time()
    with _locked_record(target_dir) as entries:
        for top in made:
            for path in _made_paths(top):
                identity = _identity(path)
                if identity is not None:
                    entries[path.relative_to(target_dir).as_posix()] = {**identity, 'made': now}


def remove_expired(
    destination: str | os.PathLike,
    time_to_live_days: float,
    *,
    now: float | None = None,
    dry_run: bool = False,
) -> list[Path]:
    """Delete the copies, links and flag files :func:`copy_to` made in ``destination`` more
    than ``time_to_live_days`` days ago.

    Only what the destination's record lists is considered, and only while it is still the
    very file or link that was made (same inode): files put there otherwise, or replaced
    since, are never deleted. Directories left empty by the clean-up are removed too (not
    the destination itself).

    Args:
        dry_run: list what would be deleted, delete nothing.

    Returns:
        The deleted paths (with ``dry_run``: the paths that would be deleted), sorted.

    Raises:
        CopyError: the time to live is not a non-negative number, or the record is unreadable.
    """
    limit = (time.time() if now is None else now) - validate_time_to_live(
        time_to_live_days
    ) * SECONDS_PER_DAY
    root = Path(destination)
    if not (root / RECORD_NAME).is_file():
        return []
    if dry_run:  # read without the lock: a dry run writes nothing, not even a lock file
        return _expired(root, _read_record(root), limit)
    with _locked_record(root) as entries:
        expired = _expired(root, entries, limit)
        for path in expired:
            path.unlink(missing_ok=True)
            entries.pop(path.relative_to(root).as_posix(), None)
            _remove_empty_parents(path.parent, root)
    return expired


def _expired(root: Path, entries: dict[str, dict], limit: float) -> list[Path]:
    expired = []
    for relative, entry in list(entries.items()):
        path = root / relative
        identity = _identity(path) if _inside(root, relative) else None
        made = {key: entry.get(key) for key in ('kind', 'device', 'inode', 'size', 'mtime_ns')}
        if identity != made:
            del entries[relative]  # gone, or no longer what was made: forget it
        elif float(entry.get('made', 0)) < limit:
            expired.append(path)
    return sorted(expired)


def _inside(root: Path, relative: str) -> bool:
    """Whether a record entry names a path under ``root``, its directories not links out."""
    parts = Path(relative).parts
    if not parts or Path(relative).is_absolute() or '..' in parts:
        return False
    return (root / relative).parent.resolve().is_relative_to(root.resolve())


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
