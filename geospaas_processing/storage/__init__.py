"""Where files are kept: local and remote (SSH) storage, their free space and its clean-up.

Tree of errors::

    GeospaasProcessingError
    └── StorageError                 a storage could not be read, written or reached
        ├── NotEnoughSpaceError      even deleting every deletable file would not make room
        └── LocalSourceNotAllowedError  a local URI outside GEOSPAAS_PROCESSING_LOCAL_SOURCE_DIRS

Free-space rule (``free_space`` of both storages): when a storage is *managed*, files under
its root are deleted oldest first (by modification time) until the requested room is free,
then emptied directories are removed. On a :class:`LocalStorage` (a download or work
directory) the only candidates are completed downloads (:func:`completed_download`: named by
their dataset directory's manifest) whose dataset lock is free (:func:`deleting_download`
holds it while deleting); on a :class:`RemoteStorage`, regular files with one link (counted
on the remote host). Never deleted: in-progress downloads (names ending in
:data:`PARTIAL_SUFFIX`, see :func:`is_partial_file` and :func:`partial_path`), files modified
less than ``min_age`` seconds ago (:data:`MIN_AGE`, a minute, by default: just finished and
probably about to be used), symbolic links and hard-linked files. When even deleting all the
others would not be enough, nothing is deleted and :class:`NotEnoughSpaceError` is raised.
Two processes never clean the same root at once (``locks.named_lock('free-space:...')``).
"""

from __future__ import annotations

from geospaas_processing.storage._base import (
    ACTIVE_AGE,
    MIN_AGE,
    PARTIAL_SUFFIX,
    NotEnoughSpaceError,
    StorageError,
    is_partial_file,
    partial_path,
)
from geospaas_processing.storage._downloads import (
    DOWNLOAD_RECORD_NAME,
    CompletedDownload,
    completed_download,
    delete_download,
    deleting_download,
    is_deletable_download,
)
from geospaas_processing.storage._local import LocalStorage
from geospaas_processing.storage._local_sources import (
    LocalSourceNotAllowedError,
    allowed_local_source,
)
from geospaas_processing.storage._placing import creation_mode, move_into_place
from geospaas_processing.storage._remote import RemoteStorage

__all__ = [
    'ACTIVE_AGE',
    'DOWNLOAD_RECORD_NAME',
    'MIN_AGE',
    'CompletedDownload',
    'allowed_local_source',
    'completed_download',
    'delete_download',
    'deleting_download',
    'is_deletable_download',
    'PARTIAL_SUFFIX',
    'LocalSourceNotAllowedError',
    'LocalStorage',
    'NotEnoughSpaceError',
    'RemoteStorage',
    'StorageError',
    'creation_mode',
    'is_partial_file',
    'move_into_place',
    'partial_path',
]
