"""Plain values of one harvested dataset, and the helpers providers use to build them.

A provider turns each raw search result into a :class:`HarvestedDataset`; the
ingestion writes those into the catalog. Nothing here touches the database.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from geospaas_processing.catalog import services
from geospaas_processing.harvesting.errors import NormalizationError

DEFAULT_ISO_TOPIC_CATEGORY = 'Oceans'


@dataclass
class HarvestedDataset:
    """What the catalog records about one search result.

    ``footprint_wkt`` is valid 2D WGS 84 WKT within [-180, 180] longitude;
    ``uris`` are ``(uri, service)`` pairs with GeoSPaaS service names
    (``HTTPServer``, ``OPENDAP``, ``ftp``, ``sftp``, ``local``), in the order the
    downloaders should try them. Platform, instrument and data center are names
    matched against the vocabularies at ingestion.
    """

    entry_id: str
    entry_title: str
    summary: str
    time_coverage_start: datetime | None
    time_coverage_end: datetime | None
    footprint_wkt: str
    data_center: str
    platform: str | None = None
    instrument: str | None = None
    iso_topic_category: str = DEFAULT_ISO_TOPIC_CATEGORY
    uris: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """A JSON-serializable dict (times as ISO 8601 strings)."""
        values = asdict(self)
        for name in ('time_coverage_start', 'time_coverage_end'):
            values[name] = values[name].isoformat() if values[name] else None
        values['uris'] = [list(pair) for pair in self.uris]
        return values


_ENTRY_ID_FORBIDDEN = re.compile(r'[^0-9a-zA-Z_.-]+')
_PRODUCT_SUFFIXES = ('.SAFE', '.SEN3', '.SEN2', '.zip', '.nc', '.tar', '.tgz', '.h5')


def entry_id_from(name: str) -> str:
    """A GeoSPaaS-valid entry_id (letters, digits, ``_.-``) from a product name or path."""
    text = str(name).strip().rstrip('/').rsplit('/', 1)[-1]
    for suffix in _PRODUCT_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    cleaned = _ENTRY_ID_FORBIDDEN.sub('_', text).strip('_')
    if not cleaned:
        raise NormalizationError(f'cannot make an entry_id from {name!r}')
    return cleaned


def parse_time(value: Any, what: str = 'time') -> datetime | None:
    """A timezone-aware UTC datetime from an ISO 8601 string, a date or a datetime.

    Times without a time zone are taken as UTC. None and ``''`` give None.

    Raises:
        NormalizationError: the value is not a recognisable time.
    """
    if value in (None, ''):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        moment = _parse_iso(str(value).strip(), what)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _parse_iso(text: str, what: str) -> datetime:
    # Python accepts at most 6 fractional digits; some providers send 7 or 9.
    trimmed = re.sub(r'(\.\d{6})\d+', r'\1', text)
    try:
        return datetime.fromisoformat(trimmed)
    except ValueError as exc:
        raise NormalizationError(f'{what} {text!r} is not an ISO 8601 time') from exc


def service_for(uri: str, roles: tuple[str, ...] = ()) -> str | None:
    """The GeoSPaaS service of a URI, or None when no downloader can use it."""
    scheme = uri.split(':', 1)[0].lower() if ':' in uri else ''
    if scheme in ('http', 'https'):
        is_dap = 'opendap' in roles or '/dodsC/' in uri or '/opendap/' in uri
        return services.OPENDAP_SERVICE if is_dap else services.HTTP_SERVICE
    return {
        'ftp': services.FTP_SERVICE,
        'sftp': services.SFTP_SERVICE,
        'file': services.LOCAL_FILE_SERVICE,
    }.get(scheme)


# Short platform codes used in product names and some provider properties.
_PLATFORM_CODES = {
    f'S{number}{unit}': f'Sentinel-{number}{unit}' for number in '1235' for unit in 'ABCD'
}
_PLATFORM_CODES.update({'SENTINEL-5P': 'Sentinel-5P', 'S5P': 'Sentinel-5P'})


def platform_name(value: Any) -> str | None:
    """A platform name as the GCMD spells it when the value is a known short code."""
    if value in (None, ''):
        return None
    if isinstance(value, list):
        value = value[0] if value else None
        return platform_name(value)
    text = str(value).strip()
    return _PLATFORM_CODES.get(text.upper(), text)


def first_text(*values: Any) -> str | None:
    """The first value that is a non-empty string (lists give their first element)."""
    for value in values:
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def require_times(start: datetime | None, end: datetime | None, entry_id: str) -> None:
    """Refuse a time coverage that ends before it starts."""
    if start and end and end < start:
        raise NormalizationError(
            f'{entry_id}: time coverage ends ({end}) before it starts ({start})'
        )
