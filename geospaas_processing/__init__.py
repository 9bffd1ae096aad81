"""Processing for GeoSPaaS catalogs: download, convert, crop, archive and publish datasets.

Call :func:`geospaas_processing.setup` once in a plain script before using the
catalog models; the command-line tools, tasks and ``DownloadManager`` do it
themselves.
"""

from __future__ import annotations

__version__ = '0.1.0'
__all__ = ['__version__', 'setup']


def setup(migrate: bool = True, create: bool = False) -> None:
    """Configure Django and the catalog database; see :func:`geospaas_processing.database.setup`."""
    from geospaas_processing.database import setup as _setup

    _setup(migrate=migrate, create=create)
