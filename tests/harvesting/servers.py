"""Loopback emulators of a STAC API and of a resto (CREODIAS) search endpoint."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class _Handler(BaseHTTPRequestHandler):
    server: JSONServer

    def do_GET(self) -> None:
        self._answer('GET', None)

    def do_POST(self) -> None:
        length = int(self.headers.get('Content-Length') or 0)
        self._answer('POST', json.loads(self.rfile.read(length) or b'null'))

    def _answer(self, method: str, body: Any) -> None:
        parts = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        self.server.requests.append((method, parts.path, query, body))
        status, document = self.server.route(self.server, method, parts.path, query, body)
        payload = json.dumps(document).encode() if not isinstance(document, bytes) else document
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass


class JSONServer(ThreadingHTTPServer):
    """A threaded HTTP server answering with ``route(server, method, path, query, body)``.

    ``failures`` maps a page number to how many times that page answers HTTP 503
    before it answers normally (a large number: it never recovers).
    """

    daemon_threads = True

    def __init__(self, route: Callable[..., tuple[int, Any]], items: list[dict]) -> None:
        super().__init__(('127.0.0.1', 0), _Handler)
        self.route = route
        self.items = items
        self.page_size_seen: list[int] = []
        self.requests: list[tuple[str, str, dict, Any]] = []
        self.failures: dict[int, int] = {}
        self.served_failures: Counter[int] = Counter()

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.server_address[1]}'

    def should_fail(self, page: int) -> bool:
        if self.served_failures[page] < self.failures.get(page, 0):
            self.served_failures[page] += 1
            return True
        return False

    def __enter__(self) -> JSONServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.shutdown()
        self.server_close()


def _page_of(items: list[dict], page: int, size: int) -> list[dict]:
    return items[(page - 1) * size : page * size]


def stac_route(server: JSONServer, method: str, path: str, query: dict, body: Any):
    """POST /search (and GET /search?page=N): STAC item search paged by ``next`` links.

    With ``server.get_paging`` the ``next`` links are GET URLs, otherwise POST
    links with a ``next`` token in a body to merge, as Earth Search does.
    """
    if path != '/search':
        return 404, {'code': 'NotFound', 'description': path}
    if method == 'POST':
        size, page = int(body.get('limit', 10)), int(body.get('next', 1))
    else:
        size, page = int(query.get('limit', 10)), int(query.get('page', 1))
    if server.should_fail(page):
        return 503, {'code': 'ServiceUnavailable'}
    features = _page_of(server.items, page, size)
    links = [{'rel': 'root', 'href': f'{server.url}/'}]
    if page * size < len(server.items):
        if getattr(server, 'get_paging', False):
            links.append(
                {'rel': 'next', 'href': f'{server.url}/search?page={page + 1}&limit={size}'}
            )
        else:
            links.append(
                {
                    'rel': 'next',
                    'href': f'{server.url}/search',
                    'method': 'POST',
                    'body': {'next': str(page + 1)},
                    'merge': True,
                }
            )
    return 200, {
        'type': 'FeatureCollection',
        'features': features,
        'links': links,
        'context': {'returned': len(features), 'limit': size, 'matched': len(server.items)},
    }


def resto_route(server: JSONServer, method: str, path: str, query: dict, body: Any):
    """GET /resto/api/collections/<collection>/search.json, CREODIAS-shaped.

    With ``server.links`` the answer carries a ``next`` link in
    ``properties.links``; otherwise the client must count pages itself.
    """
    prefix, suffix = '/resto/api/collections/', '/search.json'
    if not (path.startswith(prefix) and path.endswith(suffix)):
        return 404, {'ErrorMessage': 'Not Found', 'ErrorCode': 404}
    size, page = int(query.get('maxRecords', 20)), int(query.get('page', 1))
    if server.should_fail(page):
        return 500, {'ErrorMessage': 'Internal Server Error', 'ErrorCode': 500}
    features = _page_of(server.items, page, size)
    links = [{'rel': 'self', 'type': 'application/json', 'href': f'{server.url}{path}'}]
    if getattr(server, 'links', True) and page * size < len(server.items):
        next_query = '&'.join(f'{k}={v}' for k, v in {**query, 'page': page + 1}.items())
        links.append(
            {'rel': 'next', 'type': 'application/json', 'href': f'{server.url}{path}?{next_query}'}
        )
    return 200, {
        'type': 'FeatureCollection',
        'properties': {
            'id': 'search-id',
            'totalResults': len(server.items),
            'exactCount': True,
            'startIndex': (page - 1) * size + 1,
            'itemsPerPage': len(features),
            'links': links,
        },
        'features': features,
    }


def stac_item(index: int, **overrides: Any) -> dict:
    """A STAC item shaped like Earth Search's Sentinel-3 items."""
    day = 1 + index % 28
    west = -170 + (index * 7) % 330
    item = {
        'type': 'Feature',
        'stac_version': '1.0.0',
        'id': f'S3A_SL_2_WST____202208{day:02d}T10{index % 60:02d}00_{index:05d}',
        'collection': 'sentinel-3-slstr-wst',
        'bbox': [west, 10, west + 5, 15],
        'geometry': {
            'type': 'Polygon',
            'coordinates': [[[west, 10], [west + 5, 10], [west + 5, 15], [west, 15], [west, 10]]],
        },
        'properties': {
            'datetime': None,
            'start_datetime': f'2022-08-{day:02d}T10:00:00.123456789Z',
            'end_datetime': f'2022-08-{day:02d}T10:03:00Z',
            'platform': 'sentinel-3a',
            'instruments': ['slstr'],
            'title': f'SLSTR WST granule {index}',
        },
        'assets': {
            'thumbnail': {'href': f'https://example.test/{index}.jpg', 'roles': ['thumbnail']},
            'data': {'href': f'https://example.test/data/{index}.nc', 'roles': ['data']},
            'opendap': {
                'href': f'https://example.test/thredds/dodsC/{index}.nc',
                'roles': ['data', 'opendap'],
            },
        },
        'links': [],
    }
    item.update(overrides)
    return item


def resto_feature(index: int, **property_overrides: Any) -> dict:
    """A feature shaped like the CREODIAS resto answers."""
    day = 1 + index % 28
    title = f'S3B_SL_2_WST____202208{day:02d}T21{index % 60:02d}00_{index:05d}_MAR_O_NR_003.SEN3'
    west = -60 + index % 100
    properties = {
        'collection': 'Sentinel3',
        'status': 'ONLINE',
        'license': {'licenseId': 'unlicensed'},
        'productIdentifier': f'/eodata/Sentinel-3/SLSTR/SL_2_WST/2022/08/{day:02d}/{title}',
        'title': title,
        'description': None,
        'organisationName': 'ESA',
        'startDate': f'2022-08-{day:02d}T21:00:00.000000Z',
        'completionDate': f'2022-08-{day:02d}T21:03:00.000000Z',
        'productType': 'SL_2_WST___',
        'processingLevel': 'LEVEL2',
        'platform': 'S3B',
        'instrument': 'SLSTR',
        'services': {
            'download': {
                'url': f'https://zipper.creodias.eu/download/{index:08d}',
                'mimeType': 'application/octet-stream',
                'size': 1000,
            }
        },
        'links': [],
    }
    properties.update(property_overrides)
    return {
        'type': 'Feature',
        'id': f'0000{index:04d}-aaaa-bbbb-cccc-000000000000',
        'geometry': {
            'type': 'Polygon',
            'coordinates': [[[west, 40], [west + 3, 40], [west + 3, 43], [west, 43], [west, 40]]],
        },
        'properties': properties,
    }
