"""Hostile cases (issue 17 items 6 and 24): credentials must not follow redirects elsewhere.

The rule (as requests' ``should_strip_auth`` for the header, extended to tokens placed in the
URL): the ``Authorization`` header and a URL token go only to the same scheme, host and
port. Another port of the same host is another origin (RFC 6454 section 4), like another
tenant of a shared domain. A provider whose downloads really redirect lists the target in
``redirect_hosts``. Two real servers on loopback: two ports, two origins.
"""

from __future__ import annotations

import base64

import pytest

from geospaas_processing.downloaders import DownloadStatus
from geospaas_processing.downloaders.jobs import DownloadJob
from geospaas_processing.downloaders.provider_settings import ProviderSettingsRegistry, parse
from geospaas_processing.downloaders.transfers import Transfers
from geospaas_processing.httpclient import credentials_may_follow

CONTENT = b'granule bytes' * 1000
PASSWORD = 'basic-secret-PW1'


def download(directory, url: str, provider: dict):
    with Transfers(directory, ProviderSettingsRegistry(parse(provider), 'test')) as transfers:
        return next(transfers.download([DownloadJob.for_urls(url)]))


def test_basic_credentials_do_not_follow_a_redirect_to_another_port(
    http_server, other_http_server, tmp_path
):
    target = other_http_server.add_file('/granule.nc', CONTENT)
    url = http_server.add_file('/granule.nc', b'', redirect_to=target)
    provider = {http_server.base_url: {'username': 'reader', 'password': PASSWORD}}
    outcome = download(tmp_path, url, provider)
    assert outcome.status is DownloadStatus.DOWNLOADED
    assert 'Authorization' in http_server.requests[-1].headers
    assert 'Authorization' not in other_http_server.requests[-1].headers


def test_a_url_token_is_stripped_from_a_redirect_to_another_origin(
    http_server, other_http_server, tmp_path
):
    target = other_http_server.add_file('/granule.nc', CONTENT)
    url = http_server.add_file(
        '/granule.nc', b'', redirect_to=target, keep_query_on_redirect=True, auth='oauth2'
    )
    provider = {
        http_server.base_url: {
            'authentication_type': 'oauth2',
            'token_url': http_server.token_url,
            'client_id': http_server.client_id,
            'username': http_server.username,
            'password': http_server.password,
            'totp_secret': http_server.totp_secret,
            'token_placement': 'url',
            'token_parameter_name': 'token',
        }
    }
    outcome = download(tmp_path, url, provider)
    assert outcome.status is DownloadStatus.DOWNLOADED, outcome.reason
    assert 'token' in http_server.requests[-1].query
    assert 'token' not in other_http_server.requests[-1].query


def test_redirect_hosts_lets_credentials_follow_to_a_listed_host(
    http_server, other_http_server, tmp_path
):
    target = other_http_server.add_file('/granule.nc', CONTENT, auth='basic')
    url = http_server.add_file('/granule.nc', b'', redirect_to=target)
    other_http_server.username, other_http_server.password = 'reader', PASSWORD
    listed = other_http_server.base_url.removeprefix('http://')
    provider = {
        http_server.base_url: {
            'username': 'reader',
            'password': PASSWORD,
            'redirect_hosts': [listed],
        }
    }
    outcome = download(tmp_path, url, provider)
    assert outcome.status is DownloadStatus.DOWNLOADED, outcome.reason
    expected = base64.b64encode(f'reader:{PASSWORD}'.encode()).decode()
    assert other_http_server.requests[-1].headers['Authorization'] == f'Basic {expected}'


@pytest.mark.parametrize(
    ('old', 'new', 'allowed'),
    [
        ('https://bucket-a.s3.amazonaws.com/x', 'https://evil.s3.amazonaws.com/x', False),
        ('https://a.github.io/x', 'https://b.github.io/x', False),
        ('https://a.blob.core.windows.net/x', 'https://b.blob.core.windows.net/x', False),
        ('https://data.example.org/x', 'http://data.example.org/x', False),
        ('http://data.example.org/x', 'https://data.example.org/x', True),
        ('http://data.example.org:8080/x', 'https://data.example.org/x', False),
        ('https://DATA.example.org/x', 'https://data.example.org:443/y', True),
    ],
)
def test_credentials_follow_only_to_the_same_origin_across_shared_domains(old, new, allowed):
    assert credentials_may_follow(old, new) is allowed
