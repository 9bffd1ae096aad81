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


def test_typed_values_come_with_their_defaults(monkeypatch):
    monkeypatch.delenv('GEOSPAAS_PROCESSING_LOCK_RETRY_DELAY', raising=False)
    assert config.value('GEOSPAAS_PROCESSING_LOCK_RETRY_DELAY') == 30
    monkeypatch.setenv('GEOSPAAS_PROCESSING_LOCK_RETRY_DELAY', '5')
    assert config.value('GEOSPAAS_PROCESSING_LOCK_RETRY_DELAY') == 5
    monkeypatch.setenv('GEOSPAAS_PROCESSING_WORK_DIR', '~/work')
    assert config.value('GEOSPAAS_PROCESSING_WORK_DIR') == Path.home() / 'work'


def test_validate_names_every_bad_variable_at_once(monkeypatch):
    monkeypatch.setenv('GEOSPAAS_DB_PORT', '99999')
    monkeypatch.setenv('GEOSPAAS_PROCESSING_LOCK_EXPIRY', 'soon')
    monkeypatch.setenv('GEOSPAAS_PROCESSING_BROKER', 'http://guest:PW@rabbit/')
    monkeypatch.setenv('GEOSPAAS_PROCESSING_FTP_FREE_OLDEST', 'maybe')
    with pytest.raises(ConfigurationError) as error:
        config.validate()
    message = str(error.value)
    assert 'GEOSPAAS_DB_PORT must be a port number' in message
    assert "GEOSPAAS_PROCESSING_LOCK_EXPIRY must be an integer, got 'soon'" in message
    assert 'GEOSPAAS_PROCESSING_BROKER must be a URL starting with amqp://' in message
    assert 'GEOSPAAS_PROCESSING_FTP_FREE_OLDEST must be true or false' in message
    assert 'PW' not in message  # the URL's password is masked in the error too


def test_url_passwords_are_masked_in_the_description(monkeypatch):
    monkeypatch.setenv('GEOSPAAS_PROCESSING_BROKER', 'amqp://guest:s3cret@rabbit:5672//')
    monkeypatch.setenv('GEOSPAAS_PROCESSING_RESULT_BACKEND', 'redis://:t0ken@redis:6379/1')
    text = config.describe()
    assert 'GEOSPAAS_PROCESSING_BROKER = amqp://guest:***@rabbit:5672//' in text
    assert 'GEOSPAAS_PROCESSING_RESULT_BACKEND = redis://:***@redis:6379/1' in text
    assert 's3cret' not in text and 't0ken' not in text


def test_one_yaml_loader_for_every_file(tmp_path, monkeypatch):
    from geospaas_processing.yaml_config import YAMLConfigError, load_yaml

    path = tmp_path / 'settings.yml'
    path.write_text(
        'user: !ENV TEST_YAML_USER\n'
        'token: !ENV ${TEST_YAML_TOKEN:-}\n'
        'host: !ENV ${TEST_YAML_HOST:-example.org}\n'
    )
    monkeypatch.setenv('TEST_YAML_USER', 'alice')
    assert load_yaml(path) == {'user': 'alice', 'token': None, 'host': 'example.org'}
    monkeypatch.delenv('TEST_YAML_USER')
    with pytest.raises(YAMLConfigError) as error:
        load_yaml(path)
    assert f'{path}, line 1: the environment variable TEST_YAML_USER is not set' in str(error.value)
    assert isinstance(error.value, ConfigurationError)


def test_provider_settings_use_the_same_loader(tmp_path):
    from geospaas_processing.downloaders import provider_settings
    from geospaas_processing.downloaders.errors import ProviderSettingsError

    path = tmp_path / 'providers.yml'
    path.write_text("'https://example.org':\n  password: !ENV TEST_UNSET_PROVIDER_PASSWORD\n")
    with pytest.raises(ProviderSettingsError, match='TEST_UNSET_PROVIDER_PASSWORD is not set'):
        provider_settings.load(path)
    # The packaged file gives explicit defaults: it loads without any credential set.
    assert provider_settings.load().all()
