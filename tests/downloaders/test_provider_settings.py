"""Provider settings files: !ENV values, longest prefix, validation naming prefix and key."""

from __future__ import annotations

import pytest

from geospaas_processing.downloaders import provider_settings
from geospaas_processing.downloaders.errors import ProviderSettingsError
from geospaas_processing.errors import ConfigurationError


def test_env_values_and_longest_prefix_wins(settings_file, monkeypatch):
    monkeypatch.setenv('TEST_PROVIDER_PASSWORD', 'from-env-PW')
    monkeypatch.delenv('TEST_UNSET_VARIABLE', raising=False)
    path = settings_file(
        """
        'https://example.org':
          username: general
          max_parallel_downloads: 2
        'https://example.org/restricted':
          username: special
          password: !ENV TEST_PROVIDER_PASSWORD
          totp_secret: !ENV ${TEST_UNSET_VARIABLE:-}
          invalid_status_codes: {202: offline}
          request_parameters: {appkey: abc}
        """
    )
    registry = provider_settings.load(path)
    special = registry.for_url('https://example.org/restricted/file.nc')
    assert (special.username, special.password, special.totp_secret) == (
        'special',
        'from-env-PW',
        None,
    )
    assert special.invalid_status_codes == {202: 'offline'}
    assert registry.for_url('https://example.org/other').max_parallel_downloads == 2
    assert registry.for_url('ftp://elsewhere/x').prefix == ''
    assert 'from-env-PW' not in repr(special) and 'abc' not in repr(special)


def test_the_environment_variable_chooses_the_file(settings_file, monkeypatch):
    path = settings_file({'https://a.org': {'username': 'x'}})
    monkeypatch.setenv('GEOSPAAS_PROCESSING_PROVIDER_SETTINGS_PATH', str(path))
    assert provider_settings.load().for_url('https://a.org/f').username == 'x'


def test_the_packaged_default_file_is_valid():
    registry = provider_settings.load(provider_settings.DEFAULT_PATH)
    assert registry.for_url('https://zipper.creodias.eu/x').authentication_type == 'oauth2'


def test_every_invalid_key_is_named_with_its_prefix(settings_file):
    path = settings_file(
        """
        'https://a.org':
          usernme: typo
          max_parallel_downloads: zero
        'https://b.org':
          authentication_type: oauth2
          token_placement: cookie
        """
    )
    with pytest.raises(ProviderSettingsError) as raised:
        provider_settings.load(path)
    message = str(raised.value)
    for expected in (
        "prefix 'https://a.org': unknown key 'usernme'",
        "prefix 'https://a.org': key 'max_parallel_downloads' must be a positive integer",
        "prefix 'https://b.org': key 'token_placement' must be one of header, url",
        "prefix 'https://b.org': authentication_type oauth2 needs the key(s) token_url, client_id",
    ):
        assert expected in message
    assert isinstance(raised.value, ConfigurationError)


@pytest.mark.parametrize(
    ('text', 'fragment'),
    [('- a\n- b\n', 'top level'), ('a: [unclosed\n', 'not valid YAML'), (None, 'cannot read')],
)
def test_unreadable_or_malformed_files(settings_file, tmp_path, text, fragment):
    path = settings_file(text) if text is not None else tmp_path / 'missing.yml'
    with pytest.raises(ProviderSettingsError, match=fragment):
        provider_settings.load(path)


def test_redirect_hosts_html_and_low_speed_keys_are_validated():
    document = {
        'https://a.example.org': {
            'redirect_hosts': ['cdn.example.net', 'files.example.org:8443'],
            'allow_html': True,
            'low_speed_limit': 0,
            'low_speed_time': 5,
        },
        'https://b.example.org': {
            'redirect_hosts': ['https://evil.example.com/path'],
            'allow_html': 'yes',
            'low_speed_limit': -1,
            'low_speed_time': 0,
        },
    }
    with pytest.raises(ProviderSettingsError) as raised:
        provider_settings.parse(document)
    message = str(raised.value)
    for key in ('redirect_hosts', 'allow_html', 'low_speed_limit', 'low_speed_time'):
        assert f"'https://b.example.org': key {key!r}" in message
    assert 'a.example.org' not in message
    del document['https://b.example.org']
    settings = provider_settings.parse(document)['https://a.example.org']
    assert settings.redirect_hosts == ('cdn.example.net', 'files.example.org:8443')
    assert settings.allow_html and settings.low_speed_limit == 0 and settings.low_speed_time == 5


def test_unset_low_speed_keys_take_the_documented_defaults():
    settings = provider_settings.parse({'https://x.example.org': {}})['https://x.example.org']
    assert (settings.low_speed_limit, settings.low_speed_time) == (1000, 60.0)
    assert settings.redirect_hosts == () and settings.allow_html is False
