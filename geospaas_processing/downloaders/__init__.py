"""Download the files of catalog datasets over HTTP(S)/OPeNDAP, FTP, SFTP and local paths.

Public names: :class:`DownloadManager` (with :class:`DatasetOutcome`,
:class:`DownloadStatus` and :class:`PlannedDownload` describing its results) and the
errors, rooted at :class:`DownloadError` (tree in :mod:`.errors`)::

    from geospaas_processing.downloaders import DownloadManager
    DownloadManager(download_directory='/tmp', id=1).download()
"""

from geospaas_processing.downloaders.errors import (
    AuthenticationError,
    DatasetDownloadError,
    DownloadError,
    NoSpaceLeftError,
    ObsoleteURLError,
    ProviderSettingsError,
    RetriableDatasetDownloadError,
    RetriableDownloadError,
    SelectionError,
    TooManyDownloadsError,
)
from geospaas_processing.downloaders.manager import (
    DatasetOutcome,
    DownloadManager,
    DownloadStatus,
    PlannedDownload,
)

__all__ = [
    'AuthenticationError',
    'DatasetDownloadError',
    'DatasetOutcome',
    'DownloadError',
    'DownloadManager',
    'DownloadStatus',
    'NoSpaceLeftError',
    'ObsoleteURLError',
    'PlannedDownload',
    'ProviderSettingsError',
    'RetriableDatasetDownloadError',
    'RetriableDownloadError',
    'SelectionError',
    'TooManyDownloadsError',
]
