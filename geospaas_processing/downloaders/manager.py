"""DownloadManager: selects datasets in the catalog and downloads each one's file.

The path of one dataset: its directory (strftime-resolved download directory + a name from
its ``entry_id``) -> already complete? -> its URIs in order -> the provider settings of the
longest matching prefix -> a provider slot -> the protocol's downloader -> a partial file,
fsynced and renamed -> the manifest -> the path relative to the download directory.
"""

from __future__ import annotations

import enum
import logging
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from geospaas_processing import config
from geospaas_processing.downloaders import _files, _transfer
from geospaas_processing.downloaders import provider_settings as provider_settings_module
from geospaas_processing.downloaders._layout import DownloadLayout
from geospaas_processing.downloaders._redact import redact_url
from geospaas_processing.downloaders._slots import ProviderSlots
from geospaas_processing.downloaders.base import Downloader, registry
from geospaas_processing.downloaders.errors import (
    DatasetDownloadError,
    DownloadError,
    NoSpaceLeftError,
    RetriableDatasetDownloadError,
    RetriableDownloadError,
    SelectionError,
    TooManyDownloadsError,
)
from geospaas_processing.downloaders.provider_settings import ProviderSettings
from geospaas_processing.locks import LockError
from geospaas_processing.storage import LocalStorage, NotEnoughSpaceError, StorageError

LOGGER = logging.getLogger(__name__)
ITERATION_CHUNK = 500

#: ``progress(dataset_id, bytes_done, bytes_total_or_None)``, called from worker threads.
ProgressCallback = Callable[[int, int, int | None], None]


class DownloadStatus(enum.StrEnum):
    """What happened to one dataset."""

    DOWNLOADED = 'downloaded'
    PRESENT = 'already present'
    FAILED = 'failed'


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

    dataset_id: int
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
    """What :meth:`DownloadManager.plan` knows about a dataset without downloading it.

    Attributes:
        directory: the dataset's directory relative to the download directory.
        uris: its URIs in the order they would be tried (credentials removed).
        size: the size of the first URI's file when probed and known, else None.
        present: whether its complete file is already in place.
    """

    dataset_id: int
    entry_id: str
    directory: str
    uris: tuple[str, ...]
    size: int | None
    present: bool


@dataclass(frozen=True)
class _Job:
    dataset_id: int
    entry_id: str
    time_coverage_start: datetime | None
    uris: tuple[tuple[str, str], ...]


class DownloadManager:
    """Downloads the files of the catalog datasets matching ``criteria``.

    Args:
        download_directory: where files go; may hold strftime placeholders resolved per
            dataset from its ``time_coverage_start``. Each dataset gets its own subdirectory.
        provider_settings_path: the provider settings YAML file (default:
            ``GEOSPAAS_PROCESSING_PROVIDER_SETTINGS_PATH``, else the packaged one).
        max_downloads: selecting more datasets than this is an error, raised before
            anything is downloaded.
        save_path: record each local copy as a DatasetURI (service ``local``), once.
        max_workers: datasets downloaded at once (each provider's limit still holds). The
            default, 16, fills a provider that throttles each connection (measured:
            benchmarks/throttled_provider.py) and costs nothing measurable when the CPU is
            the limit (benchmarks/many_files_tmpfs.py).
        progress: called with ``(dataset_id, bytes_done, bytes_total)`` from worker threads.
        slot_timeout: seconds to wait for a provider slot before ``TooManyDownloadsError``.
        **criteria: Django lookups on Dataset (``id=1``, ``entry_id__startswith=...``).

    Raises:
        ProviderSettingsError: the provider settings file is invalid.
        SelectionError: a criterion names a field that does not exist.
    """

    def __init__(
        self,
        download_directory: str | os.PathLike = '.',
        provider_settings_path: str | os.PathLike | None = None,
        max_downloads: int = 100,
        save_path: bool = False,
        *,
        max_workers: int = 16,
        progress: ProgressCallback | None = None,
        slot_timeout: float = 0.0,
        **criteria,
    ) -> None:
        import geospaas_processing

        geospaas_processing.setup()
        if max_workers < 1:
            raise ValueError(f'max_workers must be at least 1, got {max_workers!r}')
        self.layout = DownloadLayout(download_directory)
        self.download_directory = self.layout.template
        self.provider_settings = provider_settings_module.load(provider_settings_path)
        self.max_downloads = max_downloads
        self.save_path = save_path
        self.max_workers = max_workers
        self.progress = progress
        self.criteria = criteria
        self.datasets = _select(criteria)
        self._slots = ProviderSlots(slot_timeout)
        self._downloaders: dict[tuple[type, str], Downloader] = {}
        self._managed = _is_work_dir(self.layout.root)

    def __repr__(self) -> str:
        return f'<DownloadManager {self.download_directory} {self.criteria!r}>'

    # Selection -----------------------------------------------------------------------------

    def _jobs(self) -> Iterator[_Job]:
        """Count the selection (one query), refuse it when empty or too big, then iterate it."""
        count = self.datasets.count()
        if count == 0:
            raise SelectionError(
                f'no dataset matches the criteria {self.criteria!r}', count=0, limit=None
            )
        if count > self.max_downloads:
            raise SelectionError(
                f'{count} datasets match the criteria, more than max_downloads='
                f'{self.max_downloads}; nothing was downloaded. Narrow the criteria or raise '
                'the limit',
                count=count,
                limit=self.max_downloads,
            )
        return _iterate_jobs(self.datasets)

    # Downloading ---------------------------------------------------------------------------

    def download(self) -> list[str]:
        """Download the selected datasets; return their files' paths relative to the directory.

        Paths come in dataset order, including those of datasets already present. Datasets
        that fail are logged and left out; when every dataset fails, the error is raised
        (the dataset's own error when there is one dataset).

        Raises:
            SelectionError: no match, or more than ``max_downloads``.
            DownloadError: every selected dataset failed.
        """
        outcomes = self.download_report()
        failures = [outcome for outcome in outcomes if outcome.status is DownloadStatus.FAILED]
        if failures and len(failures) == len(outcomes):
            if len(failures) == 1:
                raise failures[0].error
            raise DownloadError(
                f'all {len(failures)} selected datasets failed; first: {failures[0].reason}'
            ) from failures[0].error
        return [outcome.path for outcome in outcomes if outcome.path is not None]

    def download_report(self) -> list[DatasetOutcome]:
        """Download the selected datasets; return one outcome per dataset, in dataset order.

        Per-dataset failures are reported in the outcomes, not raised.

        Raises:
            SelectionError: no match, or more than ``max_downloads``.
        """
        jobs = self._jobs()
        try:
            outcomes = list(self._run(jobs))
        finally:
            self._close_downloaders()
        if self.save_path:
            self._record_local_paths(outcomes)
        return outcomes

    def _run(self, jobs: Iterator[_Job]) -> Iterator[DatasetOutcome]:
        window = 2 * self.max_workers
        with ThreadPoolExecutor(self.max_workers, thread_name_prefix='download') as pool:
            pending = deque()
            for job in jobs:
                pending.append(pool.submit(self._download_job, job))
                while len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    def _download_job(self, job: _Job) -> DatasetOutcome:
        try:
            directory = self.layout.directory(job.dataset_id, job.entry_id, job.time_coverage_start)
            present = _files.completed_file(directory)
            if present is not None:
                return self._outcome(job, DownloadStatus.PRESENT, present, present.stat().st_size)
            return self._download_uris(job, directory)
        except DownloadError as error:
            if error.dataset_id is None:
                error.dataset_id = job.dataset_id
            LOGGER.warning('dataset %s (%s) failed: %s', job.dataset_id, job.entry_id, error)
            return DatasetOutcome(job.dataset_id, job.entry_id, DownloadStatus.FAILED, error=error)

    def _outcome(
        self, job: _Job, status: DownloadStatus, path: Path, size: int, uri: str | None = None
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

    def _download_uris(self, job: _Job, directory: Path) -> DatasetOutcome:
        errors: list[tuple[str, DownloadError]] = []
        for uri, service in job.uris:
            try:
                path, size = self._fetch(job, uri, service, directory)
            except NoSpaceLeftError:
                raise
            except DownloadError as error:
                LOGGER.info('dataset %s: %s failed: %s', job.dataset_id, redact_url(uri), error)
                errors.append((redact_url(uri), error))
                continue
            _files.record_completed(directory, path, size, redact_url(uri))
            LOGGER.info('dataset %s: downloaded %s', job.dataset_id, path)
            return self._outcome(job, DownloadStatus.DOWNLOADED, path, size, redact_url(uri))
        raise _combined_error(job, errors)

    def _fetch(self, job: _Job, uri: str, service: str, directory: Path) -> tuple[Path, int]:
        settings = self.provider_settings.for_url(uri)
        downloader = self._downloader(registry.downloader_class(uri, service), settings)
        with self._slots.hold(settings) as lease:
            return _transfer.fetch(
                downloader,
                uri,
                directory,
                lease=lease,
                progress=self._progress_function(job.dataset_id),
                make_room=self._make_room,
            )

    def _downloader(self, cls: type[Downloader], settings: ProviderSettings) -> Downloader:
        key = (cls, settings.prefix)
        downloader = self._downloaders.get(key)
        if downloader is None:
            downloader = self._downloaders.setdefault(key, cls(settings))
        return downloader

    def _close_downloaders(self) -> None:
        downloaders, self._downloaders = list(self._downloaders.values()), {}
        for downloader in downloaders:
            downloader.close()

    def _progress_function(self, dataset_id: int) -> _transfer.ProgressFunction | None:
        if self.progress is None:
            return None
        callback = self.progress
        return lambda done, total: callback(dataset_id, done, total)

    def _make_room(self, needed: int, directory: Path) -> None:
        try:
            LocalStorage(self.layout.root, managed=self._managed).free_space(needed)
        except NotEnoughSpaceError as exc:
            raise NoSpaceLeftError(
                f'{needed} bytes are needed in {directory} but the disk does not have them: {exc}',
                directory=str(directory),
            ) from exc
        except StorageError as exc:
            raise DownloadError(f'could not make room in {directory}: {exc}') from exc
        except LockError as exc:  # another process has been freeing space for too long
            raise RetriableDownloadError(f'could not make room in {directory}: {exc}') from exc

    def _record_local_paths(self, outcomes: list[DatasetOutcome]) -> None:
        from geospaas_processing.catalog.models import DatasetURI
        from geospaas_processing.catalog.services import FILE_SERVICE_NAME, LOCAL_FILE_SERVICE

        for outcome in outcomes:
            if outcome.absolute_path is not None:
                DatasetURI.objects.get_or_create(
                    dataset_id=outcome.dataset_id,
                    uri=outcome.absolute_path,
                    defaults={'service': LOCAL_FILE_SERVICE, 'name': FILE_SERVICE_NAME},
                )

    # Dry run and removal -------------------------------------------------------------------

    def plan(self, probe_sizes: bool = False) -> list[PlannedDownload]:
        """What :meth:`download` would do, without writing anything.

        With ``probe_sizes``, asks each dataset's first URI for its size (an HTTP HEAD, an
        FTP SIZE, a stat); otherwise only the catalog is read and sizes are None.

        Raises:
            SelectionError: no match, or more than ``max_downloads``.
        """
        planned = []
        try:
            for job in self._jobs():
                directory = self.layout.directory(job.dataset_id, job.entry_id, None)
                if self.layout.templated and job.time_coverage_start is not None:
                    directory = self.layout.directory(
                        job.dataset_id, job.entry_id, job.time_coverage_start
                    )
                planned.append(
                    PlannedDownload(
                        job.dataset_id,
                        job.entry_id,
                        self.layout.relative(directory),
                        tuple(redact_url(uri) for uri, _ in job.uris),
                        self._probe(job) if probe_sizes else None,
                        _files.completed_file(directory) is not None,
                    )
                )
        finally:
            self._close_downloaders()
        return planned

    def _probe(self, job: _Job) -> int | None:
        for uri, service in job.uris[:1]:
            try:
                settings = self.provider_settings.for_url(uri)
                cls = registry.downloader_class(uri, service)
                return self._downloader(cls, settings).size(uri)
            except DownloadError as error:
                LOGGER.info('dataset %s: size of %s unknown: %s', job.dataset_id, uri, error)
        return None

    def remove(self) -> list[str]:
        """Remove the downloaded files of the selected datasets (and their ``local`` URIs).

        Returns the removed files, relative to the download directory.

        Raises:
            SelectionError: no match, or more than ``max_downloads``.
        """
        from geospaas_processing.catalog.models import DatasetURI
        from geospaas_processing.catalog.services import LOCAL_FILE_SERVICE

        removed = []
        for job in list(self._jobs()):
            try:
                directory = self.layout.directory(
                    job.dataset_id, job.entry_id, job.time_coverage_start
                )
            except DownloadError:
                continue
            path = _files.forget_completed(directory)
            if path is not None:
                removed.append(self.layout.relative(path))
                DatasetURI.objects.filter(
                    dataset_id=job.dataset_id, service=LOCAL_FILE_SERVICE, uri=str(path)
                ).delete()
        return removed


def _select(criteria: dict):
    from django.core.exceptions import FieldError, ValidationError

    from geospaas_processing.catalog.models import Dataset

    try:
        matching = Dataset.objects.filter(**criteria).values('id')
        return Dataset.objects.filter(id__in=matching)
    except (FieldError, ValidationError, ValueError, TypeError) as exc:
        raise SelectionError(f'invalid selection criteria {criteria!r}: {exc}') from exc


def _iterate_jobs(datasets) -> Iterator[_Job]:
    from django.db.models import Prefetch

    from geospaas_processing.catalog.models import DatasetURI

    queryset = (
        datasets.order_by('id')
        .only('id', 'entry_id', 'time_coverage_start')
        .prefetch_related(
            Prefetch(
                'dataseturi_set',
                queryset=DatasetURI.objects.order_by('id').only('id', 'uri', 'service', 'dataset'),
            )
        )
    )
    for dataset in queryset.iterator(chunk_size=ITERATION_CHUNK):
        yield _Job(
            dataset.id,
            str(dataset.entry_id),
            dataset.time_coverage_start,
            tuple((uri.uri, uri.service) for uri in dataset.dataseturi_set.all()),
        )


def _combined_error(job: _Job, errors: list[tuple[str, DownloadError]]) -> DownloadError:
    if not errors:
        return DatasetDownloadError(
            f'dataset {job.dataset_id} ({job.entry_id}) has no URI to download from',
            dataset_id=job.dataset_id,
        )
    details = '; '.join(f'{uri}: {error}' for uri, error in errors)
    if all(isinstance(error, TooManyDownloadsError) for _, error in errors):
        first = errors[0][1]
        return TooManyDownloadsError(
            f'dataset {job.dataset_id}: {details}',
            provider=first.provider,
            limit=first.limit,
            dataset_id=job.dataset_id,
        )
    message = f'dataset {job.dataset_id} ({job.entry_id}): every URI failed: {details}'
    temporary = [
        error
        for _, error in errors
        if isinstance(error, RetriableDownloadError | TooManyDownloadsError)
    ]
    if temporary:
        waits = [getattr(error, 'retry_after', None) for error in temporary]
        waits = [wait for wait in waits if wait is not None]
        return RetriableDatasetDownloadError(
            message,
            errors=errors,
            retry_after=max(waits) if waits else None,
            dataset_id=job.dataset_id,
        )
    return DatasetDownloadError(message, errors=errors, dataset_id=job.dataset_id)


def _is_work_dir(root: Path) -> bool:
    try:
        return root.resolve() == config.work_dir().expanduser().resolve()
    except OSError:
        return False
