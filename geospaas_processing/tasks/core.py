"""Core tasks: download, crop, archive/unarchive, copy and publish a dataset's files.

Paths passed between these tasks are relative to ``GEOSPAAS_PROCESSING_WORK_DIR``.
The second element of a task's first argument may be one path or a list of
paths; each task returns the same shape it was given.

Worker command, as documented::

    celery -A geospaas_processing.tasks.core worker -l info -Q core -E -c 4 --max-tasks-per-child 4
"""

from __future__ import annotations

import logging
import shutil
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
def unarchive(self, args: Sequence[Any]) -> tuple[int, PathsLike]:
    """Extract each archive safely; non-archives pass through: ``(id, paths)``."""
    from geospaas_processing.ops.archive import unarchive as unarchive_path

    def extract(path: str) -> str:
        extracted = unarchive_path(in_work_dir(path))
        return path if extracted is None else relative_to_work_dir(extracted)

    dataset_id, paths = int(args[0]), args[1]
    return dataset_id, map_paths(paths, extract)


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
    """Copy each path to ``copy_to`` as well; a failure is logged and never breaks the chain."""
    dataset_id, paths = int(args[0]), args[1]
    if copy_to:
        for path in [paths] if isinstance(paths, str) else paths:
            try:
                _copy_one(in_work_dir(path), Path(copy_to) / path)
            except (OSError, ValueError) as exc:
                logger.error(
                    'could not copy %s of dataset %s to %s: %s', path, dataset_id, copy_to, exc
                )
    return dataset_id, paths


def _copy_one(source: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, destination, dirs_exist_ok=True)
    else:
        shutil.copy2(source, destination)


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

    Returns the removed top-level entries; retries later while something is locked.
    """
    try:
        with locks.named_lock('cleanup-workdir'):
            if locks.any_dataset_locked():
                raise locks.LockBusy('a dataset lock is held')
            removed = []
            for entry in sorted(work_dir().iterdir()):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
                removed.append(entry.name)
            return removed
    except locks.LockBusy as busy:
        wait_before_retry(self, CLEANUP_RETRY_COUNTDOWN_SECONDS)
        raise self.retry(exc=busy, countdown=CLEANUP_RETRY_COUNTDOWN_SECONDS) from busy
