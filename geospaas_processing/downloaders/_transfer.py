"""Writing one URL into a dataset directory: partial file, resume, checks, fsync, rename."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import logging
import os
import posixpath
import threading
import time
from collections.abc import Callable, Hashable
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from geospaas_processing.downloaders import _files
from geospaas_processing.downloaders.base import Downloader, RemoteFile, ResumePoint
from geospaas_processing.downloaders.errors import (
    DownloadCancelled,
    DownloadError,
    LowSpeedError,
    NoSpaceLeftError,
    RetriableDownloadError,
)
from geospaas_processing.downloaders.progress import TransferProgress
from geospaas_processing.locks import Lease, LeaseLost
from geospaas_processing.redaction import redact_url

LOGGER = logging.getLogger(__name__)
LEASE_CHECK_INTERVAL = 1.0
#: Smaller files are downloaded again from the start rather than resumed.
RESUMABLE_SIZE = 1024 * 1024
WRITEBACK_WINDOW = 16 * 1024 * 1024

#: Called with the number of bytes about to be written, to make room for them.
RoomMaker = Callable[[int, Path], None]


def fetch(
    downloader: Downloader,
    url: str,
    directory: Path,
    *,
    lease: Lease | None = None,
    progress: TransferProgress | None = None,
    key: Hashable = None,
    make_room: RoomMaker | None = None,
    cancel: threading.Event | None = None,
) -> tuple[Path, int]:
    """Download ``url`` into ``directory``; return the complete file's path and size.

    ``progress`` hears of the transfer under ``key`` (see
    :mod:`geospaas_processing.downloaders.progress`). ``cancel``, when set, stops the
    transfer at the next block with :class:`DownloadCancelled`, keeping the partial file.
    A transfer slower than the provider's low-speed limit for its low-speed time stops
    with :class:`LowSpeedError`, keeping the partial file too.

    The bytes go to a partial file renamed only once complete, fsynced and checked
    (size, checksums); the caller makes the rename durable (:func:`_files.record_completed`
    fsyncs the directory once for the file and its manifest). An interrupted transfer of a
    file of ``RESUMABLE_SIZE`` or more leaves the partial file so that the next call resumes
    it when the server allows; a corrupt or refused one removes it.

    Raises:
        DownloadError: and its subclasses, see :class:`Downloader`; ``NoSpaceLeftError``
            when the disk is full; ``RetriableDownloadError`` when the slot's lease was lost
            or another process is writing the same file.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(
            f'cannot create the download directory {directory}: {exc.strerror}'
        ) from exc
    partial = _files.PartialFiles.for_url(directory, url)
    watch = _Watch(downloader, redact_url(url), lease, progress, key, cancel)
    with _exclusive(partial.data, url) as handle:
        completed = False
        try:
            remote = downloader.open(url, _resume_point(handle, partial))
            try:
                size = _receive(remote, handle, partial, watch, make_room)
            finally:
                remote.close()
            final = directory / (
                _files.safe_file_name(remote.name)
                or _files.safe_file_name(_url_name(url))
                or 'data'
            )
            _move_into_place(partial, final)
            completed = True
        except NoSpaceLeftError:
            partial.remove()
            raise
        except (DownloadError, LeaseLost) as exc:
            if handle.seek(0, os.SEEK_END) == 0:
                partial.remove()
            if isinstance(exc, LeaseLost):
                raise RetriableDownloadError(
                    f'stopped downloading {redact_url(url)}: the provider slot was lost ({exc})',
                    url=redact_url(url),
                ) from exc
            raise
        finally:
            if progress is not None and watch.started:
                progress.finish(key, completed)
    return final, size


def _move_into_place(partial: _files.PartialFiles, final: Path) -> None:
    try:
        os.replace(partial.data, final)
    except OSError as exc:
        raise DownloadError(f'cannot write {final}: {exc.strerror}') from exc
    partial.resume_state.unlink(missing_ok=True)


@contextmanager
def _exclusive(path: Path, url: str):
    """Open (creating) the partial file, locked so that one process at a time writes it."""
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DownloadError(f'cannot write in {path.parent}: {exc.strerror}') from exc
    handle = os.fdopen(descriptor, 'r+b', buffering=0)
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RetriableDownloadError(
                f'another process is downloading {redact_url(url)} into {path.parent}',
                url=redact_url(url),
            ) from None
        yield handle
    finally:
        handle.close()


def _resume_point(handle: BinaryIO, partial: _files.PartialFiles) -> ResumePoint | None:
    offset = handle.seek(0, os.SEEK_END)
    validator = partial.read_validator()
    if offset > 0 and validator:
        return ResumePoint(offset, validator)
    return None


class _Watch:
    """What the transfer loop checks per block: progress, lease, cancellation, low speed."""

    def __init__(
        self,
        downloader: Downloader,
        url: str,
        lease: Lease | None,
        progress: TransferProgress | None,
        key: Hashable,
        cancel: threading.Event | None,
    ) -> None:
        self.lease = lease
        self.progress = progress
        self.key = key
        self.cancel = cancel
        self.speed_limit = float(downloader.settings.low_speed_limit)
        self.speed_time = float(downloader.settings.low_speed_time)
        self.url = url
        self.started = False

    def begin(self, remote: RemoteFile) -> None:
        now = time.monotonic()
        self.lease_checked_at = now
        self.window_start, self.window_bytes = now, 0
        if self.progress is not None:
            self.started = True
            self.progress.start(self.key, remote.size, remote.offset)

    def block(self, count: int) -> None:
        """Called after each block written."""
        if self.progress is not None:
            self.progress.advance(self.key, count)
        if self.cancel is not None and self.cancel.is_set():
            raise DownloadCancelled(
                f'the download of {self.url} was cancelled; the partial file is kept',
                url=self.url,
            )
        now = time.monotonic()
        self.window_bytes += count
        if self.speed_limit > 0 and now - self.window_start >= self.speed_time:
            self._check_speed(now)
        if self.lease is not None and now - self.lease_checked_at >= LEASE_CHECK_INTERVAL:
            self.lease.check()
            self.lease_checked_at = now

    def _check_speed(self, now: float) -> None:
        rate = self.window_bytes / (now - self.window_start)
        if rate < self.speed_limit:
            raise LowSpeedError(
                f'the transfer of {self.url} ran at {rate:.0f} bytes/s for '
                f'{now - self.window_start:.0f} s, below the low-speed limit of '
                f'{self.speed_limit:.0f} bytes/s (provider settings low_speed_limit and '
                'low_speed_time); the partial file is kept for a resume',
                url=self.url,
            )
        self.window_start, self.window_bytes = now, 0


def _receive(
    remote: RemoteFile,
    handle: BinaryIO,
    partial: _files.PartialFiles,
    watch: _Watch,
    make_room: RoomMaker | None,
) -> int:
    handle.truncate(remote.offset)
    handle.seek(remote.offset)
    if remote.size is None or remote.size - remote.offset >= RESUMABLE_SIZE:
        partial.write_validator(remote.validator)
    else:  # a small file is fetched again rather than resumed: spares two file operations
        partial.write_validator(None)
    if make_room is not None and remote.size is not None:
        make_room(max(0, remote.size - remote.offset), partial.data.parent)
    hashers = _hashers(remote, handle)
    written = remote.offset
    watch.begin(remote)
    written_back = written
    for chunk in remote.chunks:
        _write(handle, chunk, partial.data.parent)
        for hasher in hashers.values():
            hasher.update(chunk)
        written += len(chunk)
        if written - written_back >= WRITEBACK_WINDOW:
            _start_writeback(handle, written_back, written - written_back)
            written_back = written
        watch.block(len(chunk))
    os.fsync(handle.fileno())
    _check_size(remote, written, partial)
    _check_checksums(remote, hashers, partial)
    return written


def _start_writeback(handle: BinaryIO, offset: int, length: int) -> None:
    # Starts the disk writeback of the bytes just written without waiting for it, so that
    # the final fsync has little left to do (the kernel would otherwise wait and then write
    # everything at the end); also keeps a big download from filling the page cache.
    if hasattr(os, 'posix_fadvise'):
        os.posix_fadvise(handle.fileno(), offset, length, os.POSIX_FADV_DONTNEED)


def _write(handle: BinaryIO, chunk: bytes, directory: Path) -> None:
    try:
        view = memoryview(chunk)
        while view:
            view = view[handle.write(view) :]
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise NoSpaceLeftError(
                f'no space left on the disk of {directory}; the partial file was removed. '
                'Free some space and download again',
                directory=str(directory),
            ) from exc
        raise DownloadError(f'cannot write into {directory}: {exc.strerror}') from exc


def _hashers(remote: RemoteFile, handle: BinaryIO) -> dict[str, hashlib._Hash]:
    hashers = {name: hashlib.new(name) for name in remote.checksums}
    if hashers and remote.offset:
        handle.seek(0)
        remaining = remote.offset
        while remaining:
            block = handle.read(min(remaining, 1 << 20))
            if not block:
                break
            for hasher in hashers.values():
                hasher.update(block)
            remaining -= len(block)
        handle.seek(remote.offset)
    return hashers


def _check_size(remote: RemoteFile, written: int, partial: _files.PartialFiles) -> None:
    if remote.size is None or written == remote.size:
        return
    if written < remote.size:
        raise RetriableDownloadError(
            f'the transfer stopped after {written} of {remote.size} bytes; it will resume '
            'from there'
        )
    partial.remove()
    raise RetriableDownloadError(
        f'received {written} bytes where {remote.size} were announced; the file was discarded'
    )


def _check_checksums(
    remote: RemoteFile, hashers: dict[str, hashlib._Hash], partial: _files.PartialFiles
) -> None:
    for name, hasher in hashers.items():
        if hasher.digest() != remote.checksums[name]:
            partial.remove()
            raise RetriableDownloadError(
                f'the {name} checksum of the received file does not match the one the server '
                'sent; the file was discarded'
            )


def _url_name(url: str) -> str:
    return unquote(posixpath.basename(urlsplit(url).path))
