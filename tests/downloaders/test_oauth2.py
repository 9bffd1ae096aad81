"""OAuth2 password grant with TOTP: one token per expiry, shared through Redis, 401 -> refresh."""

from __future__ import annotations

import logging
import os
import sys
import textwrap

import pytest

from geospaas_processing.downloaders import _transfer, auth
from geospaas_processing.downloaders.errors import AuthenticationError, RetriableDownloadError
from geospaas_processing.downloaders.http import HTTPDownloader
from geospaas_processing.downloaders.provider_settings import ProviderSettings
from geospaas_processing.locks import named_lock

CONTENT = os.urandom(50_000)


def oauth2_settings(server, unique_name: str, placement: str = 'header', **overrides):
    values = {
        # A unique prefix and username keep the token caches of the tests apart.
        'prefix': server.base_url,
        'authentication_type': 'oauth2',
        'token_url': server.token_url,
        'client_id': server.client_id,
        'username': server.username,
        'password': server.password,
        'totp_secret': server.totp_secret,
        'token_placement': placement,
        'token_parameter_name': 'token',
    }
    values.update(overrides)
    settings = ProviderSettings(**values)
    # Each test gets its own account key, so process-wide caches do not leak between tests.
    auth._token_providers.pop(auth.TokenProvider(settings).key, None)
    return settings


@pytest.fixture
def account(http_server, unique_name):
    http_server.username = unique_name
    return http_server


@pytest.mark.parametrize('placement', ['header', 'url'])
def test_token_with_totp_used_for_many_downloads(account, tmp_path, unique_name, placement):
    settings = oauth2_settings(account, unique_name, placement)
    urls = [account.add_file(f'/f{i}.nc', CONTENT, auth='oauth2') for i in range(3)]
    with HTTPDownloader(settings) as downloader:
        for index, url in enumerate(urls):
            path, _ = _transfer.fetch(downloader, url, tmp_path / str(index))
            assert path.read_bytes() == CONTENT
    assert account.token_requests == 1


def test_a_refused_token_is_renewed_once_on_401(account, tmp_path, unique_name):
    settings = oauth2_settings(account, unique_name)
    url = account.add_file('/f.nc', CONTENT, auth='oauth2')
    with HTTPDownloader(settings) as downloader:
        _transfer.fetch(downloader, url, tmp_path / 'a')
        account.valid_tokens.clear()  # the provider revoked every token
        _transfer.fetch(downloader, url, tmp_path / 'b')
    assert account.token_requests == 2
    statuses = [record.path for record in account.requests]
    assert statuses.count('/token') == 2


def test_wrong_password_is_an_authentication_error_without_secrets(
    account, tmp_path, unique_name, caplog
):
    settings = oauth2_settings(account, unique_name, password='Wrong-Secret-55')
    url = account.add_file('/f.nc', CONTENT, auth='oauth2')
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthenticationError) as raised:
        with HTTPDownloader(settings) as downloader:
            _transfer.fetch(downloader, url, tmp_path)
    text = f'{raised.value} {raised.value!r} {settings!r} {caplog.text}'
    assert 'Wrong-Secret-55' not in text and account.totp_secret not in text


def test_token_in_url_never_appears_in_logs_or_errors(account, tmp_path, unique_name, caplog):
    settings = oauth2_settings(account, unique_name, 'url')
    url = account.add_file('/f.nc', CONTENT, auth='oauth2', statuses=[503])
    with caplog.at_level(logging.DEBUG), pytest.raises(RetriableDownloadError) as raised:
        with HTTPDownloader(settings) as downloader:
            _transfer.fetch(downloader, url, tmp_path)
    token = next(iter(account.valid_tokens))
    assert account.requests[-1].query['token'] == [token]
    assert token not in caplog.text and token not in str(raised.value)


def test_a_failed_token_request_does_not_leave_the_lock_held(account, tmp_path, unique_name):
    settings = oauth2_settings(account, unique_name)
    account.token_failures = [500]
    url = account.add_file('/f.nc', CONTENT, auth='oauth2')
    with HTTPDownloader(settings) as downloader:
        with pytest.raises(RetriableDownloadError):
            _transfer.fetch(downloader, url, tmp_path)
        provider = auth.token_provider(settings)
        with named_lock(f'oauth2-token:{provider.key}', blocking_timeout=0):
            pass
        assert _transfer.fetch(downloader, url, tmp_path)[0].read_bytes() == CONTENT


RACER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from geospaas_processing.downloaders import _transfer
    from geospaas_processing.downloaders.http import HTTPDownloader
    from geospaas_processing.downloaders.provider_settings import ProviderSettings
    import json
    settings = ProviderSettings(**json.loads(sys.argv[1]))
    sys.stdin.readline()  # start together
    with HTTPDownloader(settings) as downloader:
        for index in range(3):
            _transfer.fetch(downloader, sys.argv[2], Path(sys.argv[3]) / str(index))
    """
)


@pytest.mark.service('redis')
def test_processes_share_one_token_through_redis(
    account, tmp_path, unique_name, redis_url, monkeypatch
):
    import json
    import subprocess

    monkeypatch.setenv('GEOSPAAS_PROCESSING_REDIS_HOST', '127.0.0.1')
    monkeypatch.setenv('GEOSPAAS_PROCESSING_REDIS_PORT', redis_url.rsplit(':', 1)[1].split('/')[0])
    settings = oauth2_settings(account, unique_name)
    fields = {
        key: getattr(settings, key)
        for key in (
            'prefix',
            'authentication_type',
            'token_url',
            'client_id',
            'username',
            'password',
            'totp_secret',
        )
    }
    url = account.add_file('/f.nc', CONTENT, auth='oauth2')
    processes = [
        subprocess.Popen(
            [sys.executable, '-c', RACER, json.dumps(fields), url, str(tmp_path / str(n))],
            stdin=subprocess.PIPE,
            env=dict(os.environ),
        )
        for n in range(4)
    ]
    for process in processes:
        process.stdin.write(b'go\n')
        process.stdin.close()
    assert [process.wait(timeout=60) for process in processes] == [0, 0, 0, 0]
    assert account.token_requests == 1
    assert len(list(tmp_path.rglob('f.nc'))) == 12
