"""Which local files a download may copy: only those under directories the configuration allows."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from geospaas_processing import config
from geospaas_processing.storage._base import StorageError

ALLOWED_DIRECTORIES_VARIABLE = 'GEOSPAAS_PROCESSING_LOCAL_SOURCE_DIRS'


class LocalSourceNotAllowedError(StorageError):
    """A local URI names a file outside the directories local downloads may read."""


def allowed_local_directories() -> list[Path]:
    """The directories of ``GEOSPAAS_PROCESSING_LOCAL_SOURCE_DIRS``, resolved (empty: none)."""
    value = config.get(ALLOWED_DIRECTORIES_VARIABLE) or ''
    return [Path(part).expanduser().resolve() for part in value.split(os.pathsep) if part.strip()]


def allowed_local_source(uri: str | os.PathLike[str]) -> Path:
    """The resolved path of a local URI (``file://`` URL or path) that a download may read.

    Symbolic links are resolved first, so a link under an allowed directory pointing
    elsewhere is refused too.

    Raises:
        LocalSourceNotAllowedError: the file is not under a directory of
            ``GEOSPAAS_PROCESSING_LOCAL_SOURCE_DIRS`` (or the variable is unset); the
            message names the file and the variable.
    """
    text = os.fspath(uri)
    parts = urlsplit(text)
    if parts.scheme.lower() == 'file':
        if parts.netloc not in ('', 'localhost'):
            raise LocalSourceNotAllowedError(f'{text}: file URLs of other hosts are not read')
        path = Path(unquote(parts.path))
    else:
        path = Path(text).expanduser()
    resolved = path.resolve()
    allowed = allowed_local_directories()
    if any(resolved.is_relative_to(directory) for directory in allowed):
        return resolved
    where = ', '.join(str(directory) for directory in allowed) or 'none is set'
    raise LocalSourceNotAllowedError(
        f'{path} is not under a directory local downloads may read ({where}); add its '
        f'directory to {ALLOWED_DIRECTORIES_VARIABLE} if this file should be downloaded'
    )
