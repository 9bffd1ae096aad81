"""A hostile search provider cannot reach local files or the credentials (issue 17, items 5, 7).

The providers are loopback HTTP servers answering STAC (``POST /search``, STAC API
item-search spec: ``next`` links with ``method``/``body``/``merge``) and resto JSON; a
second server on another port stands for another origin (RFC 6454, section 4: an origin is
scheme, host and port).

References: curl follows redirects only to HTTP(S)/FTP(S) by default and never to ``file:``
(CURLOPT_REDIR_PROTOCOLS, curl 7.65.2+), and sends credentials only to the host it was given
unless told ``--location-trusted`` (curl(1), ``--location``).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from geospaas_processing.harvesting.config import ProviderConfig
from geospaas_processing.harvesting.errors import ProviderError
from geospaas_processing.harvesting.providers.resto import RestoProvider
from geospaas_processing.harvesting.providers.stac import STACProvider
from geospaas_processing.storage import LocalSourceNotAllowedError, allowed_local_source
from tests.harvesting.servers import resto_feature, stac_item

TOKEN = 'harvest-token-SECRET'


class _RecordingHandler(BaseHTTPRequestHandler):
    server: _PagesServer

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get('Content-Length') or 0))
        self._answer()

    def _answer(self) -> None:
        self.server.seen.append((self.path, self.headers.get('Authorization')))
        payload = json.dumps(self.server.pages.get(self.path.split('?')[0], {})).encode()
        self.send_response(200 if self.path.split('?')[0] in self.server.pages else 404)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _PagesServer(ThreadingHTTPServer):
    """Serves fixed JSON documents by path and records each request's Authorization header."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(('127.0.0.1', 0), _RecordingHandler)
        self.pages: dict[str, Any] = {}
        self.seen: list[tuple[str, str | None]] = []

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.server_address[1]}'


@pytest.fixture
def servers() -> Iterator[tuple[_PagesServer, _PagesServer]]:
    """The provider's server and a second one on another port (another origin)."""
    provider, other = _PagesServer(), _PagesServer()
    for server in (provider, other):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield provider, other
    for server in (provider, other):
        server.shutdown()
        server.server_close()


def _collection(features: list, next_href: str | None = None) -> dict:
    links = [{'rel': 'next', 'href': next_href}] if next_href else []
    return {'type': 'FeatureCollection', 'features': features, 'links': links}


def _stac(url: str, **settings: Any) -> STACProvider:
    return STACProvider(
        ProviderConfig(name='hostile', type='stac', url=url, backoff=0.01, timeout=5, **settings)
    )


def test_harvest_stac_asset_with_a_file_url_is_dropped(servers, tmp_path: Path, caplog) -> None:
    """The issue's case: an asset ``href`` of ``file:///.../secret`` became a ``local`` URI."""
    secret = tmp_path / 'secret'
    secret.write_text('private key')
    secret.chmod(0o600)
    provider_server, _ = servers
    item = stac_item(1)
    item['assets'] = {
        'data': {'href': secret.as_uri(), 'roles': ['data']},
        'path': {'href': str(secret), 'roles': ['data']},
        'remote': {'href': 'https://example.test/data/1.nc', 'roles': ['metadata-like']},
    }
    provider_server.pages['/search'] = _collection([item])
    provider = _stac(provider_server.url)

    with caplog.at_level(logging.WARNING):
        pages = list(provider.search({}))
        dataset = provider.normalize(pages[0].results[0])

    assert dataset.uris == [('https://example.test/data/1.nc', 'HTTPServer')]
    assert secret.as_uri() in caplog.text


def test_harvest_resto_download_url_with_a_file_url_is_dropped(servers, tmp_path: Path) -> None:
    """A resto feature whose ``services.download.url`` is a ``file://`` URL gets no URI."""
    provider_server, _ = servers
    feature = resto_feature(1)
    feature['properties']['services'] = {'download': {'url': (tmp_path / 'x').as_uri()}}
    provider_server.pages['/search.json'] = _collection([feature])
    provider = RestoProvider(
        ProviderConfig(name='hostile', type='resto', url=f'{provider_server.url}/search.json')
    )

    dataset = provider.normalize(next(iter(provider.search({}))).results[0])

    assert dataset.uris == []


def test_harvest_local_source_outside_the_allowed_directories_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The local downloader's check: only files under GEOSPAAS_PROCESSING_LOCAL_SOURCE_DIRS.

    A link inside an allowed directory pointing outside is refused too (``rsync
    --safe-links`` ignores such links for the same reason).
    """
    allowed = tmp_path / 'archive'
    allowed.mkdir()
    (allowed / 'granule.nc').write_text('data')
    secret = tmp_path / 'secret'
    secret.write_text('private key')
    (allowed / 'escape.nc').symlink_to(secret)
    monkeypatch.delenv('GEOSPAAS_PROCESSING_LOCAL_SOURCE_DIRS', raising=False)

    with pytest.raises(LocalSourceNotAllowedError, match='GEOSPAAS_PROCESSING_LOCAL_SOURCE_DIRS'):
        allowed_local_source((allowed / 'granule.nc').as_uri())  # unset: nothing allowed
    monkeypatch.setenv('GEOSPAAS_PROCESSING_LOCAL_SOURCE_DIRS', str(allowed))
    assert allowed_local_source((allowed / 'granule.nc').as_uri()) == allowed / 'granule.nc'
    assert allowed_local_source(str(allowed / 'granule.nc')) == allowed / 'granule.nc'
    for refused in (secret.as_uri(), str(secret), str(allowed / 'escape.nc')):
        with pytest.raises(LocalSourceNotAllowedError, match='not under'):
            allowed_local_source(refused)


def test_harvest_next_link_to_another_origin_gets_no_token(servers, caplog) -> None:
    """Page 1 of a provider with a bearer token links ``next`` to another port.

    The token went there before. Now the link is not followed: a warning names it, the
    search stops with a ProviderError (the harvest summary says incomplete), and the other
    origin receives no request at all.
    """
    provider_server, other = servers
    provider_server.pages['/search'] = _collection(
        [stac_item(1)], next_href=f'{other.url}/search?page=2'
    )
    other.pages['/search'] = _collection([stac_item(2)])
    provider = _stac(provider_server.url, token=TOKEN)

    pages = []
    with caplog.at_level(logging.WARNING), pytest.raises(ProviderError, match='another origin'):
        for page in provider.search({}):
            pages.append(page)

    assert len(pages) == 1
    assert provider_server.seen == [('/search', f'Bearer {TOKEN}')]
    assert other.seen == []
    assert f'{other.url}/search?page=2' in caplog.text


def test_harvest_next_link_on_the_same_origin_keeps_the_token(servers) -> None:
    """The rule does not break paging: a next link on the provider's own origin is followed."""
    provider_server, _ = servers
    provider_server.pages['/search'] = _collection(
        [stac_item(1)], next_href=f'{provider_server.url}/page2'
    )
    provider_server.pages['/page2'] = _collection([])
    provider = _stac(provider_server.url, token=TOKEN)

    assert len(list(provider.search({}))) == 2
    assert [authorization for _, authorization in provider_server.seen] == [f'Bearer {TOKEN}'] * 2
