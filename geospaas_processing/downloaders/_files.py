"""Names and bookkeeping on disk: dataset directories, safe file names, partial files, manifest.

A dataset directory holds at most one downloaded file, written under a partial name
(:func:`geospaas_processing.storage.partial_path`), renamed when complete, then recorded in
the directory's manifest. A dataset counts as downloaded only when the manifest names a
file that is present with the recorded size: a file that merely sits in the directory
does not count, except in a directory made by the original geospaas_processing, which
kept no manifest: :func:`legacy_file` finds its one file, and the caller adopts it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from geospaas_processing.storage import partial_path

MANIFEST_NAME = '.geospaas_download.json'
_UNSAFE_DIRECTORY_CHARACTERS = re.compile(r'[^0-9A-Za-z_.-]+')
_MAX_NAME_BYTES = 200


def dataset_directory_name(entry_id: str, dataset_id: int) -> str:
    """The name of a dataset's directory: its ``entry_id`` when that is a safe name.

    Anything else (separators, ``..``, leading dots, other characters) is replaced, and the
    dataset ID appended so that two sanitised names cannot collide. The result is always a
    single path component that is neither ``.`` nor ``..``.
    """
    name = str(entry_id)
    safe = _UNSAFE_DIRECTORY_CHARACTERS.sub('_', name).lstrip('.')[:_MAX_NAME_BYTES]
    if safe == name and safe:
        return safe
    return f'{safe or "dataset"}_{dataset_id}'


def safe_file_name(name: str | None) -> str | None:
    """A bare file name from an untrusted one (a server's), or None when nothing usable is left.

    Keeps only the last path component (``/`` and ``\\`` both count), drops control
    characters and leading dots, and bounds the length.
    """
    if not name:
        return None
    name = re.split(r'[/\\]', name)[-1]
    name = ''.join(
        character for character in name if unicodedata.category(character)[0] != 'C'
    ).strip()
    name = name.lstrip('.').strip()
    while len(name.encode('utf-8')) > _MAX_NAME_BYTES:
        stem, dot, suffix = name.rpartition('.')
        name = f'{stem[:-1]}{dot}{suffix}' if dot and len(stem) > 1 else name[:-1]
    if not name:
        return None
    if name.endswith('.part') or name == MANIFEST_NAME.lstrip('.'):
        return f'{name}_'  # never mistaken for a partial file or the manifest
    return name


@dataclass(frozen=True)
class PartialFiles:
    """The in-progress files of one URL's transfer into one directory."""

    data: Path
    resume_state: Path

    @classmethod
    def for_url(cls, directory: Path, url: str) -> PartialFiles:
        key = hashlib.sha256(url.encode('utf-8', 'surrogatepass')).hexdigest()[:20]
        return cls(
            data=partial_path(directory / f'download-{key}'),
            resume_state=partial_path(directory / f'download-{key}.resume'),
        )

    def read_validator(self) -> str | None:
        """The validator saved when the transfer began, or None."""
        try:
            return json.loads(self.resume_state.read_text(encoding='utf-8'))['validator']
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write_validator(self, validator: str | None) -> None:
        if validator is None:
            self.resume_state.unlink(missing_ok=True)
        else:
            self.resume_state.write_text(json.dumps({'validator': validator}), encoding='utf-8')

    def remove(self) -> None:
        self.data.unlink(missing_ok=True)
        self.resume_state.unlink(missing_ok=True)


def completed_file(directory: Path) -> Path | None:
    """The downloaded file of a dataset directory, when the manifest says it is complete."""
    try:
        manifest = json.loads((directory / MANIFEST_NAME).read_text(encoding='utf-8'))
        name, size = manifest['file'], int(manifest['size'])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if safe_file_name(name) != name:
        return None
    path = directory / name
    try:
        if path.is_file() and not path.is_symlink() and path.stat().st_size == size:
            return path
    except OSError:
        return None
    return None


def legacy_file(directory: Path) -> Path | None:
    """The one file of a dataset directory without manifest (made by the original package).

    Returns it when the directory holds exactly one entry besides this package's partial
    files, and that entry is a regular file whose name is not a partial one; else None.
    """
    try:
        if (directory / MANIFEST_NAME).exists():
            return None
        entries = [entry for entry in directory.iterdir() if not _is_own_partial(entry.name)]
    except OSError:
        return None
    if len(entries) != 1:
        return None
    entry = entries[0]
    partial_name = entry.name.endswith(('.part', '.tmp', '.partial'))
    if partial_name or entry.is_symlink() or not entry.is_file():
        return None
    return entry


def _is_own_partial(name: str) -> bool:
    return name.startswith('.download-') and name.endswith('.part')


def record_completed(
    directory: Path, path: Path, size: int, source: str, dataset_id: int | None = None
) -> None:
    """Write the manifest saying ``path`` (in ``directory``) is the complete download.

    ``dataset_id`` lets free-space management find the dataset's lock before deleting
    (:func:`geospaas_processing.storage.deleting_download`).
    """
    manifest = {
        'dataset_id': dataset_id,
        'file': path.name,
        'size': size,
        'source': source,
        'completed': datetime.now(UTC).isoformat(timespec='seconds'),
    }
    # Neither a temporary name nor an fsync for the manifest: after a crash an empty or
    # truncated manifest does not parse, so the dataset is simply downloaded again. One
    # directory fsync makes the data file's rename and the manifest durable.
    (directory / MANIFEST_NAME).write_text(json.dumps(manifest), encoding='utf-8')
    fsync_directory(directory)


def forget_completed(directory: Path) -> Path | None:
    """Remove the manifest, the downloaded file and partial files of a dataset directory.

    A directory without manifest (see :func:`legacy_file`) loses its one file.

    Returns the removed downloaded file, if there was one. The directory itself is removed
    when it is left empty.
    """
    path = completed_file(directory) or legacy_file(directory)
    if path is not None:
        path.unlink(missing_ok=True)
    (directory / MANIFEST_NAME).unlink(missing_ok=True)
    if directory.is_dir():
        for entry in directory.iterdir():
            if _is_own_partial(entry.name):
                entry.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # not empty: the other files belong to the user
            directory.rmdir()
    return path


def fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
