"""The transfer side: download, plan and remove plain jobs, without any database.

A script or notebook downloads a list of URLs with provider settings, limits, resume and
progress like this::

    from geospaas_processing.downloaders.jobs import DownloadJob
    from geospaas_processing.downloaders.transfers import Transfers

    with Transfers('/data/%Y', progress=my_progress) as transfers:
        for outcome in transfers.download([DownloadJob.for_urls(url) for url in urls]):
            print(outcome.status, outcome.path or outcome.reason)

The path of one job: its directory (:meth:`DownloadLayout.directory`) -> already complete
(manifest, or the one file of a directory made by the original package)? -> its URIs in
order -> the provider settings of the longest matching prefix -> a provider slot -> the
protocol's downloader -> a partial file, fsynced and renamed -> the manifest.
"""

from __future__ import annotations

import enum
import functools
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from geospaas_processing.downloaders import _files, _transfer
from geospaas_processing.downloaders import provider_settings as provider_settings_module
from geospaas_processing.downloaders._in_flight import InFlight
from geospaas_processing.downloaders._layout import DownloadLayout
from geospaas_processing.downloaders._slots import ProviderSlots
from geospaas_processing.downloaders.base import Downloader, registry
from geospaas_processing.downloaders.errors import (
    DatasetDownloadError,
    DownloadCancelled,
    DownloadError,
    NoSpaceLeftError,
    RetriableDatasetDownloadError,
    RetriableDownloadError,
    TooManyDownloadsError,
)
from geospaas_processing.downloaders.jobs import DownloadJob
from geospaas_processing.downloaders.progress import (
    ProgressCallback,
    TransferProgress,
    as_progress,
)
from geospaas_processing.downloaders.provider_settings import (
    ProviderSettings,
    ProviderSettingsRegistry,
)
from geospaas_processing.locks import LockError
from geospaas_processing.redaction import redact_url
from geospaas_processing.storage import LocalStorage, NotEnoughSpaceError, StorageError

LOGGER = logging.getLogger(__name__)
#: Size probes (HEAD, SIZE, stat) of a dry run sent at once, at most.
PROBE_WORKERS = 8


class DownloadStatus(enum.StrEnum):
    """What happened to one dataset."""

    DOWNLOADED = 'downloaded'
    PRESENT = 'already present'
    FAILED = 'failed'
    CANCELLED = 'cancelled'


@dataclass(frozen=True)
class DatasetOutcome:
    """The result of one dataset's download, for summaries and machine-readable output.

    Attributes:
        path: the file relative to the download directory (None when failed).
        absolute_path: the same, absolute.
        size: its size in bytes.
        uri: the URI it came from (credentials removed); None when already present.
        error: why it failed (a DownloadError, with ``errors`` per URI when there are several).
    """

    dataset_id: int | None
    entry_id: str
    status: DownloadStatus
    path: str | None = None
    absolute_path: str | None = None
    size: int | None = None
    uri: str | None = None
    error: DownloadError | None = None

    @property
    def reason(self) -> str | None:
        """The failure's message, or None."""
        return None if self.error is None else str(self.error)


@dataclass(frozen=True)
class PlannedDownload:
    """What a plan knows about a dataset without downloading it.

    Attributes:
        directory: the dataset's directory relative to the download directory.
        uris: its URIs in the order they would be tried (credentials removed).
        size: the size of the first URI's file when probed and known, else None.
        present: whether its complete file is already in place.
    """

    dataset_id: int | None
    entry_id: str
    directory: str
    uris: tuple[str, ...]
    size: int | None
    present: bool


class Transfers:
    """Downloads jobs into a download directory; no database involved.

    Args:
        download_directory: where files go; may hold strftime placeholders resolved per job
            from its ``time``. Each job gets its own subdirectory.
        provider_settings: the provider settings (a loaded registry, or the path of a YAML
            file; default: ``GEOSPAAS_PROCESSING_PROVIDER_SETTINGS_PATH``, else the packaged
            file).
        max_workers: jobs downloaded at once (each provider's limit still holds). The
            default, 16, fills a provider that throttles each connection (measured:
            benchmarks/throttled_provider.py) and costs nothing measurable when the CPU is
            the limit (benchmarks/many_files_tmpfs.py).
        progress: a :class:`TransferProgress`, or a ``(key, bytes_done, bytes_total)``
            callable; called from worker threads.
        cancel: when set (Ctrl-C), no new transfer starts and the transfers in flight stop at
            once, even when waiting on a server that sends nothing (their connections are
            cut), keeping their partial files; their outcomes are ``CANCELLED``.
        slot_timeout: seconds to wait for a provider slot before ``TooManyDownloadsError``.
        free_space: when the disk lacks room for a file, delete the oldest completed
            downloads under the download directory's root until it fits (never files being
            written). Without it, a file that does not fit fails with ``NoSpaceLeftError``.
    """

    def __init__(
        self,
        download_directory: str | os.PathLike = '.',
        provider_settings: ProviderSettingsRegistry | str | os.PathLike | None = None,
        *,
        max_workers: int = 16,
        progress: TransferProgress | ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        slot_timeout: float = 0.0,
        free_space: bool = False,
    ) -> None:
        if max_workers < 1:
            raise ValueError(f'max_workers must be at least 1, got {max_workers!r}')
        self.layout = DownloadLayout(download_directory)
        if not isinstance(provider_settings, ProviderSettingsRegistry):
            provider_settings = provider_settings_module.load(provider_settings)
        self.provider_settings = provider_settings
        self.max_workers = max_workers
        self.progress = progress
        self.cancel = cancel or threading.Event()
        self.free_space = free_space
        self._slots = ProviderSlots(slot_timeout, self.cancel)
        self._downloaders: dict[tuple[type, str], Downloader] = {}
        self._downloaders_lock = threading.Lock()

    def __enter__(self) -> Transfers:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the connections of the downloaders."""
        with self._downloaders_lock:
            downloaders, self._downloaders = list(self._downloaders.values()), {}
        for downloader in downloaders:
            downloader.close()

    # Downloading ---------------------------------------------------------------------------

    def download(self, jobs: Iterable[DownloadJob]) -> Iterator[DatasetOutcome]:
        """Download ``jobs``; yield one outcome per job, in job order, as they complete.

        At most ``2 * max_workers`` jobs are read ahead, so ``jobs`` may be a long stream.
        Per-job failures are outcomes, not exceptions. Once ``cancel`` is set no job
        starts: the jobs not started yield nothing.
        """
        with InFlight(self.cancel) as in_flight:
            download_job = functools.partial(self._download_job, in_flight=in_flight)
            for outcome in _bounded_map(download_job, jobs, self.max_workers, self.cancel):
                if outcome is not None:
                    yield outcome

    def _download_job(self, job: DownloadJob, in_flight: InFlight) -> DatasetOutcome | None:
        """The job's outcome; None when it was cancelled before it started (queued jobs)."""
        if self.cancel.is_set():
            return None
        directory = None
        try:
            directory = self.layout.directory(job)
            present = self._present(job, directory)
            if present is not None:
                return self._outcome(job, DownloadStatus.PRESENT, present, present.stat().st_size)
            return self._download_uris(job, directory, in_flight)
        except OSError as exc:  # the dataset's directory cannot be used: this dataset fails
            error = DownloadError(
                f'cannot write in {directory or self.layout.template}: {exc.strerror or exc}',
                dataset_id=job.dataset_id,
            )
            return self._failure(job, error)
        except DownloadError as error:
            return self._failure(job, error)

    def _failure(self, job: DownloadJob, error: DownloadError) -> DatasetOutcome:
        if error.dataset_id is None:
            error.dataset_id = job.dataset_id
        cancelled = isinstance(error, DownloadCancelled)
        status = DownloadStatus.CANCELLED if cancelled else DownloadStatus.FAILED
        if not cancelled:
            LOGGER.warning('dataset %s failed: %s', job.entry_id, error)
        return DatasetOutcome(job.dataset_id, job.entry_id, status, error=error)

    def _present(self, job: DownloadJob, directory: Path) -> Path | None:
        """The job's complete file if it is there; adopts the file of a legacy directory."""
        present = _files.completed_file(directory)
        if present is not None:
            return present
        legacy = _files.legacy_file(directory)
        if legacy is None:
            return None
        expected = self._probe(job)
        size = legacy.stat().st_size
        if expected is not None and expected != size:
            return None
        _files.record_completed(
            directory, legacy, size, 'adopted: made without a manifest', job.dataset_id
        )
        LOGGER.info('dataset %s: adopted %s, downloaded earlier', job.entry_id, legacy)
        return legacy

    def _outcome(
        self,
        job: DownloadJob,
        status: DownloadStatus,
        path: Path,
        size: int,
        uri: str | None = None,
    ) -> DatasetOutcome:
        return DatasetOutcome(
            job.dataset_id,
            job.entry_id,
            status,
            path=self.layout.relative(path),
            absolute_path=str(path),
            size=size,
            uri=uri,
        )

    def _download_uris(
        self, job: DownloadJob, directory: Path, in_flight: InFlight
    ) -> DatasetOutcome:
        errors: list[tuple[str, DownloadError]] = []
        for uri, service in job.uris:
            try:
                path, size = self._fetch(job, uri, service, directory, in_flight)
            except (NoSpaceLeftError, DownloadCancelled):
                raise
            except DownloadError as error:
                LOGGER.info('dataset %s: %s failed: %s', job.entry_id, redact_url(uri), error)
                errors.append((redact_url(uri), error))
                continue
            _files.record_completed(directory, path, size, redact_url(uri), job.dataset_id)
            LOGGER.info('dataset %s: downloaded %s', job.entry_id, path)
            return self._outcome(job, DownloadStatus.DOWNLOADED, path, size, redact_url(uri))
        raise combined_error(job, errors)

    def _fetch(
        self,
        job: DownloadJob,
        uri: str,
        service: str | None,
        directory: Path,
        in_flight: InFlight,
    ) -> tuple[Path, int]:
        downloader = self.downloader(uri, service)
        with self._slots.hold(downloader.settings) as lease:
            return _transfer.fetch(
                downloader,
                uri,
                directory,
                lease=lease,
                progress=as_progress(self.progress),
                key=job.key,
                make_room=self._make_room,
                cancel=self.cancel,
                in_flight=in_flight,
            )

    def downloader(self, uri: str, service: str | None = None) -> Downloader:
        """The shared downloader for ``uri`` (one per protocol and provider)."""
        settings: ProviderSettings = self.provider_settings.for_url(uri)
        cls = registry.downloader_class(uri, service)
        key = (cls, settings.prefix)
        with self._downloaders_lock:
            downloader = self._downloaders.get(key)
            if downloader is None:
                downloader = self._downloaders[key] = cls(settings)
        return downloader

    def _make_room(self, needed: int, directory: Path) -> None:
        try:
            LocalStorage(self.layout.root, managed=self.free_space).free_space(needed)
        except NotEnoughSpaceError as exc:
            raise NoSpaceLeftError(
                f'{needed} bytes are needed in {directory} but the disk does not have them: {exc}',
                directory=str(directory),
            ) from exc
        except StorageError as exc:
            raise DownloadError(f'could not make room in {directory}: {exc}') from exc
        except LockError as exc:  # another process has been freeing space for too long
            raise RetriableDownloadError(f'could not make room in {directory}: {exc}') from exc

    # Dry run and removal -------------------------------------------------------------------

    def plan(
        self, jobs: Iterable[DownloadJob], probe_sizes: bool = False
    ) -> Iterator[PlannedDownload]:
        """What :meth:`download` would do for each job, in job order, without writing.

        With ``probe_sizes``, asks each job's first URI for its size (an HTTP HEAD, an FTP
        SIZE, a stat), up to :data:`PROBE_WORKERS` at once on kept-alive connections.
        """
        workers = PROBE_WORKERS if probe_sizes else 1
        plan_one = self._plan_probed if probe_sizes else self._plan_unprobed
        yield from _bounded_map(plan_one, jobs, workers, None)

    def _plan_probed(self, job: DownloadJob) -> PlannedDownload:
        return self._plan(job, self._probe(job))

    def _plan_unprobed(self, job: DownloadJob) -> PlannedDownload:
        return self._plan(job, None)

    def _plan(self, job: DownloadJob, size: int | None) -> PlannedDownload:
        try:
            directory = self.layout.directory(job)
            shown = self.layout.relative(directory)
        except DownloadError as error:
            directory, shown = None, f'(none: {error})'
        present = False
        if directory is not None:
            legacy = _files.legacy_file(directory)
            present = _files.completed_file(directory) is not None or (
                legacy is not None and size in (None, legacy.stat().st_size)
            )
        uris = tuple(redact_url(uri) for uri, _ in job.uris)
        return PlannedDownload(job.dataset_id, job.entry_id, shown, uris, size, present)

    def _probe(self, job: DownloadJob) -> int | None:
        for uri, service in job.uris[:1]:
            try:
                return self.downloader(uri, service).size(uri)
            except DownloadError as error:
                LOGGER.info('dataset %s: size of %s unknown: %s', job.entry_id, uri, error)
        return None

    def remove(self, jobs: Iterable[DownloadJob]) -> Iterator[tuple[DownloadJob, Path]]:
        """Remove the downloaded files of ``jobs``; yield ``(job, removed file)`` for each.

        Directories made by the original package (one file, no manifest) are removed too.
        """
        for job in jobs:
            try:
                directory = self.layout.directory(job)
            except DownloadError:
                continue
            path = _files.forget_completed(directory)
            if path is not None:
                yield job, path


def _bounded_map(
    function: Callable[[DownloadJob], object],
    jobs: Iterable[DownloadJob],
    workers: int,
    cancel: threading.Event | None,
) -> Iterator:
    """``function`` over ``jobs`` in ``workers`` threads, results in order, reading ahead little."""
    window = 2 * workers
    with ThreadPoolExecutor(workers, thread_name_prefix='download') as pool:
        pending: deque[Future] = deque()
        remaining = iter(jobs)
        try:
            while cancel is None or not cancel.is_set():
                try:
                    job = next(remaining)
                except StopIteration:
                    break
                except Exception:
                    # The jobs' source failed (a catalog outage): the transfers already
                    # started still finish and yield their outcomes before the error.
                    while pending:
                        yield pending.popleft().result()
                    raise
                pending.append(pool.submit(function, job))
                while len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def combined_error(job: DownloadJob, errors: list[tuple[str, DownloadError]]) -> DownloadError:
    """The error of a job whose every URI failed (``errors``: each URI's failure)."""
    name = job.entry_id if job.dataset_id is None else f'{job.dataset_id} ({job.entry_id})'
    if not errors:
        return DatasetDownloadError(
            f'dataset {name} has no URI to download from', dataset_id=job.dataset_id
        )
    details = '; '.join(f'{uri}: {error}' for uri, error in errors)
    if all(isinstance(error, TooManyDownloadsError) for _, error in errors):
        first = errors[0][1]
        return TooManyDownloadsError(
            f'dataset {name}: {details}',
            provider=first.provider,
            limit=first.limit,
            dataset_id=job.dataset_id,
        )
    message = f'dataset {name}: every URI failed: {details}'
    temporary = [error for _, error in errors if isinstance(error, RetriableDownloadError)]
    if temporary:
        waits = [error.retry_after for error in temporary if error.retry_after is not None]
        return RetriableDatasetDownloadError(
            message,
            errors=errors,
            retry_after=max(waits) if waits else None,
            dataset_id=job.dataset_id,
        )
    return DatasetDownloadError(message, errors=errors, dataset_id=job.dataset_id)
