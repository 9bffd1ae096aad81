"""HTTPDownloader against the loopback HTTP server: auth, names, resume, statuses, checksums."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from geospaas_processing.downloaders import _transfer
from geospaas_processing.downloaders.errors import (
    AuthenticationError,
    DownloadError,
    ObsoleteURLError,
    RetriableDownloadError,
)
from geospaas_processing.downloaders.http import HTTPDownloader
from geospaas_processing.downloaders.progress import TransferProgress
from geospaas_processing.downloaders.provider_settings import ProviderSettings
from geospaas_processing.httpclient import RETRY_AFTER_MAX, retry_after_seconds

CONTENT = os.urandom(2_000_000)  # above RESUMABLE_SIZE


def fetch(url: str, directory: Path, settings: ProviderSettings | None = None, **kwargs):
    with HTTPDownloader(settings or ProviderSettings()) as downloader:
        return _transfer.fetch(downloader, url, directory, **kwargs)


def listing(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def test_plain_download_uses_the_url_name_and_leaves_no_partial_file(http_server, tmp_path):
    url = http_server.add_file('/data/file%20one.nc', CONTENT)
    path, size = fetch(url, tmp_path)
    assert path == tmp_path / 'file one.nc'
    assert path.read_bytes() == CONTENT and size == len(CONTENT)
    assert listing(tmp_path) == ['file one.nc']


def test_content_disposition_name_with_rfc6266_filename_star(http_server, tmp_path):
    disposition = 'attachment; filename="fallback.nc"; filename*=UTF-8\'\'%E2%82%AC%20rates.nc'
    url = http_server.add_file('/get', CONTENT, content_disposition=disposition)
    path, _ = fetch(url + '?id=3', tmp_path)
    assert path.name == '€ rates.nc'


@pytest.mark.parametrize(
    'disposition',
    [
        'attachment; filename="../../../../etc/evil.nc"',
        "attachment; filename*=UTF-8''..%2F..%2Fevil.nc",
        'attachment; filename="/etc/evil.nc"',
        'attachment; filename="..\\\\..\\\\evil.nc"',
    ],
)
def test_a_malicious_content_disposition_cannot_leave_the_directory(
    http_server, tmp_path, disposition
):
    url = http_server.add_file('/x', CONTENT, content_disposition=disposition)
    target = tmp_path / 'deep' / 'dataset'
    path, _ = fetch(url, target)
    assert path.parent == target and path.name == 'evil.nc'
    assert sorted(p.name for p in tmp_path.rglob('*')) == ['dataset', 'deep', 'evil.nc']


def test_dotted_server_names_never_become_hidden_or_partial_files(http_server, tmp_path):
    url = http_server.add_file('/x', CONTENT, content_disposition='attachment; filename="..part"')
    path, _ = fetch(url, tmp_path)
    assert path.name == 'part'


def test_basic_auth_is_sent_and_a_wrong_password_is_an_authentication_error(http_server, tmp_path):
    url = http_server.add_file('/private.nc', CONTENT, auth='basic')
    good = ProviderSettings(
        prefix=http_server.base_url, username='reader', password='basic-secret-PW1'
    )
    assert fetch(url, tmp_path / 'a', good)[0].read_bytes() == CONTENT
    bad = ProviderSettings(prefix=http_server.base_url, username='reader', password='wrong-PW-77')
    with pytest.raises(AuthenticationError) as raised:
        fetch(url, tmp_path / 'b', bad)
    assert raised.value.status_code == 401
    assert 'wrong-PW-77' not in str(raised.value) and 'wrong-PW-77' not in repr(bad)
    assert not list((tmp_path / 'b').iterdir())


def test_404_is_obsolete_and_configured_invalid_status_too(http_server, tmp_path):
    with pytest.raises(ObsoleteURLError) as raised:
        fetch(http_server.url('/missing.nc'), tmp_path)
    assert raised.value.status_code == 404
    url = http_server.add_file('/offline.nc', CONTENT, statuses=[202])
    settings = ProviderSettings(prefix=http_server.base_url, invalid_status_codes={202: 'offline'})
    with pytest.raises(ObsoleteURLError, match='offline'):
        fetch(url, tmp_path, settings)
    assert listing(tmp_path) == []


@pytest.mark.parametrize('status', [429, 503])
def test_busy_server_is_retriable_with_its_retry_after(http_server, tmp_path, status):
    url = http_server.add_file('/busy.nc', CONTENT, statuses=[status], retry_after='120')
    with pytest.raises(RetriableDownloadError) as raised:
        fetch(url, tmp_path)
    assert raised.value.retry_after == 120 and raised.value.status_code == status
    assert fetch(url, tmp_path)[0].read_bytes() == CONTENT


def test_retry_after_as_http_date():
    assert retry_after_seconds('Wed, 21 Oct 2015 07:28:00 GMT') == 0.0
    assert retry_after_seconds('garbage') is None


@pytest.mark.parametrize(
    'value', ['1e20', '100000000000000000000000000', 'Fri, 31 Dec 9999 23:59:59 GMT', 'inf']
)
def test_an_absurd_retry_after_is_cut_to_the_backoff_maximum(value):
    # RFC 9110 section 10.2.3: delay-seconds or HTTP-date; nothing bounds them, we do.
    assert retry_after_seconds(value) == RETRY_AFTER_MAX


def test_retry_after_nan_and_negative_values():
    assert retry_after_seconds('nan') is None
    assert retry_after_seconds('-5') == 0.0


def test_connection_dropped_mid_body_resumes_with_range_and_if_range(http_server, tmp_path):
    url = http_server.add_file('/big.nc', CONTENT, drop_after=100_000, drops=1)
    with pytest.raises(RetriableDownloadError):
        fetch(url, tmp_path)
    partials = [name for name in listing(tmp_path) if name.endswith('.part')]
    assert partials and not [name for name in listing(tmp_path) if name == 'big.nc']
    path, size = fetch(url, tmp_path)
    assert path.read_bytes() == CONTENT and size == len(CONTENT)
    last = http_server.requests[-1]
    assert last.headers['Range'] == 'bytes=100000-'
    assert last.headers['If-Range'] == http_server.files['/big.nc'].etag
    assert listing(tmp_path) == ['big.nc']


def test_a_changed_remote_file_is_downloaded_again_from_the_start(http_server, tmp_path):
    url = http_server.add_file('/big.nc', CONTENT, drop_after=100_000, drops=1)
    with pytest.raises(RetriableDownloadError):
        fetch(url, tmp_path)
    new_content = os.urandom(200_000)
    http_server.add_file('/big.nc', new_content)
    path, _ = fetch(url, tmp_path)
    assert path.read_bytes() == new_content


def test_server_without_range_support_restarts_from_zero(http_server, tmp_path):
    url = http_server.add_file('/norange.nc', CONTENT, ranges=False, drop_after=50_000, drops=1)
    with pytest.raises(RetriableDownloadError):
        fetch(url, tmp_path)
    path, _ = fetch(url, tmp_path)
    assert path.read_bytes() == CONTENT


@pytest.mark.parametrize('digests', [('content-md5',), ('digest',), ('repr-digest',)])
def test_checksums_are_verified(http_server, tmp_path, digests):
    url = http_server.add_file('/sum.nc', CONTENT, digests=digests)
    assert fetch(url, tmp_path / 'ok')[0].read_bytes() == CONTENT
    bad = http_server.add_file('/bad.nc', CONTENT, digests=digests, corrupt_digest=True)
    with pytest.raises(RetriableDownloadError, match='checksum'):
        fetch(bad, tmp_path / 'bad')
    assert listing(tmp_path / 'bad') == []


def test_repr_digest_checked_over_the_whole_file_after_a_resume(http_server, tmp_path):
    url = http_server.add_file(
        '/sum.nc', CONTENT, digests=('repr-digest',), drop_after=70_000, drops=1
    )
    with pytest.raises(RetriableDownloadError):
        fetch(url, tmp_path)
    assert fetch(url, tmp_path)[0].read_bytes() == CONTENT


def test_credentials_are_dropped_on_redirect_to_another_domain(http_server, tmp_path):
    other = http_server.url('/public.nc').replace('127.0.0.1', 'localhost')
    http_server.add_file('/public.nc', CONTENT)
    url = http_server.add_file('/redirect', b'', redirect_to=other)
    settings = ProviderSettings(prefix=http_server.base_url, username='reader', password='pw-1234')
    fetch(url, tmp_path, settings)
    first, second = http_server.requests[-2:]
    assert 'Authorization' in first.headers and 'Authorization' not in second.headers


def test_credentials_are_kept_on_redirect_within_the_same_domain(http_server, tmp_path):
    target = http_server.add_file('/private.nc', CONTENT, auth='basic')
    url = http_server.add_file('/redirect', b'', redirect_to=target)
    settings = ProviderSettings(
        prefix=http_server.base_url, username='reader', password='basic-secret-PW1'
    )
    assert fetch(url, tmp_path, settings)[0].read_bytes() == CONTENT


def test_progress_object_hears_start_advance_and_finish(http_server, tmp_path):
    url = http_server.add_file('/p.nc', CONTENT)
    seen = []

    class Recorder(TransferProgress):
        def start(self, key, size, offset):
            seen.append(('start', key, size, offset))

        def advance(self, key, count):
            seen.append(('advance', key, count))

        def finish(self, key, completed):
            seen.append(('finish', key, completed))

    fetch(url, tmp_path, progress=Recorder(), key=7)
    assert seen[0] == ('start', 7, len(CONTENT), 0) and seen[-1] == ('finish', 7, True)
    assert sum(event[2] for event in seen if event[0] == 'advance') == len(CONTENT)


def test_size_with_a_head_request(http_server):
    url = http_server.add_file('/s.nc', CONTENT)
    with HTTPDownloader(ProviderSettings()) as downloader:
        assert downloader.size(url) == len(CONTENT)
        with pytest.raises(ObsoleteURLError):
            downloader.size(http_server.url('/nothing'))


def test_unreachable_server_is_retriable(tmp_path):
    with pytest.raises(RetriableDownloadError, match='could not reach'):
        fetch('http://127.0.0.1:9/x.nc', tmp_path)


def test_request_parameters_are_sent_and_hidden_from_logs_and_errors(http_server, tmp_path, caplog):
    url = http_server.add_file('/app.nc', CONTENT, statuses=[500])
    settings = ProviderSettings(
        prefix=http_server.base_url, request_parameters={'appkey': 'app-key-SECRET-9'}
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(RetriableDownloadError) as raised:
        fetch(url, tmp_path, settings)
    assert http_server.requests[-1].query['appkey'] == ['app-key-SECRET-9']
    assert 'app-key-SECRET-9' not in caplog.text
    assert 'app-key-SECRET-9' not in str(raised.value)
    assert isinstance(raised.value, DownloadError)


def test_a_small_interrupted_file_is_fetched_again_from_the_start(http_server, tmp_path):
    small = os.urandom(300_000)
    url = http_server.add_file('/small.nc', small, drop_after=100_000, drops=1)
    with pytest.raises(RetriableDownloadError):
        fetch(url, tmp_path)
    assert fetch(url, tmp_path)[0].read_bytes() == small
    assert 'Range' not in http_server.requests[-1].headers
