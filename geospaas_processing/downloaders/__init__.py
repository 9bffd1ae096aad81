"""Download the files of catalog datasets over HTTP(S)/OPeNDAP, FTP, SFTP and local paths.

Public names: :class:`DownloadManager` (with :class:`DatasetOutcome`,
:class:`DownloadStatus` and :class:`PlannedDownload` describing its results) and the
errors, rooted at :class:`DownloadError` (tree in :mod:`.errors`)::

    from geospaas_processing.downloaders import DownloadManager
    DownloadManager(download_directory='/tmp', id=1).download()

Without a catalog, :class:`Transfers` downloads plain :class:`DownloadJob` objects (lists
of URLs) with the same provider settings, limits, resume and progress
(:class:`TransferProgress`).
"""

from geospaas_processing.downloaders.errors import (
    AuthenticationError,
    DatasetDownloadError,
    DownloadCancelled,
    DownloadError,
    LowSpeedError,
    NoSpaceLeftError,
    ObsoleteURLError,
    ProviderSettingsError,
    RetriableDatasetDownloadError,
    RetriableDownloadError,
    SelectionError,
    TooManyDownloadsError,
    UnexpectedContentError,
)
from geospaas_processing.downloaders.jobs import DownloadJob
from geospaas_processing.downloaders.manager import (
    DatasetOutcome,
    DownloadManager,
    DownloadStatus,
    PlannedDownload,
)
from geospaas_processing.downloaders.progress import TransferProgress
from geospaas_processing.downloaders.transfers import Transfers

__all__ = [
    'AuthenticationError',
    'DatasetDownloadError',
    'DatasetOutcome',
    'DownloadCancelled',
    'DownloadError',
    'DownloadJob',
    'DownloadManager',
    'DownloadStatus',
    'LowSpeedError',
    'NoSpaceLeftError',
    'ObsoleteURLError',
    'PlannedDownload',
    'ProviderSettingsError',
    'RetriableDatasetDownloadError',
    'RetriableDownloadError',
    'SelectionError',
    'TooManyDownloadsError',
    'TransferProgress',
    'Transfers',
    'UnexpectedContentError',
]
