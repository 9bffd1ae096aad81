"""The environment variables: defaults, validation and their documentation."""

from pathlib import Path

import pytest

from geospaas_processing import config
from geospaas_processing.errors import ConfigurationError


def test_unset_variable_falls_back_to_its_default(monkeypatch):
    monkeypatch.delenv('GEOSPAAS_DB_PORT', raising=False)
    assert config.get('GEOSPAAS_DB_PORT') == '5432'
    monkeypatch.setenv('GEOSPAAS_DB_PORT', '6543')
    assert config.get('GEOSPAAS_DB_PORT') == '6543'


def test_undocumented_variable_is_refused():
    with pytest.raises(KeyError, match='not a documented'):
        config.get('GEOSPAAS_SOMETHING_ELSE')


def test_require_names_every_missing_variable(monkeypatch):
    monkeypatch.setenv('GEOSPAAS_PROCESSING_FTP_HOST', 'ftp.example.org')
    with pytest.raises(ConfigurationError) as error:
        config.require(
            'GEOSPAAS_PROCESSING_FTP_HOST',
            'GEOSPAAS_PROCESSING_FTP_ROOT',
            'GEOSPAAS_PROCESSING_FTP_PATH',
        )
    assert 'GEOSPAAS_PROCESSING_FTP_ROOT, GEOSPAAS_PROCESSING_FTP_PATH' in str(error.value)
    assert 'FTP_HOST' not in str(error.value)


def test_non_integer_port_is_a_configuration_error(monkeypatch):
    monkeypatch.setenv('GEOSPAAS_PROCESSING_REDIS_HOST', 'localhost')
    monkeypatch.setenv('GEOSPAAS_PROCESSING_REDIS_PORT', 'six')
    with pytest.raises(ConfigurationError, match='GEOSPAAS_PROCESSING_REDIS_PORT'):
        config.redis_address()


def test_description_hides_secrets(monkeypatch):
    monkeypatch.setenv('GEOSPAAS_DB_PASSWORD', 'hunter2')
    text = config.describe()
    assert 'hunter2' not in text
    assert 'GEOSPAAS_DB_PASSWORD = (set, hidden)' in text


def test_readme_documents_every_variable():
    readme = (Path(__file__).parents[1] / 'README.md').read_text()
    undocumented = [variable.name for variable in config.VARIABLES if variable.name not in readme]
    assert not undocumented, f'README.md does not mention {undocumented}'


def test_boolean_variables_accept_the_usual_spellings_and_name_a_wrong_one(monkeypatch):
    for value, expected in (('true', True), ('Yes', True), ('1', True), ('off', False)):
        monkeypatch.setenv('GEOSPAAS_PROCESSING_FTP_FREE_OLDEST', value)
        assert config.get_bool('GEOSPAAS_PROCESSING_FTP_FREE_OLDEST') is expected
    monkeypatch.setenv('GEOSPAAS_PROCESSING_FTP_FREE_OLDEST', 'maybe')
    with pytest.raises(
        ConfigurationError, match="FTP_FREE_OLDEST must be true or false, got 'maybe'"
    ):
        config.get_bool('GEOSPAAS_PROCESSING_FTP_FREE_OLDEST')
