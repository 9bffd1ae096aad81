"""Harvesting a STAC API on loopback: paging, assets, retries, invalid items, idempotence."""

import json

import pytest

from geospaas_processing.catalog.models import Dataset, DatasetURI
from geospaas_processing.harvesting import save_search_results, update_vocabularies
from geospaas_processing.harvesting.failures import FailedIngestionStore
from tests.harvesting.servers import stac_item

pytestmark = pytest.mark.django_db

SEARCH = {
    'start_time': '2022-08-01',
    'end_time': '2022-08-31T23:59:59Z',
    'location': 'POLYGON((-180 -90,180 -90,180 90,-180 90,-180 -90))',
    'collections': ['sentinel-3-slstr-wst'],
}


def test_all_pages_are_ingested_with_their_assets(stac_server, harvest_config):
    update_vocabularies('snapshot')
    summary = save_search_results('stac', SEARCH, harvest_config=harvest_config)
    assert summary['pages'] == 3 and summary['complete']
    assert (summary['found'], summary['created'], summary['updated'], summary['failed']) == (
        25,
        25,
        0,
        0,
    )
    json.dumps(summary)  # Celery sends it as JSON
    dataset = Dataset.objects.get(entry_id='S3A_SL_2_WST____20220801T100000_00000')
    assert dataset.entry_title == 'SLSTR WST granule 0'
    assert dataset.time_coverage_start.isoformat() == '2022-08-01T10:00:00.123456+00:00'
    # Matched to the GCMD entries, not new ones with the provider's spelling.
    assert dataset.source.platform.short_name == 'Sentinel-3A'
    assert dataset.source.platform.series_entity == 'Sentinel-3'
    assert dataset.source.instrument.long_name == 'Sea and Land Surface Temperature Radiometer'
    uris = list(DatasetURI.objects.filter(dataset=dataset).values_list('service', 'name', 'uri'))
    assert sorted(uris) == [
        ('HTTPServer', 'http', 'https://example.test/data/0.nc'),
        ('OPENDAP', 'dapService', 'https://example.test/thredds/dodsC/0.nc'),
    ]


def test_the_search_request_carries_time_area_and_paging(stac_server, harvest_config):
    save_search_results('stac', SEARCH, harvest_config=harvest_config)
    bodies = [body for method, _, _, body in stac_server.requests if method == 'POST']
    first = bodies[0]
    assert first['datetime'] == '2022-08-01T00:00:00Z/2022-08-31T23:59:59Z'
    assert first['intersects']['type'] == 'Polygon'
    assert first['collections'] == ['sentinel-3-slstr-wst'] and first['limit'] == 10
    assert [body.get('next') for body in bodies] == [None, '2', '3']
    assert all(body['datetime'] == first['datetime'] for body in bodies)  # merged bodies


def test_get_paging_links_are_followed(stac_server, harvest_config):
    stac_server.get_paging = True
    summary = save_search_results('stac', {}, harvest_config=harvest_config)
    assert summary['found'] == 25 and Dataset.objects.count() == 25
    assert [method for method, *_ in stac_server.requests] == ['POST', 'GET', 'GET']


def test_harvesting_again_updates_and_merges_uris(stac_server, harvest_config):
    save_search_results('stac', SEARCH, harvest_config=harvest_config)
    stac_server.items[0]['assets']['mirror'] = {
        'href': 'ftp://mirror.test/0.nc',
        'roles': ['data'],
    }
    stac_server.items[0]['properties']['title'] = 'Renamed'
    summary = save_search_results('stac', SEARCH, harvest_config=harvest_config)
    assert (summary['created'], summary['updated']) == (0, 25)
    assert Dataset.objects.count() == 25
    dataset = Dataset.objects.get(entry_id=stac_item(0)['id'])
    assert dataset.entry_title == 'Renamed'
    assert sorted(dataset.dataseturi_set.values_list('service', flat=True)) == [
        'HTTPServer',
        'OPENDAP',
        'ftp',
    ]
    assert DatasetURI.objects.count() == 25 * 2 + 1


def test_invalid_items_are_kept_and_the_harvest_goes_on(stac_server, harvest_config):
    stac_server.items[3] = {'type': 'Feature', 'properties': {}}  # no id
    stac_server.items[14]['properties']['start_datetime'] = 'last tuesday'
    stac_server.items[20]['geometry'] = {'type': 'Polygon', 'coordinates': [[[0, 0], [1, 1]]]}
    summary = save_search_results('stac', SEARCH, harvest_config=harvest_config)
    assert (summary['found'], summary['created'], summary['failed']) == (25, 22, 3)
    assert summary['complete']
    kept = list(FailedIngestionStore().entries())
    assert len(kept) == 3
    errors = ' | '.join(entry.error for entry in kept)
    assert 'without "id"' in errors and "'last tuesday' is not an ISO 8601 time" in errors
    assert {entry.provider_name for entry in kept} == {'stac'}


def test_server_errors_are_retried(stac_server, harvest_config):
    stac_server.failures = {2: 2}  # page 2 answers 503 twice, then works
    summary = save_search_results('stac', SEARCH, harvest_config=harvest_config)
    assert summary['complete'] and summary['created'] == 25
    assert stac_server.served_failures[2] == 2


def test_a_page_that_fails_for_good_keeps_the_pages_before(stac_server, harvest_config):
    stac_server.failures = {3: 100}
    summary = save_search_results('stac', SEARCH, harvest_config=harvest_config)
    assert not summary['complete']
    assert (summary['pages'], summary['created']) == (2, 20)
    assert Dataset.objects.count() == 20
    (error,) = summary['errors']
    assert f'{stac_server.url}/search answered HTTP 503' in error
    assert 'gave up after 4 attempts' in error


def test_errors_never_show_credentials_and_the_rate_is_limited(stac_server, harvest_config):
    import time
    from dataclasses import replace

    address = stac_server.url.removeprefix('http://')
    stac = replace(
        harvest_config.provider('stac'),
        url=f'http://alice:hunter2@{address}',
        requests_per_second=20,
    )
    harvest_config.providers['stac'] = stac
    stac_server.failures = {1: 100}
    started = time.monotonic()
    summary = save_search_results('stac', {}, harvest_config=harvest_config)
    assert time.monotonic() - started >= 3 / 20  # four attempts, at most 20 per second
    assert 'hunter2' not in summary['errors'][0] and 'alice' not in summary['errors'][0]
    assert f'http://{address}/search' in summary['errors'][0]
