"""The contract every provider type fulfils, and the search parameters they all share."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from geospaas_processing.harvesting.config import ProviderConfig
from geospaas_processing.harvesting.errors import (
    HarvestConfigurationError,
    NormalizationError,
    ProviderError,
)
from geospaas_processing.harvesting.normalize import HarvestedDataset, parse_time, service_for

logger = logging.getLogger(__name__)

COMMON_PARAMETERS = ('start_time', 'end_time', 'location')
#: The URI schemes a remote provider's results may carry (the remote downloaders' schemes).
REMOTE_SCHEMES = frozenset({'http', 'https', 'ftp', 'sftp'})


@dataclass
class SearchPage:
    """One page of raw search results.

    ``results`` are JSON-serializable dicts as the provider gave them, so that a
    result that cannot be ingested can be kept on disk and retried later.
    """

    number: int
    results: list[dict[str, Any]] = field(default_factory=list)
    url: str | None = None


@dataclass(frozen=True)
class SearchWindow:
    """The parameters shared by every provider: a time range and an optional WKT area."""

    start_time: datetime | None = None
    end_time: datetime | None = None
    location_wkt: str | None = None

    @classmethod
    def from_parameters(cls, search_parameters: dict[str, Any]) -> SearchWindow:
        """Read ``start_time``, ``end_time`` and ``location`` from search parameters.

        Raises:
            HarvestConfigurationError: a time is not ISO 8601 or the location not WKT.
        """
        try:
            start = parse_time(search_parameters.get('start_time'), 'start_time')
            end = parse_time(search_parameters.get('end_time'), 'end_time')
        except NormalizationError as exc:
            raise HarvestConfigurationError(f'search parameters: {exc}') from exc
        location = search_parameters.get('location')
        if location is not None:
            location = _valid_wkt(location)
        return cls(start, end, location)

    def location_geojson(self) -> dict[str, Any] | None:
        """The location as a GeoJSON geometry dict, or None."""
        if self.location_wkt is None:
            return None
        import json

        from django.contrib.gis.geos import GEOSGeometry

        return json.loads(GEOSGeometry(self.location_wkt, srid=4326).geojson)


def _valid_wkt(text: Any) -> str:
    from django.contrib.gis.geos import GEOSGeometry
    from django.contrib.gis.geos.error import GEOSException

    try:
        geometry = GEOSGeometry(str(text), srid=4326)
    except (GEOSException, ValueError) as exc:
        raise HarvestConfigurationError(
            f'search parameter "location" is not valid WKT: {str(text)[:100]!r}'
        ) from exc
    return geometry.wkt


class BaseProvider(ABC):
    """A source of search results: one subclass per provider type, in one module.

    A provider is built from its :class:`ProviderConfig`. It must:

    - walk the result pages of a search in :meth:`search`, yielding each page as
      soon as it is read, so that pages already ingested are kept when a later
      page fails; a page that fails for good (after the retries of
      :class:`~geospaas_processing.harvesting.http.ProviderHTTPClient`) raises
      :class:`~geospaas_processing.harvesting.errors.ProviderError`;
    - turn one raw result into a :class:`HarvestedDataset` in :meth:`normalize`,
      raising :class:`~geospaas_processing.harvesting.errors.NormalizationError`
      for a result that cannot be catalogued. ``normalize`` must work on a raw
      result read back from disk, without network access, so that failed
      ingestions can be retried.

    Register the class in :mod:`geospaas_processing.harvesting.providers` under
    its ``type`` name.
    """

    type: ClassVar[str]

    def __init__(self, provider_config: ProviderConfig) -> None:
        self.config = provider_config

    @property
    def name(self) -> str:
        """The provider's name in the harvest configuration."""
        return self.config.name

    @abstractmethod
    def search(self, search_parameters: dict[str, Any]) -> Iterator[SearchPage]:
        """Yield the result pages of a search, in order."""

    @abstractmethod
    def normalize(self, result: dict[str, Any]) -> HarvestedDataset:
        """The catalog values of one raw search result."""

    def close(self) -> None:  # noqa: B027 - optional hook, most providers hold no connection
        """Release connections; the default does nothing."""

    def check_next_page_url(self, url: str, pages: int) -> None:
        """Refuse to follow a ``next`` link to another origin while credentials are configured.

        The provider's credentials (token, user and password) go only to the origin (scheme,
        host, port) of its configured URL; a plain ``http`` URL may move to ``https`` on the
        same host with default ports. A next link elsewhere is not followed: a warning names
        it and :class:`ProviderError` stops the search, which reports itself incomplete.
        """
        if not (self.config.token or self.config.username) or same_origin(self.config.url, url):
            return
        from geospaas_processing.harvesting.http import public_url

        message = (
            f'{self.name}: the next page link {public_url(url)} is on another origin than '
            f'{origin_of(self.config.url)}; not followed, so that the credentials of '
            f'{self.name} go nowhere else (the search stopped after {pages} pages)'
        )
        logger.warning(message)
        raise ProviderError(message, public_url(url))

    def remote_service(self, uri: str, roles: tuple[str, ...] = ()) -> str | None:
        """The service of a URI found in a remote provider's result, or None to drop it.

        Only remote schemes (:data:`REMOTE_SCHEMES`) are kept: a ``file://`` URL or a bare
        path in a remote answer would make a worker copy its own local files, so it is
        dropped with a warning naming it. Local URIs come only from the ``local`` provider.
        """
        scheme = uri.split(':', 1)[0].lower() if ':' in uri else ''
        if scheme not in REMOTE_SCHEMES:
            if scheme in ('', 'file') or len(scheme) == 1:  # a path, or a Windows drive
                logger.warning('%s: dropped the local URI %r of a remote result', self.name, uri)
            return None
        return service_for(uri, roles)

    def data_center(self, *candidates: Any) -> str:
        """The configured data center, else the first candidate given, else the provider name."""
        for candidate in (self.config.data_center, *candidates):
            if isinstance(candidate, str) and candidate.strip():
                return candidate.strip()
        return self.name


_DEFAULT_PORTS = {'http': 80, 'https': 443}


def origin_of(url: str) -> str:
    """``scheme://host:port`` of a URL, with the scheme's default port made explicit."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        port = None
    return f'{scheme}://{(parts.hostname or "").lower()}:{port}'


def same_origin(provider_url: str, url: str) -> bool:
    """Whether ``url`` is on the origin of ``provider_url`` (RFC 6454: scheme, host, port).

    Also true for the move from ``http`` to ``https`` on the same host with default ports,
    the one change of origin that requests keeps credentials for.
    """
    if origin_of(url) == origin_of(provider_url):
        return True
    upgraded = urlsplit(provider_url)
    if upgraded.scheme.lower() != 'http' or upgraded.port not in (None, 80):
        return False
    target = urlsplit(url)
    return (
        target.scheme.lower() == 'https'
        and target.port in (None, 443)
        and (target.hostname or '').lower() == (upgraded.hostname or '').lower()
    )
