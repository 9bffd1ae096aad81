"""Footprints as valid 2D WGS 84 geometries, split at the antimeridian when they cross it.

Providers give GeoJSON geometries (sometimes with a third coordinate, sometimes
with rings that jump from +179 to -179 longitude) or bounding boxes whose west
edge is east of their east edge. Every function here returns WKT that GEOS finds
valid and that stays within [-180, 180] longitude.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from geospaas_processing.harvesting.errors import NormalizationError

Ring = list[tuple[float, float]]


def footprint_from_geojson(geometry: Any) -> str:
    """The WKT of a GeoJSON geometry, 2D, valid, split at the antimeridian.

    Raises:
        NormalizationError: the geometry is missing or not usable GeoJSON.
    """
    if not isinstance(geometry, dict) or 'type' not in geometry:
        raise NormalizationError(f'no usable GeoJSON geometry: {str(geometry)[:200]}')
    kind = geometry['type']
    try:
        if kind == 'Polygon':
            return _polygons_wkt([_polygon_rings(geometry['coordinates'])])
        if kind == 'MultiPolygon':
            return _polygons_wkt([_polygon_rings(part) for part in geometry['coordinates']])
        return _geos(json.dumps(_flat(geometry))).wkt
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise NormalizationError(f'invalid {kind} geometry: {exc}') from exc


def footprint_from_bbox(bbox: Sequence[float]) -> str:
    """The WKT of a ``[west, south, east, north]`` box (``west > east``: it crosses 180°)."""
    try:
        west, south, east, north = (float(value) for value in _bbox_2d(bbox))
    except (TypeError, ValueError) as exc:
        raise NormalizationError(f'invalid bounding box {bbox!r}') from exc
    if not (-90 <= south <= north <= 90):
        raise NormalizationError(f'invalid latitudes in bounding box {bbox!r}')
    if west > east:
        return _polygons_wkt([[_box(west, south, 180, north)], [_box(-180, south, east, north)]])
    return _polygons_wkt([[_box(west, south, east, north)]])


def _bbox_2d(bbox: Sequence[float]) -> Sequence[float]:
    return [bbox[0], bbox[1], bbox[3], bbox[4]] if len(bbox) == 6 else bbox


def _box(west: float, south: float, east: float, north: float) -> Ring:
    return [(west, south), (east, south), (east, north), (west, north), (west, south)]


def _flat(geometry: dict) -> dict:
    """A copy of a GeoJSON geometry keeping only longitude and latitude."""
    if geometry['type'] == 'GeometryCollection':
        return {**geometry, 'geometries': [_flat(part) for part in geometry['geometries']]}
    return {'type': geometry['type'], 'coordinates': _trim(geometry['coordinates'])}


def _trim(coordinates: Any) -> Any:
    if coordinates and isinstance(coordinates[0], (int, float)):
        return [float(coordinates[0]), float(coordinates[1])]
    return [_trim(part) for part in coordinates]


def _polygon_rings(coordinates: Any) -> list[Ring]:
    return [[(float(point[0]), float(point[1])) for point in ring] for ring in coordinates]


def _crosses(ring: Ring) -> bool:
    return any(abs(b[0] - a[0]) > 180 for a, b in zip(ring, ring[1:], strict=False))


def _polygons_wkt(polygons: list[list[Ring]]) -> str:
    if len(polygons) == 1 and not any(_crosses(ring) for ring in polygons[0]):
        return _polygonal(_valid(_polygon(polygons[0]))).wkt
    pieces = []
    for rings in polygons:
        if any(_crosses(ring) for ring in rings):
            pieces.extend(_split_at_antimeridian(rings))
        else:
            pieces.append(_valid(_polygon(rings)))
    union = pieces[0]
    for piece in pieces[1:]:
        union = union.union(piece)
    return _polygonal(union).wkt


def _polygon(rings: list[Ring]):
    from django.contrib.gis.geos import GEOSGeometry

    closed = [ring if ring[0] == ring[-1] else [*ring, ring[0]] for ring in rings]
    if any(len(ring) < 4 for ring in closed):
        raise ValueError('a polygon ring needs at least 3 distinct points')
    # One WKT parse is much cheaper than building rings point by point through ctypes.
    text = ','.join(
        '(' + ','.join(f'{lon!r} {lat!r}' for lon, lat in ring) + ')' for ring in closed
    )
    return GEOSGeometry(f'POLYGON({text})', srid=4326)


def _unwrap(ring: Ring, reference: float) -> Ring:
    """The ring with longitudes made continuous, its first point near ``reference``."""
    offset = 360.0 * round((reference - ring[0][0]) / 360.0)
    unwrapped = [(ring[0][0] + offset, ring[0][1])]
    for (previous, _), (lon, lat) in zip(ring, ring[1:], strict=False):
        step = lon - previous
        step -= 360.0 * round(step / 360.0)
        unwrapped.append((unwrapped[-1][0] + step, lat))
    return unwrapped


def _close_around_pole(ring: Ring) -> Ring:
    """Close a ring that circles a pole by running along the pole's latitude."""
    if abs(ring[-1][0] - ring[0][0]) < 180:
        return ring
    pole = 90.0 if sum(lat for _, lat in ring) >= 0 else -90.0
    return [*ring, (ring[-1][0], pole), (ring[0][0], pole), ring[0]]


def _split_at_antimeridian(rings: list[Ring]) -> list:
    shell = _close_around_pole(_unwrap(rings[0], rings[0][0][0]))
    holes = [_unwrap(ring, shell[0][0]) for ring in rings[1:]]
    unwrapped = _valid(_polygon([shell, *holes]))
    pieces = []
    for turn in (-1, 0, 1):
        window = _polygon([_box(-180 + 360 * turn, -90, 180 + 360 * turn, 90)])
        part = unwrapped.intersection(window)
        if not part.empty and part.area > 0:
            pieces.append(_shift(_polygonal(part), -360.0 * turn))
    return pieces


def _shift(geometry, delta: float):
    from django.contrib.gis.geos import MultiPolygon, Polygon

    polygons = [geometry] if geometry.geom_type == 'Polygon' else list(geometry)
    shifted = [
        Polygon(*[[(lon + delta, lat) for lon, lat in ring] for ring in polygon.coords])
        for polygon in polygons
    ]
    return shifted[0] if len(shifted) == 1 else MultiPolygon(*shifted)


def _valid(geometry):
    return geometry if geometry.valid else _polygonal(geometry.make_valid())


def _polygonal(geometry):
    """Keep the polygonal parts of a geometry (intersections may add lines or points)."""
    from django.contrib.gis.geos import MultiPolygon

    if geometry.geom_type in ('Polygon', 'MultiPolygon'):
        return geometry
    parts = []
    for part in geometry:
        if part.geom_type == 'Polygon':
            parts.append(part)
        elif part.geom_type == 'MultiPolygon':
            parts.extend(part)
    if not parts:
        raise ValueError(f'the footprint has no area ({geometry.geom_type})')
    return parts[0] if len(parts) == 1 else MultiPolygon(*parts, srid=4326)


def _geos(text: str):
    from django.contrib.gis.geos import GEOSGeometry
    from django.contrib.gis.geos.error import GEOSException

    try:
        geometry = GEOSGeometry(text, srid=4326)
    except (GEOSException, ValueError) as exc:
        raise NormalizationError(f'invalid geometry: {exc}') from exc
    return geometry if geometry.valid else geometry.make_valid()
