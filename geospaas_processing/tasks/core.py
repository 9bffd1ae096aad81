"""Core tasks: download, crop, archive/unarchive, copy and publish a dataset's files.

Paths passed between these tasks are relative to ``GEOSPAAS_PROCESSING_WORK_DIR``.
The second element of a task's first argument may be one path or a list of
paths; each task returns the same shape it was given.

Worker command, as documented::

    celery -A geospaas_processing.tasks.core worker -l info -Q core -E -c 4 --max-tasks-per-child 4
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from geospaas_processing import config, locks
from geospaas_processing.tasks import (
    LONG_TASK_OPTIONS,
    app,
    lock_dataset_files,
    wait_before_retry,
)

logger = logging.getLogger(__name__)

__all__ = [
    'app',
    'archive',
    'cleanup_workdir',
    'copy',
    'crop',
    'download',
    'publish',
    'remove_downloaded',
    'unarchive',
]

PathsLike = str | Sequence[str]
CLEANUP_RETRY_COUNTDOWN_SECONDS = 120


def work_dir() -> Path:
    """The work directory, created when missing."""
    directory = config.work_dir()
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def map_paths(paths: PathsLike, function: Callable[[str], str]) -> PathsLike:
    """Apply ``function`` to one path or to each path of a list, keeping the shape."""
    if isinstance(paths, str):
        return function(paths)
    return [function(path) for path in paths]


def relative_to_work_dir(path: Path) -> str:
    """``path`` as the tasks pass it on: relative to the work directory."""
    return str(path.resolve().relative_to(work_dir().resolve()))


def in_work_dir(relative_path: str) -> Path:
    """The absolute path of a task path, refusing one that points outside the work directory."""
    root = work_dir().resolve()
    path = (root / relative_path).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f'{relative_path!r} points outside the work directory {root}')
    return path


@app.task
def ping() -> str:
    """An empty task: ``'pong'``. Checks that a worker answers; measures per-task overhead."""
    return 'pong'


@app.task(bind=True, **LONG_TASK_OPTIONS)
@lock_dataset_files
def download(self, args: Sequence[Any]) -> tuple[int, tuple[str, ...]]:
    """Download a dataset into the work directory: ``(id,)`` -> ``(id, (path,))``.

    Temporary failures (no free provider slot, a 503, a cut connection) are retried by the
    tasks' policy (honouring a Retry-After), a full disk a few times, minutes apart.
    """
    from geospaas_processing.downloaders import DownloadManager

    dataset_id = int(args[0])
    manager = DownloadManager(
        download_directory=str(work_dir()),
        provider_settings_path=config.get('GEOSPAAS_PROCESSING_PROVIDER_SETTINGS_PATH'),
        max_downloads=1,
        free_space=True,
        id=dataset_id,
    )
    paths = manager.download()
    return dataset_id, tuple(paths)


@app.task(bind=True)
@lock_dataset_files
def remove_downloaded(self, args: Sequence[Any]) -> tuple[int, list[str]]:
    """Remove a dataset's downloaded files from the work directory: ``(id,)`` -> ``(id, [])``."""
    from geospaas_processing.downloaders import DownloadManager

    dataset_id = int(args[0])
    DownloadManager(download_directory=str(work_dir()), id=dataset_id).remove()
    return dataset_id, []


@app.task(bind=True, **LONG_TASK_OPTIONS)
@lock_dataset_files
def archive(self, args: Sequence[Any]) -> tuple[int, PathsLike]:
    """Compress each path into a tar.gz (archives stay as they are): ``(id, paths)``.

    A full disk is retried like the download's: a few times, minutes apart.
    """
    from geospaas_processing.ops.archive import archive as archive_path

    dataset_id, paths = int(args[0]), args[1]
    return dataset_id, map_paths(
        paths, lambda path: relative_to_work_dir(archive_path(in_work_dir(path)))
    )


@app.task(bind=True, **LONG_TASK_OPTIONS)
@lock_dataset_files
def unarchive(self, args: Sequence[Any]) -> tuple[int, list[str]]:
    """Extract each archive safely: ``(id, paths)`` -> ``(id, [extracted paths])``.

    As upstream's task, the result is the list of what each archive holds at its top (the
    entries of its extraction directory), relative to the work directory, so that
    ``unarchive | convert_to_idf`` works; paths that are not archives pass through.
    """
    from geospaas_processing.ops.archive import unarchive as unarchive_path

    def extract(path: str) -> list[str]:
        extracted = unarchive_path(in_work_dir(path))
        if extracted is None:
            return [path]
        return [relative_to_work_dir(entry) for entry in sorted(extracted.iterdir())]

    dataset_id, paths = int(args[0]), args[1]
    listed = [paths] if isinstance(paths, str) else paths
    return dataset_id, [entry for path in listed for entry in extract(path)]


@app.task(bind=True, **LONG_TASK_OPTIONS)
@lock_dataset_files
def crop(
    self, args: Sequence[Any], bounding_box: Sequence[float] | None = None
) -> tuple[int, PathsLike]:
    """Crop each file to ``bounding_box`` = [west, north, east, south]; no box: unchanged."""
    dataset_id, paths = int(args[0]), args[1]
    if not bounding_box:
        return dataset_id, paths
    from geospaas_processing.ops.crop import crop as crop_path

    return dataset_id, map_paths(
        paths, lambda path: relative_to_work_dir(crop_path(in_work_dir(path), bounding_box))
    )


@app.task(bind=True)
@lock_dataset_files
def copy(self, args: Sequence[Any], copy_to: str | None = None) -> tuple[int, PathsLike]:
    """Copy each path to ``copy_to`` as well, keeping its path relative to the work directory
    (``copy_to/<path>``) and replacing older copies; a failure is logged and never breaks
    the chain, which goes on with the paths it was given."""
    from geospaas_processing import copiers

    dataset_id, paths = int(args[0]), args[1]
    if not copy_to:
        return dataset_id, paths
    for path in [paths] if isinstance(paths, str) else paths:
        try:
            outcomes = copiers.copy_to(
                [in_work_dir(path)],
                copy_to,
                relative_to=work_dir().resolve(),
                overwrite=True,
                record=False,
            )
        except (copiers.CopyError, ValueError) as exc:
            outcomes, reason = [], str(exc)
        else:
            reason = '; '.join(o.reason for o in outcomes if o.status == 'failed')
        if reason:
            logger.error(
                'could not copy %s of dataset %s to %s: %s', path, dataset_id, copy_to, reason
            )
    return dataset_id, paths


@app.task(bind=True, **LONG_TASK_OPTIONS)
@lock_dataset_files
def publish(self, args: Sequence[Any], publish_mode: str = 'in_place') -> tuple[int, PathsLike]:
    """Make each path reachable and return its URL.

    ``in_place``: URLs under ``GEOSPAAS_PROCESSING_PUBLISH_PREFIX``. ``ftp``: copied
    over SSH to ``GEOSPAAS_PROCESSING_FTP_HOST`` under ``FTP_ROOT/FTP_PATH``,
    returning ``ftp://HOST/PATH/<relative path>``.
    """
    from geospaas_processing.ops import publish as publish_path

    dataset_id, paths = int(args[0]), args[1]
    return dataset_id, map_paths(
        paths, lambda path: publish_path(path, publish_mode, local_root=work_dir())
    )


@app.task(bind=True)
def cleanup_workdir(self) -> list[str]:
    """Empty the work directory when no dataset lock and no clean-up lock is held.

    Entries where anything changed in the last ten minutes (a download being written, a
    result just made) are kept (``LocalStorage.clear``). Returns the removed top-level
    entries; retries later while something is locked.
    """
    from geospaas_processing.storage import LocalStorage

    try:
        with locks.named_lock('cleanup-workdir'):
            if locks.any_dataset_locked():
                raise locks.LockBusy('a dataset lock is held')
            # Entries changed recently stay too: locks alone vanish with a flushed Redis.
            return LocalStorage(work_dir()).clear()
    except locks.LockBusy as busy:
        wait_before_retry(self, CLEANUP_RETRY_COUNTDOWN_SECONDS)
        raise self.retry(exc=busy, countdown=CLEANUP_RETRY_COUNTDOWN_SECONDS) from busy
