"""Operations on local files: archive and extract, crop, publish.

Plain functions on paths, usable from a script, the command line or a Celery task;
heavy dependencies (netCDF4, paramiko, GDAL's tools) are loaded only when used.
"""

from geospaas_processing.ops.archive import (
    ArchiveError,
    CorruptedArchiveError,
    UnsafeArchiveError,
    UnsupportedArchiveError,
    archive,
    is_archive,
    unarchive,
)
from geospaas_processing.ops.crop import CropError, crop
from geospaas_processing.ops.publish import (
    PublishError,
    RemoteSpaceError,
    publish,
    publish_in_place,
    publish_over_ssh,
)

__all__ = [
    'ArchiveError',
    'CorruptedArchiveError',
    'CropError',
    'PublishError',
    'RemoteSpaceError',
    'UnsafeArchiveError',
    'UnsupportedArchiveError',
    'archive',
    'crop',
    'is_archive',
    'publish',
    'publish_in_place',
    'publish_over_ssh',
    'unarchive',
]
