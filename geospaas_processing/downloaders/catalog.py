"""The catalog side of downloads: select datasets into plain jobs, record local copies.

The only module of :mod:`geospaas_processing.downloaders` that touches the database. The
selection is streamed in keyset pages (``id > last`` ordered by ``id``), two queries per
page (datasets, then their URIs), never one query per dataset nor a whole queryset in
memory; the count is asked once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from geospaas_processing.downloaders.errors import SelectionError
from geospaas_processing.downloaders.jobs import DownloadJob

PAGE_SIZE = 1000


class Selection:
    """The catalog datasets matching Django lookups on ``Dataset`` (``id=1``, ...).

    Raises:
        SelectionError: a lookup names a field that does not exist or has a wrong value.
    """

    def __init__(self, criteria: dict[str, Any]) -> None:
        from django.core.exceptions import FieldError, ValidationError

        from geospaas_processing.catalog.models import Dataset

        self.criteria = criteria
        self._count: int | None = None
        try:
            matching = Dataset.objects.filter(**criteria).values('id')
            # A subquery: lookups across URIs would repeat a dataset once per matching URI.
            self.queryset = Dataset.objects.filter(id__in=matching)
        except (FieldError, ValidationError, ValueError, TypeError) as exc:
            raise SelectionError(f'invalid selection criteria {criteria!r}: {exc}') from exc

    def count(self) -> int:
        """How many datasets match (one COUNT query, asked once)."""
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def check(self, max_downloads: int) -> int:
        """The count, after refusing an empty selection or one above ``max_downloads``.

        Raises:
            SelectionError: no match, or more than ``max_downloads``.
        """
        count = self.count()
        if count == 0:
            raise SelectionError(
                f'no dataset matches the criteria {self.criteria!r}', count=0, limit=None
            )
        if count > max_downloads:
            raise SelectionError(
                f'{count} datasets match the criteria, more than max_downloads='
                f'{max_downloads}; nothing was downloaded. Narrow the criteria or raise '
                'the limit',
                count=count,
                limit=max_downloads,
            )
        return count

    def jobs(self, page_size: int = PAGE_SIZE) -> Iterator[DownloadJob]:
        """The matching datasets as jobs, by increasing ID, one page of queries at a time."""
        from geospaas_processing.catalog.models import DatasetURI

        last = None
        while True:
            page = self.queryset.order_by('id')
            if last is not None:
                page = page.filter(id__gt=last)
            rows = list(page.values_list('id', 'entry_id', 'time_coverage_start')[:page_size])
            if not rows:
                return
            uris = defaultdict(list)
            for dataset_id, uri, service in (
                DatasetURI.objects.filter(dataset_id__in=[row[0] for row in rows])
                .order_by('dataset_id', 'id')
                .values_list('dataset_id', 'uri', 'service')
            ):
                uris[dataset_id].append((uri, service))
            for dataset_id, entry_id, time in rows:
                yield DownloadJob(dataset_id, str(entry_id), time, tuple(uris[dataset_id]))
            last = rows[-1][0]


def record_local_paths(paths: Iterable[tuple[int, str]]) -> None:
    """Record ``(dataset_id, absolute path)`` local copies as DatasetURIs, once each."""
    from geospaas_processing.catalog.models import DatasetURI
    from geospaas_processing.catalog.services import FILE_SERVICE_NAME, LOCAL_FILE_SERVICE

    for dataset_id, path in paths:
        DatasetURI.objects.get_or_create(
            dataset_id=dataset_id,
            uri=path,
            defaults={'service': LOCAL_FILE_SERVICE, 'name': FILE_SERVICE_NAME},
        )


def forget_local_path(dataset_id: int, path: str) -> None:
    """Remove the DatasetURI recording a local copy that was deleted."""
    from geospaas_processing.catalog.models import DatasetURI
    from geospaas_processing.catalog.services import LOCAL_FILE_SERVICE

    DatasetURI.objects.filter(dataset_id=dataset_id, service=LOCAL_FILE_SERVICE, uri=path).delete()
