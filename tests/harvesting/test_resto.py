"""Harvesting a CREODIAS-like resto endpoint on loopback."""

import pytest
from django.contrib.gis.geos import Point

from geospaas_processing.catalog.models import Dataset
from geospaas_processing.harvesting import save_search_results, update_vocabularies

pytestmark = pytest.mark.django_db

SEARCH = {
    'collection': 'Sentinel3',
    'start_time': '2022-08-01',
    'end_time': '2022-08-02',
    'location': 'POLYGON((-70 30,50 30,50 60,-70 60,-70 30))',
    'productType': 'SL_2_WST___',
}


def test_features_are_ingested_following_next_links(resto_server, harvest_config):
    update_vocabularies('snapshot')
    summary = save_search_results('creodias', SEARCH, harvest_config=harvest_config)
    assert (summary['pages'], summary['found'], summary['created']) == (3, 12, 12)
    dataset = Dataset.objects.get(entry_id='S3B_SL_2_WST____20220801T210000_00000_MAR_O_NR_003')
    assert dataset.source.platform.short_name == 'Sentinel-3B'
    assert dataset.source.instrument.short_name == 'SLSTR'
    assert dataset.data_center.short_name == 'ESA'
    assert 'productType: SL_2_WST___' in dataset.summary
    (uri,) = dataset.dataseturi_set.all()
    assert (uri.uri, uri.service) == ('https://zipper.creodias.eu/download/00000000', 'HTTPServer')
    method, path, query, _ = resto_server.requests[0]
    assert path == '/resto/api/collections/Sentinel3/search.json'
    assert query['startDate'] == '2022-08-01T00:00:00Z'
    assert query['completionDate'] == '2022-08-02T00:00:00Z'
    assert query['geometry'].startswith('POLYGON ((-70 30')
    assert (query['maxRecords'], query['productType']) == ('5', 'SL_2_WST___')
    assert [request[2]['page'] for request in resto_server.requests] == ['1', '2', '3']


def test_pages_are_counted_when_the_answer_has_no_links(resto_server, harvest_config):
    resto_server.links = False
    summary = save_search_results('creodias', SEARCH, harvest_config=harvest_config)
    assert summary['found'] == 12 and Dataset.objects.count() == 12


def test_antimeridian_footprint_is_stored_split_and_found_from_both_sides(
    resto_server, harvest_config
):
    resto_server.items[0]['geometry'] = {
        'type': 'Polygon',
        'coordinates': [[[178, 50], [-178, 50], [-178, 52], [178, 52], [178, 50]]],
    }
    save_search_results('creodias', SEARCH, harvest_config=harvest_config)
    entry_id = resto_server.items[0]['properties']['title'].removesuffix('.SEN3')
    footprint = Dataset.objects.get(entry_id=entry_id).geographic_location.geometry
    assert footprint.geom_type == 'MultiPolygon' and footprint.valid
    for longitude in (179, -179):
        found = Dataset.objects.filter(
            geographic_location__geometry__intersects=Point(longitude, 51, srid=4326)
        )
        assert [dataset.entry_id for dataset in found] == [entry_id]
    assert not Dataset.objects.filter(
        geographic_location__geometry__intersects=Point(0, 51, srid=4326)
    ).exists()


def test_server_error_mid_harvest_keeps_earlier_pages(resto_server, harvest_config):
    resto_server.failures = {2: 100}
    summary = save_search_results('creodias', SEARCH, harvest_config=harvest_config)
    assert not summary['complete'] and summary['created'] == 5
    assert 'HTTP 500' in summary['errors'][0]
    resto_server.failures = {}
    again = save_search_results('creodias', SEARCH, harvest_config=harvest_config)
    assert (again['created'], again['updated'], again['complete']) == (7, 5, True)


def test_invalid_features_are_counted_as_failed(resto_server, harvest_config):
    resto_server.items[1]['properties']['completionDate'] = '2022-07-01T00:00:00Z'
    del resto_server.items[2]['geometry']
    summary = save_search_results('creodias', SEARCH, harvest_config=harvest_config)
    assert (summary['created'], summary['failed'], summary['complete']) == (10, 2, True)
