"""Which files of a download directory a clean-up may delete: completed, unused downloads.

A dataset directory records its completed download in a manifest (:data:`DOWNLOAD_RECORD_NAME`,
JSON with ``file``, ``size`` and ``dataset_id``), written by the downloaders once the file is
complete. Only such files are candidates, and only while nobody holds their dataset's lock
(``locks.dataset_lock``): a dataset being cropped, converted or archived keeps its files.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from geospaas_processing import locks

#: The manifest of a dataset directory (the downloaders write it).
DOWNLOAD_RECORD_NAME = '.geospaas_download.json'


@dataclass(frozen=True)
class CompletedDownload:
    """The complete file of one dataset directory, as its manifest records it."""

    directory: Path
    path: Path
    size: int
    dataset_id: int | None


def completed_download(directory: str | os.PathLike[str]) -> CompletedDownload | None:
    """The completed download a dataset directory's manifest names, when present with its size."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / DOWNLOAD_RECORD_NAME).read_text(encoding='utf-8'))
        name, size = str(manifest['file']), int(manifest['size'])
        dataset_id = manifest.get('dataset_id')
        dataset_id = None if dataset_id is None else int(dataset_id)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not name or '/' in name or name in ('.', '..'):
        return None
    path = directory / name
    try:
        if not path.is_symlink() and path.is_file() and path.stat().st_size == size:
            return CompletedDownload(directory, path, size, dataset_id)
    except OSError:
        return None
    return None


def is_deletable_download(directory: str | os.PathLike[str]) -> bool:
    """Whether the completed download of ``directory`` may be deleted to make room now.

    True only for a directory whose manifest names a complete file and whose dataset lock is
    free at this instant. A manifest without ``dataset_id`` cannot tell whose lock to check:
    its file may go only while no dataset lock at all is held.
    Use :func:`deleting_download` to delete one, which holds the lock while deleting.
    """
    with deleting_download(directory) as download:
        return download is not None


@contextmanager
def deleting_download(directory: str | os.PathLike[str]) -> Iterator[CompletedDownload | None]:
    """Hold the dataset lock of a completed download while the block deletes it.

    Yields the download, or None when it may not be deleted (no completed download, or its
    dataset's lock is held by someone else).
    """
    download = completed_download(directory)
    if download is None:
        yield None
        return
    if download.dataset_id is None:
        yield None if locks.any_dataset_locked() else download
        return
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(locks.dataset_lock(download.dataset_id))
        except locks.LockBusy:
            yield None
            return
        yield download


def delete_download(download: CompletedDownload) -> bool:
    """Delete a completed download: its file, then its manifest, then the directory if empty.

    The file goes first: a manifest left alone by a crash names a missing file, which counts
    as not downloaded. Returns False when the file was already gone.
    """
    try:
        download.path.unlink()
    except FileNotFoundError:
        return False
    (download.directory / DOWNLOAD_RECORD_NAME).unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # other files (partial, the user's) keep it
        download.directory.rmdir()
    return True
