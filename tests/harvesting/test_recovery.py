"""Failed ingestions are kept on disk and re-ingested by retry_ingestion."""

import json

import pytest

from geospaas_processing.catalog.models import Dataset
from geospaas_processing.harvesting import retry_ingestion, save_search_results
from geospaas_processing.harvesting.failures import FailedIngestionStore
from tests.harvesting.servers import resto_feature, stac_item

pytestmark = pytest.mark.django_db


def test_kept_results_that_now_succeed_are_ingested_and_removed(harvest_config):
    store = FailedIngestionStore()
    store.record('stac', 'stac', stac_item(1), 'database refused it: deadlock detected')
    store.record('creodias', 'resto', resto_feature(2), 'database refused it: timeout')
    broken = store.record('gone', 'resto', {'properties': {'title': 'x'}}, 'invalid')
    summary = retry_ingestion(harvest_config)
    json.dumps(summary)
    assert (summary['retried'], summary['succeeded'], summary['failed']) == (3, 2, 1)
    assert Dataset.objects.count() == 2
    (left,) = store.entries()
    assert left.path == broken and left.attempts == 2
    assert 'has no startDate' in left.error


def test_retry_works_without_a_harvest_configuration():
    FailedIngestionStore().record('old-provider', 'stac', stac_item(7), 'database refused it')
    assert retry_ingestion()['succeeded'] == 1
    assert Dataset.objects.get(entry_id=stac_item(7)['id']).data_center.short_name == (
        'old-provider'
    )


def test_a_harvest_then_a_retry_after_the_provider_fixed_its_items(stac_server, harvest_config):
    stac_server.items[0]['properties']['end_datetime'] = '2000-01-01T00:00:00Z'
    summary = save_search_results('stac', {}, harvest_config=harvest_config)
    assert summary['failed'] == 1 and FailedIngestionStore().count() == 1
    # Same failure again: one file, two attempts.
    save_search_results('stac', {}, harvest_config=harvest_config)
    (entry,) = FailedIngestionStore().entries()
    assert entry.attempts == 2 and 'ends' in entry.error and 'before it starts' in entry.error
    assert retry_ingestion(harvest_config)['failed'] == 1
