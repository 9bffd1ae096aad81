"""resto OpenSearch JSON, as served by CREODIAS: GeoJSON features, paged by links or ``page``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from geospaas_processing.harvesting.config import ProviderConfig
from geospaas_processing.harvesting.errors import NormalizationError, ProviderError
from geospaas_processing.harvesting.footprints import footprint_from_geojson
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


class RestoProvider(BaseProvider):
    """A resto search endpoint; ``url`` may hold ``{collection}``, filled from the search.

    Search parameters besides the common ones: ``collection`` and any resto
    query parameter (``productType``, ``processingLevel``, ``status``...)
    passed through as is. ``max_pages`` bounds the walk.
    """

    type = 'resto'

    def __init__(self, provider_config: ProviderConfig) -> None:
        super().__init__(provider_config)
        self.http = ProviderHTTPClient(provider_config)

    def close(self) -> None:
        """Close the HTTP session."""
        self.http.close()

    def search(self, search_parameters: dict[str, Any]) -> Iterator[SearchPage]:
        """Yield the result pages, following ``next`` links, else counting pages."""
        url = self.search_url(search_parameters)
        params: dict[str, Any] | None = self.query(search_parameters)
        max_pages = int(search_parameters.get('max_pages') or 0)
        number = 0
        while url:
            answer = self.http.get_json(url, params)
            features = answer.get('features') if isinstance(answer, dict) else None
            if not isinstance(features, list):
                raise ProviderError(
                    f'{self.name}: {public_url(url)} did not answer a FeatureCollection',
                    public_url(url),
                )
            number += 1
            yield SearchPage(number, features, public_url(url))
            if not features or (max_pages and number >= max_pages):
                return
            url, params = self._next(answer, url, params, number)
            if url:
                self.check_next_page_url(url, number)

    def search_url(self, search_parameters: dict[str, Any]) -> str:
        """The endpoint URL, with ``{collection}`` filled in."""
        if '{collection}' not in self.config.url:
            return self.config.url
        collection = search_parameters.get('collection')
        if not collection:
            from geospaas_processing.harvesting.errors import HarvestConfigurationError

            raise HarvestConfigurationError(
                f'provider {self.name!r}: its URL needs a "collection" search parameter'
            )
        return self.config.url.replace('{collection}', str(collection))

    def query(self, search_parameters: dict[str, Any]) -> dict[str, Any]:
        """The query parameters of the first page."""
        window = SearchWindow.from_parameters(search_parameters)
        params: dict[str, Any] = {
            'maxRecords': self.config.page_size,
            'page': 1,
            'sortParam': 'startDate',
            'sortOrder': 'ascending',
        }
        if window.start_time:
            params['startDate'] = window.start_time.strftime('%Y-%m-%dT%H:%M:%SZ')
        if window.end_time:
            params['completionDate'] = window.end_time.strftime('%Y-%m-%dT%H:%M:%SZ')
        if window.location_wkt:
            params['geometry'] = window.location_wkt
        skipped = {*COMMON_PARAMETERS, 'provider_name', 'max_pages'}
        if '{collection}' in self.config.url:
            skipped.add('collection')
        params.update({k: v for k, v in search_parameters.items() if k not in skipped})
        return params

    def _next(
        self, answer: dict, url: str, params: dict[str, Any] | None, number: int
    ) -> tuple[str | None, dict[str, Any] | None]:
        links = (answer.get('properties') or {}).get('links') or answer.get('links') or []
        for link in links:
            if isinstance(link, dict) and link.get('rel') == 'next' and link.get('href'):
                return link['href'], None
        if params is None or len(answer['features']) < int(params.get('maxRecords', 0)):
            return None, None
        return url, {**params, 'page': number + 1}

    def _download_uris(self, properties: dict) -> list[tuple[str, str]]:
        download = ((properties.get('services') or {}).get('download') or {}).get('url')
        if not isinstance(download, str):
            return []
        service = self.remote_service(download)
        return [(download, service)] if service else []

    def normalize(self, result: dict[str, Any]) -> HarvestedDataset:
        """The catalog values of a resto feature."""
        properties = result.get('properties') if isinstance(result, dict) else None
        if not isinstance(properties, dict):
            raise NormalizationError(f'{self.name}: a feature without properties')
        name = first_text(
            properties.get('title'), properties.get('productIdentifier'), result.get('id')
        )
        if name is None:
            raise NormalizationError(f'{self.name}: a feature without title or identifier')
        entry_id = entry_id_from(name)
        start = parse_time(properties.get('startDate'), 'startDate')
        end = parse_time(properties.get('completionDate'), 'completionDate') or start
        if start is None:
            raise NormalizationError(f'{self.name}: feature {entry_id} has no startDate')
        require_times(start, end, entry_id)
        return HarvestedDataset(
            entry_id=entry_id,
            entry_title=name,
            summary=first_text(properties.get('description')) or _summary(properties),
            time_coverage_start=start,
            time_coverage_end=end,
            footprint_wkt=footprint_from_geojson(result.get('geometry')),
            data_center=self.data_center(properties.get('organisationName')),
            platform=platform_name(properties.get('platform')),
            instrument=first_text(properties.get('instrument')),
            uris=self._download_uris(properties),
        )


def _summary(properties: dict) -> str:
    described = ('collection', 'productType', 'processingLevel', 'platform', 'instrument')
    parts = [f'{key}: {properties[key]}' for key in described if properties.get(key)]
    return ', '.join(parts)
