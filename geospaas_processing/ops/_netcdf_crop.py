"""Crop a CF netCDF file on a latitude/longitude grid, keeping every variable and attribute.

Grids understood: 1-D coordinate variables (regular or not, latitude ascending or
descending, longitudes in -180..180 or 0..360), 2-D latitude/longitude arrays (the
bounding window of the cells inside the box), and 1-D point series whose latitude and
longitude share one dimension (the points inside the box).

Values are copied as stored (no unpacking, no masking), so cropped values are bit for bit
those of the original at the same coordinates. When the box crosses the edge of the file's
longitude range (e.g. -10..10 on 0..360 data), the columns are reordered and the
longitudes rewritten in the box's convention so that they stay monotonic; otherwise the
file's own longitudes are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from geospaas_processing.ops.crop import BoundingBox, CropError

_KINDS = {
    'latitude': {
        'names': ('lat', 'latitude', 'nav_lat'),
        'units': ('degrees_north', 'degree_north', 'degree_n', 'degrees_n', 'degreen', 'degreesn'),
        'axis': 'Y',
    },
    'longitude': {
        'names': ('lon', 'longitude', 'nav_lon'),
        'units': ('degrees_east', 'degree_east', 'degree_e', 'degrees_e', 'degreee', 'degreese'),
        'axis': 'X',
    },
}


@dataclass
class _Selection:
    """Which indices of which dimensions to keep, and the longitude rewrite if any."""

    indexers: dict[str, np.ndarray] = field(default_factory=dict)
    lon_variable: str | None = None
    lon_offsets: np.ndarray | None = None  # added to the kept longitudes (multiples of 360)
    extent: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # w, n, e, s


def write_cropped(source: Path, box: BoundingBox, target: Path) -> None:
    """Write the part of ``source`` inside ``box`` to ``target`` in the same netCDF format."""
    try:
        import netCDF4
    except ImportError as exc:
        raise CropError('cropping netCDF files needs netCDF4: pip install netCDF4') from exc
    try:
        with netCDF4.Dataset(source) as original:
            original.set_auto_maskandscale(False)
            original.set_auto_chartostring(False)
            selection = _select(original, box, source.name)
            with netCDF4.Dataset(target, 'w', format=original.data_model) as cropped:
                _copy(original, cropped, selection, box)
    except OSError as exc:
        raise CropError(f'cannot crop {source.name}: {exc}') from exc


# --- finding the coordinates ---------------------------------------------------------------


def _find_coordinate(nc, kind: str, file_name: str):
    spec = _KINDS[kind]
    bounds = {getattr(variable, 'bounds', None) for variable in nc.variables.values()}
    best, best_score = None, 0
    for name, variable in nc.variables.items():
        if variable.ndim not in (1, 2) or name in bounds:
            continue
        score = _coordinate_score(name, variable, spec, kind)
        if score > best_score or (
            score == best_score and best is not None and variable.ndim < best.ndim
        ):
            best, best_score = variable, score
    if best is None or best_score == 0:
        raise CropError(
            f'cannot crop {file_name}: no {kind} found (a variable named'
            f' {"/".join(spec["names"])}, or with standard_name {kind}, units'
            f' {spec["units"][0]} or axis {spec["axis"]})'
        )
    return best


def _coordinate_score(name: str, variable, spec: dict, kind: str) -> int:
    attributes = {key: variable.getncattr(key) for key in variable.ncattrs()}
    units = str(attributes.get('units', '')).strip().lower()
    if attributes.get('standard_name') == kind:
        return 8
    if units in spec['units']:
        return 4
    if attributes.get('axis') == spec['axis'] and units in ('', *spec['units']):
        return 2
    return 1 if name.lower() in spec['names'] else 0


# --- choosing what to keep -------------------------------------------------------------------


def _select(nc, box: BoundingBox, file_name: str) -> _Selection:
    lat_variable = _find_coordinate(nc, 'latitude', file_name)
    lon_variable = _find_coordinate(nc, 'longitude', file_name)
    lats = np.asarray(lat_variable[:], dtype='f8')
    lons = np.asarray(lon_variable[:], dtype='f8')
    in_lat = (lats >= box.south) & (lats <= box.north)
    in_lon = (lons - box.west) % 360 <= box.width
    if lat_variable.dimensions == lon_variable.dimensions:
        selection = _select_same_dimensions(lat_variable.dimensions, in_lat & in_lon)
    elif lat_variable.ndim == 1 and lon_variable.ndim == 1:
        selection = _select_grid(lat_variable, lon_variable, lons, in_lat, in_lon, box)
    else:
        raise CropError(
            f'cannot crop {file_name}: latitude {lat_variable.dimensions} and longitude'
            f' {lon_variable.dimensions} are on different dimensions'
        )
    if selection is None:
        raise CropError(
            f'the box {[box.west, box.north, box.east, box.south]} does not intersect'
            f' {file_name}, which covers longitudes {np.nanmin(lons):g}..{np.nanmax(lons):g}'
            f' and latitudes {np.nanmin(lats):g}..{np.nanmax(lats):g}'
        )
    kept_lats = _take(lats, lat_variable.dimensions, selection.indexers)
    kept_lons = _take(lons, lon_variable.dimensions, selection.indexers)
    if selection.lon_offsets is not None:
        kept_lons = kept_lons + selection.lon_offsets
    selection.extent = (
        float(np.nanmin(kept_lons)),
        float(np.nanmax(kept_lats)),
        float(np.nanmax(kept_lons)),
        float(np.nanmin(kept_lats)),
    )
    return selection


def _select_same_dimensions(dimensions: tuple[str, ...], inside: np.ndarray) -> _Selection | None:
    if not inside.any():
        return None
    if len(dimensions) == 1:
        return _Selection({dimensions[0]: np.flatnonzero(inside)})
    rows = np.flatnonzero(inside.any(axis=1))
    columns = np.flatnonzero(inside.any(axis=0))
    return _Selection(
        {
            dimensions[0]: np.arange(rows[0], rows[-1] + 1),
            dimensions[1]: np.arange(columns[0], columns[-1] + 1),
        }
    )


def _select_grid(lat_variable, lon_variable, lons, in_lat, in_lon, box) -> _Selection | None:
    rows = np.flatnonzero(in_lat)
    columns = np.flatnonzero(in_lon)
    if rows.size == 0 or columns.size == 0:
        return None
    # West to east from the box's west edge, which also puts wrapped columns in order.
    columns = columns[np.argsort((lons[columns] - box.west) % 360, kind='stable')]
    offsets = None
    if not _is_whole_window(columns):
        # Wrapped around the file's longitude range: rewrite in the box's convention.
        offsets = -360.0 * np.floor((lons[columns] - box.west) / 360.0)
    return _Selection(
        {
            lat_variable.dimensions[0]: np.arange(rows[0], rows[-1] + 1),
            lon_variable.dimensions[0]: columns,
        },
        lon_variable=lon_variable.name,
        lon_offsets=offsets if offsets is not None and offsets.any() else None,
    )


def _take(values: np.ndarray, dimensions: tuple[str, ...], indexers: dict) -> np.ndarray:
    for axis, dimension in enumerate(dimensions):
        if dimension in indexers:
            values = np.take(values, indexers[dimension], axis=axis)
    return values


# --- writing -----------------------------------------------------------------------------------


def _copy(original, cropped, selection: _Selection, box: BoundingBox) -> None:
    cropped.setncatts({name: original.getncattr(name) for name in original.ncattrs()})
    for name, dimension in original.dimensions.items():
        size = len(selection.indexers[name]) if name in selection.indexers else len(dimension)
        cropped.createDimension(name, None if dimension.isunlimited() else size)
    lon_bounds = getattr(original.variables.get(selection.lon_variable or ''), 'bounds', None)
    for name, variable in original.variables.items():
        copy = _create_like(variable, cropped)
        data = _read(variable, selection.indexers)
        if selection.lon_offsets is not None and name in (selection.lon_variable, lon_bounds):
            data = data + selection.lon_offsets.reshape((-1,) + (1,) * (data.ndim - 1))
        copy[...] = data
    _describe_crop(cropped, selection, box)


def _create_like(variable, cropped):
    options = {}
    if cropped.data_model.startswith('NETCDF4'):
        options = _storage_options(variable, cropped)
    attributes = {key: variable.getncattr(key) for key in variable.ncattrs()}
    fill_value = attributes.pop('_FillValue', None)
    datatype = variable.datatype
    if not isinstance(datatype, np.dtype) and datatype is not str:
        raise CropError(
            f'cannot crop variable {variable.name}: user-defined netCDF types are not supported'
        )
    copy = cropped.createVariable(
        variable.name, datatype, variable.dimensions, fill_value=fill_value, **options
    )
    copy.set_auto_maskandscale(False)
    copy.set_auto_chartostring(False)
    copy.setncatts(attributes)
    return copy


def _storage_options(variable, cropped) -> dict:
    filters = variable.filters() or {}
    compression = next((name for name in ('zstd', 'bzip2', 'zlib') if filters.get(name)), None)
    options = {
        'compression': compression,
        'complevel': filters.get('complevel', 4),
        'shuffle': bool(filters.get('shuffle')),
        'fletcher32': bool(filters.get('fletcher32')),
        'endian': variable.endian(),
    }
    chunking = variable.chunking()
    if isinstance(chunking, list):
        sizes = [len(cropped.dimensions[name]) or 1 for name in variable.dimensions]
        options['chunksizes'] = [
            min(chunk, size) for chunk, size in zip(chunking, sizes, strict=True)
        ]
    elif chunking == 'contiguous':
        options['contiguous'] = True
    return options


def _read(variable, indexers: dict) -> np.ndarray:
    """The variable's stored values restricted to the selected indices, read window by window."""
    window = []
    for dimension in variable.dimensions:
        indices = indexers.get(dimension)
        window.append(slice(None) if indices is None else slice(indices.min(), indices.max() + 1))
    data = np.asarray(variable[tuple(window)] if window else variable[...])
    for axis, dimension in enumerate(variable.dimensions):
        indices = indexers.get(dimension)
        if indices is not None and not _is_whole_window(indices):
            data = np.take(data, indices - indices.min(), axis=axis)
    return data


def _is_whole_window(indices: np.ndarray) -> bool:
    return bool(indices.size and (np.diff(indices) == 1).all())


def _describe_crop(cropped, selection: _Selection, box: BoundingBox) -> None:
    west, north, east, south = selection.extent
    updates = {
        'geospatial_lon_min': west,
        'geospatial_lon_max': east,
        'geospatial_lat_min': south,
        'geospatial_lat_max': north,
    }
    present = set(cropped.ncattrs())
    cropped.setncatts({name: value for name, value in updates.items() if name in present})
    now = datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')
    line = (
        f'{now}: cropped to west={box.west:g} north={box.north:g} east={box.east:g}'
        f' south={box.south:g} by geospaas_processing'
    )
    history = str(cropped.getncattr('history')) if 'history' in present else ''
    cropped.setncattr('history', f'{history}\n{line}' if history else line)
