"""LocalDownloader: copies files given as local paths or ``file://`` URLs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from geospaas_processing.downloaders.base import Downloader, RemoteFile, ResumePoint
from geospaas_processing.downloaders.errors import DownloadError, ObsoleteURLError

CHUNK_SIZE = 1024 * 1024


def local_path(url: str) -> Path:
    """The path a local URI names: a bare path or a ``file://`` URL."""
    parts = urlsplit(url)
    if parts.scheme.lower() == 'file':
        return Path(unquote(parts.path))
    return Path(url).expanduser()


class LocalDownloader(Downloader):
    """Copies a local file (service ``local``, bare paths and ``file://`` URLs).

    The validator for a resume is the file's size and modification time.
    """

    services = ('local',)
    schemes = ('', 'file')

    def open(self, url: str, resume: ResumePoint | None = None) -> RemoteFile:
        path = local_path(url)
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
            return local_path(url).stat().st_size
        except OSError:
            return None


def _chunks(handle) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK_SIZE):
        yield chunk
