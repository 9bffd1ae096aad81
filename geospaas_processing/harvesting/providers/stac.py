"""STAC API item search: POST /search with paging ``next`` links; item assets become URIs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from geospaas_processing.harvesting.config import ProviderConfig
from geospaas_processing.harvesting.errors import NormalizationError, ProviderError
from geospaas_processing.harvesting.footprints import footprint_from_bbox, footprint_from_geojson
from geospaas_processing.harvesting.http import ProviderHTTPClient, public_url
from geospaas_processing.harvesting.normalize import (
    HarvestedDataset,
    entry_id_from,
    first_text,
    parse_time,
    platform_name,
    require_times,
)
from geospaas_processing.harvesting.providers.base import (
    COMMON_PARAMETERS,
    BaseProvider,
    SearchPage,
    SearchWindow,
)

_SKIPPED_ROLES = frozenset({'thumbnail', 'overview', 'visual', 'metadata'})


class STACProvider(BaseProvider):
    """A STAC API's item search (``url`` is the API root or its ``/search`` endpoint).

    Search parameters besides the common ones: ``collections`` (a list) or
    ``collection``, ``bbox``, and any other STAC search field (``query``,
    ``filter``, ``ids``...) passed through as is. ``max_pages`` bounds the walk.
    """

    type = 'stac'

    def __init__(self, provider_config: ProviderConfig) -> None:
        super().__init__(provider_config)
        self.http = ProviderHTTPClient(provider_config)
        url = provider_config.url.rstrip('/')
        self.search_url = url if url.endswith('/search') else f'{url}/search'

    def close(self) -> None:
        """Close the HTTP session."""
        self.http.close()

    def search(self, search_parameters: dict[str, Any]) -> Iterator[SearchPage]:
        """Yield the pages of the item search, following ``next`` links."""
        body = self.search_body(search_parameters)
        max_pages = int(search_parameters.get('max_pages') or 0)
        method, url, number, seen = 'POST', self.search_url, 0, set()
        while url:
            answer = self.http.post_json(url, body) if method == 'POST' else self.http.get_json(url)
            if not isinstance(answer, dict) or not isinstance(answer.get('features'), list):
                raise ProviderError(
                    f'{self.name}: {public_url(url)} did not answer a FeatureCollection',
                    public_url(url),
                )
            number += 1
            yield SearchPage(number, answer['features'], public_url(url))
            if not answer['features'] or (max_pages and number >= max_pages):
                return
            method, url, body = _next_request(answer, body)
            if url and (url, repr(body)) in seen:
                return
            if url:
                self.check_next_page_url(url, number)
            seen.add((url, repr(body)))

    def search_body(self, search_parameters: dict[str, Any]) -> dict[str, Any]:
        """The JSON body of the first search request."""
        window = SearchWindow.from_parameters(search_parameters)
        body: dict[str, Any] = {'limit': self.config.page_size}
        if window.start_time or window.end_time:
            start = window.start_time.isoformat() if window.start_time else '..'
            end = window.end_time.isoformat() if window.end_time else '..'
            body['datetime'] = f'{start}/{end}'.replace('+00:00', 'Z')
        if window.location_wkt:
            body['intersects'] = window.location_geojson()
        skipped = {*COMMON_PARAMETERS, 'provider_name', 'collection', 'max_pages'}
        for name, value in search_parameters.items():
            if name not in skipped:
                body[name] = value
        if search_parameters.get('collection'):
            body['collections'] = [search_parameters['collection']]
        return body

    def normalize(self, result: dict[str, Any]) -> HarvestedDataset:
        """The catalog values of a STAC item."""
        if not isinstance(result, dict) or not result.get('id'):
            raise NormalizationError(f'{self.name}: a STAC item without "id": {str(result)[:200]}')
        entry_id = entry_id_from(result['id'])
        properties = result.get('properties')
        if not isinstance(properties, dict):
            raise NormalizationError(f'{self.name}: item {entry_id} has no properties')
        start = parse_time(
            properties.get('start_datetime') or properties.get('datetime'), 'start time'
        )
        end = parse_time(properties.get('end_datetime') or properties.get('datetime'), 'end time')
        if start is None:
            raise NormalizationError(f'{self.name}: item {entry_id} has no datetime')
        require_times(start, end, entry_id)
        return HarvestedDataset(
            entry_id=entry_id,
            entry_title=first_text(properties.get('title'), result['id']) or entry_id,
            summary=first_text(properties.get('description'))
            or f'{result.get("collection") or "STAC"} item {result["id"]}',
            time_coverage_start=start,
            time_coverage_end=end,
            footprint_wkt=_footprint(result, entry_id),
            data_center=self.data_center(*_provider_names(properties)),
            platform=platform_name(properties.get('platform') or properties.get('constellation')),
            instrument=first_text(properties.get('instruments')),
            uris=self._asset_uris(result.get('assets')),
        )

    def _asset_uris(self, assets: Any) -> list[tuple[str, str]]:
        if not isinstance(assets, dict):
            return []
        data, other = [], []
        for asset in assets.values():
            if not isinstance(asset, dict) or not isinstance(asset.get('href'), str):
                continue
            roles = tuple(asset.get('roles') or ())
            if _SKIPPED_ROLES.intersection(roles):
                continue
            service = self.remote_service(asset['href'], roles)
            if service is not None:
                (data if 'data' in roles else other).append((asset['href'], service))
        return data or other


def _next_request(answer: dict, body: dict) -> tuple[str, str | None, dict]:
    for link in answer.get('links') or []:
        if isinstance(link, dict) and link.get('rel') == 'next' and link.get('href'):
            method = str(link.get('method', 'GET')).upper()
            if method == 'POST':
                link_body = link.get('body') or {}
                return (
                    'POST',
                    link['href'],
                    {**body, **link_body} if link.get('merge') else (link_body or body),
                )
            return 'GET', link['href'], body
    return 'GET', None, body


def _footprint(item: dict, entry_id: str) -> str:
    if item.get('geometry'):
        return footprint_from_geojson(item['geometry'])
    if item.get('bbox'):
        return footprint_from_bbox(item['bbox'])
    raise NormalizationError(f'item {entry_id} has neither geometry nor bbox')


def _provider_names(properties: dict) -> list[str]:
    providers = properties.get('providers') or []
    return [p.get('name') for p in providers if isinstance(p, dict) and p.get('name')]
