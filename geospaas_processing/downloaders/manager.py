"""DownloadManager: the catalog's datasets matching criteria, downloaded by the transfer side.

``DownloadManager(**lookups)`` = :class:`~.catalog.Selection` (the catalog side: datasets
into plain jobs, local paths recorded) + :class:`~.transfers.Transfers` (the transfer side:
directories, providers, slots, resume, progress; no database).
"""

from __future__ import annotations

import os
import threading

from geospaas_processing import config
from geospaas_processing.downloaders import catalog
from geospaas_processing.downloaders.errors import DownloadError
from geospaas_processing.downloaders.progress import ProgressCallback, TransferProgress
from geospaas_processing.downloaders.transfers import (
    DatasetOutcome,
    DownloadStatus,
    PlannedDownload,
    Transfers,
)

__all__ = ['DatasetOutcome', 'DownloadManager', 'DownloadStatus', 'PlannedDownload']


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
        progress: a :class:`~.progress.TransferProgress`, or a callable receiving
            ``(dataset_id, bytes_done, bytes_total)``; called from worker threads.
        cancel: a ``threading.Event``; once set, no new transfer starts and those in flight
            stop, keeping their partial files (see :class:`~.transfers.Transfers`).
        slot_timeout: seconds to wait for a provider slot before ``TooManyDownloadsError``.
        free_space: delete the oldest completed downloads under the download directory to
            make room for a file that does not fit. None (the default) keeps the earlier
            behaviour: only when the download directory is the work directory
            (``GEOSPAAS_PROCESSING_WORK_DIR``), as for the ``download`` task.
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
        progress: TransferProgress | ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        slot_timeout: float = 0.0,
        free_space: bool | None = None,
        **criteria,
    ) -> None:
        import geospaas_processing

        geospaas_processing.setup()
        self.transfers = Transfers(
            download_directory,
            provider_settings_path,
            max_workers=max_workers,
            progress=progress,
            cancel=cancel,
            slot_timeout=slot_timeout,
            free_space=False,
        )
        if free_space is None:
            free_space = _is_work_dir(self.transfers.layout.root)
        self.transfers.free_space = free_space
        self.download_directory = self.transfers.layout.template
        self.max_downloads = max_downloads
        self.save_path = save_path
        self.criteria = criteria
        self.selection = catalog.Selection(criteria)
        #: The outcomes of the last :meth:`download_report`, as they come (also after it failed).
        self.outcomes: list[DatasetOutcome] = []

    def __repr__(self) -> str:
        return f'<DownloadManager {self.download_directory} {self.criteria!r}>'

    @property
    def datasets(self):
        """The queryset of the matching datasets."""
        return self.selection.queryset

    @property
    def progress(self) -> TransferProgress | ProgressCallback | None:
        """Where transfers report their progress (settable before :meth:`download`)."""
        return self.transfers.progress

    @progress.setter
    def progress(self, value: TransferProgress | ProgressCallback | None) -> None:
        self.transfers.progress = value

    @property
    def cancel(self) -> threading.Event:
        """Set it to stop: no new transfer starts, those in flight keep their partial files."""
        return self.transfers.cancel

    def count(self) -> int:
        """How many datasets match (one COUNT query for the manager's life)."""
        return self.selection.count()

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
        failures = [outcome for outcome in outcomes if outcome.status not in _OK_STATUSES]
        if failures and len(failures) == len(outcomes):
            if len(failures) == 1:
                raise failures[0].error
            raise DownloadError(
                f'all {len(failures)} selected datasets failed; first: {failures[0].reason}'
            ) from failures[0].error
        return [outcome.path for outcome in outcomes if outcome.path is not None]

    def download_report(self) -> list[DatasetOutcome]:
        """Download the selected datasets; return one outcome per dataset, in dataset order.

        Per-dataset failures are reported in the outcomes, not raised. After a cancel,
        datasets not started have no outcome. When the catalog fails during the run (a
        database outage), its error is raised and :attr:`outcomes` holds the outcomes of
        the datasets finished before it.

        Raises:
            SelectionError: no match, or more than ``max_downloads``.
            django.db.DatabaseError: the catalog failed; see :attr:`outcomes`.
        """
        self.selection.check(self.max_downloads)
        self.outcomes = outcomes = []
        try:
            for outcome in self.transfers.download(self.selection.jobs()):
                outcomes.append(outcome)
        finally:
            self.transfers.close()
        if self.save_path:
            catalog.record_local_paths(
                (outcome.dataset_id, outcome.absolute_path)
                for outcome in outcomes
                if outcome.absolute_path is not None
            )
        return list(outcomes)

    # Dry run and removal -------------------------------------------------------------------

    def plan(self, probe_sizes: bool = False) -> list[PlannedDownload]:
        """What :meth:`download` would do, without writing anything.

        With ``probe_sizes``, asks each dataset's first URI for its size (an HTTP HEAD, an
        FTP SIZE, a stat), several at once; otherwise only the catalog is read and sizes
        are None. :meth:`iter_plan` gives the same one dataset at a time.

        Raises:
            SelectionError: no match, or more than ``max_downloads``.
        """
        return list(self.iter_plan(probe_sizes))

    def iter_plan(self, probe_sizes: bool = False):
        """:meth:`plan` as a stream: the first datasets come before the last are read.

        Raises:
            SelectionError: no match, or more than ``max_downloads`` (before the first item).
        """
        self.selection.check(self.max_downloads)
        return self._stream_plan(probe_sizes)

    def _stream_plan(self, probe_sizes: bool):
        try:
            yield from self.transfers.plan(self.selection.jobs(), probe_sizes)
        finally:
            self.transfers.close()

    def remove(self) -> list[str]:
        """Remove the downloaded files of the selected datasets (and their ``local`` URIs).

        Directories made by the original package (one file, no manifest) are removed too.
        Returns the removed files, relative to the download directory.

        Raises:
            SelectionError: no match, or more than ``max_downloads``.
        """
        self.selection.check(self.max_downloads)
        removed = []
        for job, path in self.transfers.remove(self.selection.jobs()):
            removed.append(self.transfers.layout.relative(path))
            catalog.forget_local_path(job.dataset_id, str(path))
        return removed


_OK_STATUSES = (DownloadStatus.DOWNLOADED, DownloadStatus.PRESENT)


def _is_work_dir(root) -> bool:
    try:
        return root.resolve() == config.work_dir().expanduser().resolve()
    except OSError:
        return False
