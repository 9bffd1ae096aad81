"""netCDF/CF files in a local directory: global attributes and coordinate bounds make a dataset."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from geospaas_processing.catalog import services
from geospaas_processing.harvesting.errors import HarvestConfigurationError, NormalizationError
from geospaas_processing.harvesting.footprints import footprint_from_bbox
from geospaas_processing.harvesting.normalize import (
    HarvestedDataset,
    entry_id_from,
    first_text,
    parse_time,
    platform_name,
    require_times,
)
from geospaas_processing.harvesting.providers.base import BaseProvider, SearchPage, SearchWindow

_LONGITUDE_NAMES = ('lon', 'longitude', 'nav_lon')
_LATITUDE_NAMES = ('lat', 'latitude', 'nav_lat')


class LocalDirectoryProvider(BaseProvider):
    """The netCDF files under a directory (``url``: a path or a ``file://`` URL).

    Search parameters besides the common ones: ``pattern`` (a glob, default
    ``**/*.nc``). Files whose time coverage or bounds fall outside the search
    window are left out; unreadable files are passed on so that they are
    reported as failed ingestions.
    """

    type = 'local'

    def directory(self) -> Path:
        """The directory searched."""
        url = self.config.url
        path = Path(unquote(urlsplit(url).path)) if url.startswith('file:') else Path(url)
        return path.expanduser()

    def search(self, search_parameters: dict[str, Any]) -> Iterator[SearchPage]:
        """Yield the files' raw descriptions, ``page_size`` files per page."""
        window = SearchWindow.from_parameters(search_parameters)
        directory = self.directory()
        if not directory.is_dir():
            raise HarvestConfigurationError(
                f'provider {self.name!r}: {directory} is not a directory'
            )
        pattern = str(search_parameters.get('pattern') or '**/*.nc')
        page = SearchPage(1, url=directory.as_uri())
        for path in sorted(directory.glob(pattern)):
            description = describe_file(path)
            if not _in_window(description, window):
                continue
            page.results.append(description)
            if len(page.results) >= self.config.page_size:
                yield page
                page = SearchPage(page.number + 1, url=directory.as_uri())
        if page.results or page.number == 1:
            yield page

    def normalize(self, result: dict[str, Any]) -> HarvestedDataset:
        """The catalog values of a file description made by :func:`describe_file`."""
        path = Path(str(result.get('path', '')))
        if result.get('error'):
            raise NormalizationError(f'{path}: {result["error"]}')
        attributes = result.get('attributes') or {}
        entry_id = entry_id_from(path.name)
        start, end = _time_coverage(result, strict=True)
        if start is None:
            raise NormalizationError(
                f'{path}: no time_coverage_start attribute and no CF time coordinate'
            )
        require_times(start, end, entry_id)
        if not result.get('bounds'):
            raise NormalizationError(f'{path}: no geospatial attributes or lat/lon coordinates')
        return HarvestedDataset(
            entry_id=entry_id,
            entry_title=first_text(attributes.get('title')) or entry_id,
            summary=first_text(attributes.get('summary')) or '',
            time_coverage_start=start,
            time_coverage_end=end,
            footprint_wkt=footprint_from_bbox(_wrapped(result['bounds'])),
            data_center=self.data_center(attributes.get('institution')),
            platform=platform_name(attributes.get('platform')),
            instrument=first_text(attributes.get('instrument'), attributes.get('sensor')),
            uris=[(path.resolve().as_uri(), services.LOCAL_FILE_SERVICE)],
        )


def describe_file(path: Path) -> dict[str, Any]:
    """``{'path', 'attributes', 'bounds'}`` of a netCDF file, or ``{'path', 'error'}``."""
    try:
        import netCDF4
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise HarvestConfigurationError(
            'the local provider needs netCDF4: pip install netCDF4'
        ) from exc
    try:
        with netCDF4.Dataset(path) as nc:
            attributes = {name: _plain(nc.getncattr(name)) for name in nc.ncattrs()}
            bounds = _attribute_bounds(attributes) or _coordinate_bounds(nc)
            time_range = None if 'time_coverage_start' in attributes else _cf_time_range(nc)
    except (OSError, ValueError, KeyError) as exc:
        return {'path': str(path.resolve()), 'error': f'cannot read as netCDF: {exc}'}
    description = {'path': str(path.resolve()), 'attributes': attributes, 'bounds': bounds}
    if time_range is not None:
        description['time_range'] = time_range
    return description


def _cf_time_range(nc) -> list[str] | None:
    """``[start, end]`` (ISO 8601) of the CF time coordinate, its bounds included, or None.

    CF Conventions 1.11, section 4.4 "Time Coordinate": a time coordinate has units of the
    form ``<unit> since <reference time>`` and may carry a ``calendar`` attribute; its
    cell boundaries are the variable named by ``bounds`` (section 7.1).
    """
    import netCDF4

    for name, variable in nc.variables.items():
        units = getattr(variable, 'units', '')
        is_time = name == 'time' or getattr(variable, 'standard_name', None) == 'time'
        if not is_time or ' since ' not in str(units) or variable.size == 0:
            continue
        bounds_name = getattr(variable, 'bounds', None)
        values = nc.variables[bounds_name][:] if bounds_name in nc.variables else variable[:]
        calendar = getattr(variable, 'calendar', 'standard')
        moments = netCDF4.num2date(
            [float(values.min()), float(values.max())],
            units,
            calendar,
            only_use_cftime_datetimes=False,
            only_use_python_datetimes=True,
        )
        return [moment.strftime('%Y-%m-%dT%H:%M:%SZ') for moment in moments]
    return None


def _time_coverage(description: dict[str, Any], strict: bool) -> tuple[Any, Any]:
    """The ACDD ``time_coverage_*`` attributes, else the CF time coordinate's range."""
    attributes = description.get('attributes') or {}
    start_text = attributes.get('time_coverage_start')
    end_text = attributes.get('time_coverage_end')
    if start_text is None and description.get('time_range'):
        start_text, end_text = description['time_range']
    if strict:
        start = parse_time(start_text, 'time_coverage_start')
        return start, parse_time(end_text, 'time_coverage_end') or start
    start = parse_time(start_text)
    return start, parse_time(end_text) or start


def _plain(value: Any) -> Any:
    """A JSON-friendly copy of a netCDF attribute value."""
    if hasattr(value, 'tolist'):
        value = value.tolist()
    return value if isinstance(value, (str, int, float, list)) else str(value)


def _attribute_bounds(attributes: dict[str, Any]) -> list[float] | None:
    names = ('geospatial_lon_min', 'geospatial_lat_min', 'geospatial_lon_max', 'geospatial_lat_max')
    try:
        return [float(attributes[name]) for name in names]
    except (KeyError, TypeError, ValueError):
        return None


def _coordinate_bounds(nc) -> list[float] | None:
    lon = _coordinate_range(nc, _LONGITUDE_NAMES, 'longitude')
    lat = _coordinate_range(nc, _LATITUDE_NAMES, 'latitude')
    if lon is None or lat is None:
        return None
    return [lon[0], lat[0], lon[1], lat[1]]


def _coordinate_range(nc, names: tuple[str, ...], standard_name: str) -> tuple[float, float] | None:
    for name, variable in nc.variables.items():
        if name in names or getattr(variable, 'standard_name', None) == standard_name:
            bounds_name = getattr(variable, 'bounds', None)
            values = nc.variables[bounds_name][:] if bounds_name in nc.variables else variable[:]
            return float(values.min()), float(values.max())
    return None


def _wrapped(bounds: list[float]) -> list[float]:
    """Bounds with longitudes in [-180, 180]; a 0-360 grid over 180° gives west > east."""
    west, south, east, north = (float(value) for value in bounds)
    if east - west >= 360:
        return [-180.0, south, 180.0, north]
    if west >= 180:
        west, east = west - 360, east - 360
    elif east > 180:
        east -= 360
    return [west, south, east, north]


def _in_window(description: dict[str, Any], window: SearchWindow) -> bool:
    attributes = description.get('attributes')
    if not attributes:
        return True
    try:
        start, end = _time_coverage(description, strict=False)
    except NormalizationError:
        return True
    if not _overlaps(start, end, window):
        return False
    if window.location_wkt and description.get('bounds'):
        from django.contrib.gis.geos import GEOSGeometry

        footprint = GEOSGeometry(footprint_from_bbox(_wrapped(description['bounds'])), srid=4326)
        return footprint.intersects(GEOSGeometry(window.location_wkt, srid=4326))
    return True


def _overlaps(start: datetime | None, end: datetime | None, window: SearchWindow) -> bool:
    if window.end_time and start and start > window.end_time:
        return False
    return not (window.start_time and end and end < window.start_time)
