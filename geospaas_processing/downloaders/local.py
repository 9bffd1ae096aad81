"""LocalDownloader: copies files given as local paths or ``file://`` URLs.

Only files under the directories of ``GEOSPAAS_PROCESSING_LOCAL_SOURCE_DIRS`` are read
(:func:`geospaas_processing.storage.allowed_local_source`): a catalog entry pointing at
``/etc/shadow`` or a user's key must not become a copy in the work directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from geospaas_processing.downloaders.base import Downloader, RemoteFile, ResumePoint
from geospaas_processing.downloaders.errors import DownloadError, ObsoleteURLError
from geospaas_processing.storage import LocalSourceNotAllowedError, allowed_local_source

CHUNK_SIZE = 1024 * 1024


def local_path(url: str) -> Path:
    """The path a local URI names: a bare path or a ``file://`` URL."""
    parts = urlsplit(url)
    if parts.scheme.lower() == 'file':
        return Path(unquote(parts.path))
    return Path(url).expanduser()


def readable_path(url: str) -> Path:
    """The resolved path of a local URI that downloads may read.

    Raises:
        DownloadError: the file is outside the allowed directories (not retried: the
            configuration or the catalog entry must change).
    """
    try:
        return allowed_local_source(url)
    except LocalSourceNotAllowedError as exc:
        raise DownloadError(str(exc), url=str(local_path(url))) from exc


class LocalDownloader(Downloader):
    """Copies a local file (service ``local``, bare paths and ``file://`` URLs).

    The validator for a resume is the file's size and modification time.
    """

    services = ('local',)
    schemes = ('', 'file')

    def open(self, url: str, resume: ResumePoint | None = None) -> RemoteFile:
        path = readable_path(url)
        try:
            handle = path.open('rb')
            status = os.fstat(handle.fileno())
        except FileNotFoundError as exc:
            raise ObsoleteURLError(f'{path} does not exist', url=str(path)) from exc
        except IsADirectoryError as exc:
            raise DownloadError(f'{path} is a directory, not a file', url=str(path)) from exc
        except OSError as exc:
            raise DownloadError(f'cannot read {path}: {exc.strerror}', url=str(path)) from exc
        validator = f'{status.st_size}:{status.st_mtime_ns}'
        offset = 0
        if resume is not None and resume.validator == validator and resume.offset <= status.st_size:
            offset = resume.offset
        handle.seek(offset)
        return RemoteFile(
            chunks=_chunks(handle),
            offset=offset,
            size=status.st_size,
            name=path.name,
            validator=validator,
            close_callback=handle.close,
        )

    def size(self, url: str) -> int | None:
        try:
            return readable_path(url).stat().st_size
        except (OSError, DownloadError):
            return None


def _chunks(handle) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK_SIZE):
        yield chunk
