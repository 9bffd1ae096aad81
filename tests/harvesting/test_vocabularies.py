"""GCMD keywords from the keyword service's CSV format, a loopback source and the snapshot."""

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from geospaas_processing.harvesting import VocabularyError, update_vocabularies
from geospaas_processing.harvesting.vocabularies import SCHEMES, parse_keywords_csv
from geospaas_processing.vocabularies.models import DataCenter, ISOTopicCategory, Platform

PLATFORMS_CSV = (
    '"Keyword Version: 17.9","Revision: 2024-01-01","Timestamp: 2024-01-01 00:00:00",'
    '"Terms Of Use: https://example.test/terms","XML: https://example.test/platforms"\n'
    'Basis,Category,Sub_Category,Short_Name,Long_Name,UUID\n'
    'Space-based Platforms,Earth Observation Satellites,,,,1111\n'
    'Space-based Platforms,Earth Observation Satellites,Sentinel-3,Sentinel-3A,,2222\n'
    'Space-based Platforms,Earth Observation Satellites,GCOM,GCOM-W1,'
    '"Global Change Observation Mission, Water 1",3333\n'
)


def test_the_gcmd_csv_format_is_parsed():
    rows = parse_keywords_csv(PLATFORMS_CSV, 'platforms')
    assert len(rows) == 3
    assert rows[2] == {
        'category': 'Earth Observation Satellites',
        'series_entity': 'GCOM',
        'short_name': 'GCOM-W1',
        'long_name': 'Global Change Observation Mission, Water 1',
    }


def test_an_unknown_header_is_a_clear_error():
    with pytest.raises(VocabularyError, match='no known column'):
        parse_keywords_csv('a,b\n1,2\n', 'providers')


@pytest.fixture
def keyword_server(tmp_path):
    (tmp_path / 'platforms').write_text(PLATFORMS_CSV)
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    with ThreadingHTTPServer(('127.0.0.1', 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f'http://127.0.0.1:{server.server_address[1]}'
        server.shutdown()


@pytest.mark.django_db
def test_keywords_are_loaded_from_a_url_template_once(keyword_server):
    source = f'{keyword_server}/{{scheme}}'
    summary = update_vocabularies(source, schemes=('platforms',), fallback_to_snapshot=False)
    assert summary['platforms'] == {'source': source, 'read': 3, 'added': 3}
    assert Platform.objects.get(short_name='GCOM-W1').series_entity == 'GCOM'
    again = update_vocabularies(source, schemes=('platforms',), fallback_to_snapshot=False)
    assert again['platforms']['added'] == 0 and Platform.objects.count() == 3


@pytest.mark.django_db
def test_an_unreachable_source_falls_back_to_the_snapshot_or_fails(keyword_server):
    source = f'{keyword_server}/missing/{{scheme}}.csv'
    with pytest.raises(VocabularyError, match='404'):
        update_vocabularies(source, schemes=('providers',), fallback_to_snapshot=False)
    summary = update_vocabularies(source, schemes=('providers',))
    assert summary['providers']['source'].startswith('snapshot (cannot download')
    assert DataCenter.objects.filter(short_name='ESA/EO').exists()


@pytest.mark.django_db
def test_a_failed_download_keeps_the_sources_credentials_out_of_the_message(keyword_server):
    scheme, rest = keyword_server.split('://', 1)
    source = f'{scheme}://reader:pa55word@{rest}/missing/{{scheme}}.csv?token=s3cret'
    with pytest.raises(VocabularyError, match='404') as caught:
        update_vocabularies(source, schemes=('providers',), fallback_to_snapshot=False)
    assert 'pa55word' not in str(caught.value) and 's3cret' not in str(caught.value)


@pytest.mark.django_db
def test_the_snapshot_holds_every_scheme():
    summary = update_vocabularies('snapshot')
    assert set(summary) == set(SCHEMES)
    assert all(scheme['added'] > 0 for scheme in summary.values())
    assert ISOTopicCategory.objects.filter(name='Oceans').exists()


@pytest.mark.django_db
def test_the_source_may_be_a_directory(tmp_path):
    (tmp_path / 'platforms.csv').write_text(PLATFORMS_CSV)
    summary = update_vocabularies(str(tmp_path), schemes=('platforms',))
    assert summary['platforms']['added'] == 3
