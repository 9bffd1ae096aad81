"""Selections in a catalog of 100,000 datasets: counted first, then iterated in chunks."""

from __future__ import annotations

import tracemalloc

import pytest

from geospaas_processing.catalog.models import Dataset, DatasetURI
from geospaas_processing.downloaders import DownloadManager, SelectionError
from geospaas_processing.downloaders.catalog import PAGE_SIZE

COUNT = 100_000


@pytest.fixture
def big_catalog(make_dataset):
    """COUNT datasets inserted by one SQL statement (bulk_create would take seconds)."""
    from django.db import connection

    template = make_dataset('template', [])
    quote = connection.ops.quote_name
    fields = {field.name: quote(field.column) for field in Dataset._meta.concrete_fields}
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {quote(Dataset._meta.db_table)} ({fields["entry_id"]}, '
            f'{fields["entry_title"]}, {fields["summary"]}, {fields["ISO_topic_category"]}, '
            f'{fields["data_center"]}) '
            'WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < %s) '
            "SELECT 'bulk-' || CAST(n AS TEXT), 'bulk', '', %s, %s FROM seq",
            [COUNT - 1, template.ISO_topic_category_id, template.data_center_id],
        )
    first = Dataset.objects.get(entry_id='bulk-0')
    DatasetURI.objects.create(dataset=first, uri='https://example.invalid/f.nc', service='OPENDAP')
    return template


@pytest.mark.django_db
def test_too_big_a_selection_costs_one_count_query(
    big_catalog, tmp_path, django_assert_num_queries
):
    manager = DownloadManager(tmp_path, entry_id__startswith='bulk-')
    with django_assert_num_queries(1), pytest.raises(SelectionError) as raised:
        manager.download()
    assert raised.value.count == COUNT and f'{COUNT} datasets match' in str(raised.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_a_big_selection_is_iterated_in_chunks_not_loaded(big_catalog, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    manager = DownloadManager(tmp_path, max_downloads=COUNT, entry_id__startswith='bulk-')
    consumed = 2_000
    tracemalloc.start()
    try:
        with CaptureQueriesContext(connection) as queries:
            manager.selection.check(manager.max_downloads)
            jobs = manager.selection.jobs()
            first = next(jobs)
            for _ in range(consumed - 1):
                next(jobs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert first.uris == (('https://example.invalid/f.nc', 'OPENDAP'),)
    # the count, then per keyset page: the datasets and their URIs
    assert len(queries) <= 1 + 2 * (consumed // PAGE_SIZE + 1)
    assert all('OFFSET' not in query['sql'].upper() for query in queries)
    assert peak < 10 * 1024 * 1024, f'peak {peak / 2**20:.1f} MiB for {consumed} datasets'


@pytest.mark.django_db
def test_a_dry_run_of_a_big_selection_starts_with_the_first_page(big_catalog, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    manager = DownloadManager(tmp_path, max_downloads=COUNT, entry_id__startswith='bulk-')
    assert manager.count() == COUNT
    with CaptureQueriesContext(connection) as queries:
        planned = manager.iter_plan()
        first = next(planned)
        planned.close()
    # the count was asked once, before; then one page: the datasets and their URIs
    assert len(queries) == 2
    assert first.entry_id == 'bulk-0' and first.uris == ('https://example.invalid/f.nc',)
