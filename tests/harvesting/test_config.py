"""Reading the harvest YAML and planning searches: clear errors naming the file, key or provider."""

import pickle

import pytest

from geospaas_processing.errors import ConfigurationError
from geospaas_processing.harvesting import (
    HarvestConfigurationError,
    NormalizationError,
    ProviderError,
    VocabularyError,
    load_harvest_config,
    plan_harvest,
)
from geospaas_processing.harvesting.config import parse_harvest_config

GOOD_CONFIG = """
vocabularies:
  source: snapshot
providers:
  - name: creodias
    type: resto
    url: https://datahub.test/resto/api/collections/{collection}/search.json
    username: !ENV TEST_CREODIAS_USER
    password: !ENV TEST_CREODIAS_PASSWORD
    page_size: 50
    requests_per_second: 2
    options:
      productType: SL_2_WST___
  - name: earth-search
    type: stac
    url: https://stac.test/v1
"""


def write(tmp_path, text, name='harvest.yml'):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_providers_are_read_with_credentials_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv('TEST_CREODIAS_USER', 'alice')
    monkeypatch.setenv('TEST_CREODIAS_PASSWORD', 's3cret')
    monkeypatch.setenv('GEOSPAAS_PROCESSING_HARVEST_CONFIG', str(write(tmp_path, GOOD_CONFIG)))
    harvest_config = load_harvest_config()
    creodias = harvest_config.provider('creodias')
    assert (creodias.type, creodias.username, creodias.password) == ('resto', 'alice', 's3cret')
    assert (creodias.page_size, creodias.requests_per_second) == (50, 2.0)
    assert creodias.options == {'productType': 'SL_2_WST___'}
    assert 's3cret' not in repr(creodias)
    assert harvest_config.vocabulary_source == 'snapshot'
    assert harvest_config.provider('earth-search').page_size == 100


def test_unset_env_variable_is_named_with_the_file(tmp_path):
    path = write(tmp_path, GOOD_CONFIG)
    with pytest.raises(HarvestConfigurationError, match='TEST_CREODIAS_USER') as caught:
        load_harvest_config(path)
    assert str(path) in str(caught.value)


def test_unset_env_variable_names_the_line_and_the_default_syntax(tmp_path):
    path = write(tmp_path, GOOD_CONFIG)
    with pytest.raises(HarvestConfigurationError) as caught:
        load_harvest_config(path)
    # TEST_CREODIAS_USER is on line 8 of GOOD_CONFIG (which starts with an empty line).
    assert f'{path}, line 8' in str(caught.value)
    assert '!ENV ${TEST_CREODIAS_USER:-default}' in str(caught.value)


def test_an_explicit_default_stands_for_an_unset_variable(tmp_path):
    text = GOOD_CONFIG.replace('!ENV TEST_CREODIAS_USER', '!ENV ${TEST_CREODIAS_USER:-guest}')
    text = text.replace('!ENV TEST_CREODIAS_PASSWORD', '!ENV ${TEST_CREODIAS_PASSWORD:-}')
    creodias = load_harvest_config(write(tmp_path, text)).provider('creodias')
    assert (creodias.username, creodias.password) == ('guest', None)


def test_unknown_keys_are_rejected_naming_them(tmp_path, monkeypatch):
    monkeypatch.setenv('TEST_CREODIAS_USER', 'alice')
    monkeypatch.setenv('TEST_CREODIAS_PASSWORD', 's3cret')
    text = GOOD_CONFIG.replace('page_size: 50', 'pagesize: 50') + 'vocabulary: {}\n'
    with pytest.raises(HarvestConfigurationError) as caught:
        load_harvest_config(write(tmp_path, text))
    assert 'providers[0]: unknown key(s) pagesize' in str(caught.value)
    assert 'unknown top-level key(s) vocabulary' in str(caught.value)


def test_missing_file_and_unset_variable_are_clear_errors(tmp_path):
    with pytest.raises(HarvestConfigurationError, match='GEOSPAAS_PROCESSING_HARVEST_CONFIG'):
        load_harvest_config()
    missing = tmp_path / 'nope.yml'
    with pytest.raises(ConfigurationError, match=f'cannot read {missing}'):
        load_harvest_config(missing)


def test_invalid_yaml_names_the_file(tmp_path):
    path = write(tmp_path, 'providers: [unclosed')
    with pytest.raises(HarvestConfigurationError, match=f'{path} is not valid YAML'):
        load_harvest_config(path)


def test_every_wrong_key_is_named_in_one_error():
    document = {
        'providers': [
            {'name': 'a', 'type': 'ftp', 'url': 'x'},
            {'name': 'b', 'type': 'stac', 'page_size': 0},
            {'type': 'stac', 'url': 'u', 'timeout': 'soon'},
        ]
    }
    with pytest.raises(HarvestConfigurationError) as caught:
        parse_harvest_config(document, 'harvest.yml')
    message = str(caught.value)
    assert message.startswith('harvest.yml: ')
    for expected in (
        "providers[0].type 'ftp' is not one of local, resto, stac",
        'providers[1].page_size must be at least 1',
        'providers[1].url is required',
        'providers[2].name is required',
        "providers[2].timeout must be a number, got 'soon'",
    ):
        assert expected in message


def test_providers_may_be_a_mapping_by_name():
    harvest_config = parse_harvest_config({'providers': {'local': {'type': 'local', 'url': '/d'}}})
    assert harvest_config.provider('local').url == '/d'


def test_plan_merges_common_parameters_into_each_search():
    harvest_config = parse_harvest_config(
        {'providers': {'creodias': {'type': 'resto', 'url': 'https://r.test/{collection}'}}}
    )
    import datetime

    plan = plan_harvest(
        {
            'common': {'start_time': datetime.date(2022, 8, 1), 'end_time': '2022-08-02'},
            'searches': [
                {'provider_name': 'creodias', 'collection': 'Sentinel3'},
                {'provider_name': 'creodias', 'collection': 'Sentinel1', 'end_time': '2022-08-03'},
            ],
        },
        harvest_config,
    )
    assert plan == [
        {
            'provider_name': 'creodias',
            'search_parameters': {
                'start_time': '2022-08-01',
                'end_time': '2022-08-02',
                'collection': 'Sentinel3',
            },
        },
        {
            'provider_name': 'creodias',
            'search_parameters': {
                'start_time': '2022-08-01',
                'end_time': '2022-08-03',
                'collection': 'Sentinel1',
            },
        },
    ]


@pytest.mark.parametrize(
    ('search_config', 'message'),
    [
        ({'searches': [{'provider_name': 'scihub'}]}, "unknown provider 'scihub'"),
        ({'searches': []}, 'non-empty "searches" list'),
        ({'searches': [{'collection': 'x'}]}, 'searches\\[0\\] must be a mapping with'),
        (
            {'common': {'start_time': 'yesterday'}, 'searches': [{'provider_name': 'stac'}]},
            "searches\\[0\\]: .*start_time 'yesterday' is not an ISO 8601 time",
        ),
        (
            {'common': {'location': 'POLYGON((0 0'}, 'searches': [{'provider_name': 'stac'}]},
            'searches\\[0\\]: .*"location" is not valid WKT',
        ),
    ],
)
def test_bad_search_configurations_are_named(search_config, message):
    harvest_config = parse_harvest_config({'providers': {'stac': {'type': 'stac', 'url': 'u'}}})
    with pytest.raises(HarvestConfigurationError, match=message):
        plan_harvest(search_config, harvest_config)


def test_errors_pickle_with_their_details():
    for error in (
        HarvestConfigurationError('bad key'),
        NormalizationError('bad item'),
        VocabularyError('no csv'),
        ProviderError('p: GET https://x.test answered HTTP 503', 'https://x.test', 503),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)
    copy = pickle.loads(pickle.dumps(ProviderError('m', 'https://x.test', 503)))
    assert (copy.url, copy.status) == ('https://x.test', 503)
