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
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from geospaas_processing.downloaders import _files
from geospaas_processing.downloaders._in_flight import InFlight
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
#: Seconds between two progress reports and low-speed checks during a transfer.
TICK_INTERVAL = 0.2
#: Bytes read and written at a time, into one buffer per thread.
BUFFER_SIZE = 1024 * 1024
#: Smaller files are downloaded again from the start rather than resumed.
RESUMABLE_SIZE = 1024 * 1024
#: Bytes written between two writeback hints (see _start_writeback).
WRITEBACK_WINDOW = 256 * 1024 * 1024

_BUFFERS = threading.local()

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
    in_flight: InFlight | None = None,
) -> tuple[Path, int]:
    """Download ``url`` into ``directory``; return the complete file's path and size.

    ``progress`` hears of the transfer under ``key`` (see
    :mod:`geospaas_processing.downloaders.progress`). ``cancel``, when set, stops the
    transfer at the next block with :class:`DownloadCancelled`, keeping the partial file;
    with ``in_flight`` (watching the same event) a read waiting for data is cut at once.
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
                with in_flight.track(remote) if in_flight is not None else nullcontext():
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
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
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
    if offset == 0:  # the usual case: nothing to resume, no resume state to read
        return None
    validator = partial.read_validator()
    return ResumePoint(offset, validator) if validator else None


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
        self.next_tick = now  # the first block is reported at once, then every tick
        self.unreported = 0
        if self.progress is not None:
            self.started = True
            self.progress.start(self.key, remote.size, remote.offset)

    def block(self, count: int) -> None:
        """Called after each block written (a block may be short: what the server sent).

        The cancel flag is read on every block; progress, the low-speed check and the lease
        check at most every ``TICK_INTERVAL`` seconds, so that a fast transfer of many
        blocks pays one clock read per block and little else.
        """
        if self.cancel is not None and self.cancel.is_set():
            self.flush()
            raise self.cancelled()
        self.unreported += count
        now = time.monotonic()
        if now < self.next_tick:
            return
        self.next_tick = now + TICK_INTERVAL
        self.flush()
        if self.speed_limit > 0 and now - self.window_start >= self.speed_time:
            self._check_speed(now)
        if self.lease is not None and now - self.lease_checked_at >= LEASE_CHECK_INTERVAL:
            self.lease.check()
            self.lease_checked_at = now

    def cancelled(self) -> DownloadCancelled:
        """The error ending a cancelled transfer."""
        return DownloadCancelled(
            f'the download of {self.url} was cancelled; the partial file is kept', url=self.url
        )

    def flush(self) -> None:
        """Report the bytes written since the last report."""
        count, self.unreported = self.unreported, 0
        self.window_bytes += count
        if self.progress is not None and count:
            self.progress.advance(self.key, count)

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
    watch.begin(remote)
    try:
        written = _copy_body(remote, handle.fileno(), partial.data.parent, hashers, watch)
    except Exception as exc:
        # A cut connection (RemoteFile.abort) makes the read fail: the transfer was cancelled.
        if remote.aborted and not isinstance(exc, DownloadCancelled):
            raise watch.cancelled() from exc
        raise
    finally:
        watch.flush()
    if remote.aborted:  # the cut read as the end of a body of unknown length: not complete
        raise watch.cancelled()
    os.fsync(handle.fileno())
    _check_size(remote, written, partial)
    _check_checksums(remote, hashers, partial)
    return written


def _copy_body(
    remote: RemoteFile,
    descriptor: int,
    directory: Path,
    hashers: dict[str, hashlib._Hash],
    watch: _Watch,
) -> int:
    """Write the body from ``remote.offset`` on; return where it ended.

    The loop a plain copy would be: per block one read into a buffer reused across
    transfers (when the downloader can fill one), one write and, only when a checksum is
    expected, the hashing; ``watch`` amortises the rest. The writeback hint is amortised
    by bytes.
    """
    written = written_back = remote.offset
    hashing = tuple(hashers.values())
    block = watch.block
    for view in _views(remote):
        _write(descriptor, view, directory)
        for hasher in hashing:
            hasher.update(view)
        written += len(view)
        if written - written_back >= WRITEBACK_WINDOW:
            _start_writeback(descriptor, written_back, written - written_back)
            written_back = written
        block(len(view))
    return written


def _views(remote: RemoteFile) -> Iterator[bytes | memoryview]:
    """The body's bytes: read into this thread's buffer when the downloader can fill one."""
    if remote.readinto is None:
        yield from remote.chunks
        return
    buffer = _thread_buffer()
    readinto = remote.readinto
    while count := readinto(buffer):
        yield buffer[:count]


def _thread_buffer() -> memoryview:
    # One buffer per thread, reused by every transfer: a fresh 1 MiB per chunk (or per
    # file) costs an allocation, page faults and a copy that the copy loop does not need.
    buffer = getattr(_BUFFERS, 'buffer', None)
    if buffer is None:
        buffer = _BUFFERS.buffer = memoryview(bytearray(BUFFER_SIZE))
    return buffer


def _start_writeback(descriptor: int, offset: int, length: int) -> None:
    # Starts the disk writeback of the bytes just written without waiting for it, so that
    # the final fsync has little left to do. Each hint costs a pause while the kernel queues
    # the writes: on 1 GiB from loopback (alternating runs, 4 rounds) hints every 16 MiB
    # took 1.8-6.4 s, every 64 MiB 1.4-4.9 s, every 256 MiB 1.2-2.9 s, none 2.2-6.6 s
    # (of which 0.6 s of final fsync).
    if hasattr(os, 'posix_fadvise'):
        os.posix_fadvise(descriptor, offset, length, os.POSIX_FADV_DONTNEED)


def _write(descriptor: int, view: bytes | memoryview, directory: Path) -> None:
    try:
        done = os.write(descriptor, view)
        if done < len(view):  # rare: a signal or a full quota mid-write
            view = memoryview(view)
            while done < len(view):
                done += os.write(descriptor, view[done:])
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
