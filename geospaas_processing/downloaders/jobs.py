"""A download job: what the transfer side needs to know about one dataset, as plain values.

The catalog side (:mod:`geospaas_processing.downloaders.catalog`) turns datasets into jobs;
a script without a catalog builds them with :meth:`DownloadJob.for_urls`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class DownloadJob:
    """One dataset to download: its identity, its time and its URIs in the order to try.

    Attributes:
        dataset_id: the catalog ID, or None for a job that is not a catalog dataset.
        entry_id: the dataset's name; its directory is named after it.
        time: the start of its time coverage, which fills strftime placeholders of the
            download directory (None: the download directory must have none).
        uris: ``(uri, service)`` pairs; ``service`` is a DatasetURI service name, or None to
            choose the downloader by URL scheme only.
    """

    dataset_id: int | None
    entry_id: str
    time: datetime | None
    uris: tuple[tuple[str, str | None], ...]

    @property
    def key(self) -> Hashable:
        """What identifies the job in progress reports: the dataset ID, else the entry_id."""
        return self.entry_id if self.dataset_id is None else self.dataset_id

    @classmethod
    def for_urls(
        cls, urls: str | Sequence[str], entry_id: str | None = None, time: datetime | None = None
    ) -> DownloadJob:
        """A job for one file reachable at ``urls`` (tried in order), without a catalog.

        ``entry_id`` names the job's directory; by default the first URL's file name. Two
        jobs of one download directory need different ``entry_id`` values: they would share
        a directory otherwise.
        """
        urls = [urls] if isinstance(urls, str) else list(urls)
        if not urls:
            raise ValueError('a download job needs at least one URL')
        name = entry_id or unquote(posixpath.basename(urlsplit(urls[0]).path)) or 'download'
        return cls(None, name, time, tuple((url, None) for url in urls))
