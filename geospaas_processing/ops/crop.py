"""Crop netCDF (CF conventions) and GeoTIFF files to a longitude/latitude box.

Errors::

    GeospaasProcessingError
    └── CropError      invalid box, box outside the data, unsupported file, missing tool

The box is ``[west, north, east, south]`` in degrees. Longitudes may be given in
-180..180 or 0..360 whatever the file uses; ``west > east`` means a box crossing the
180th meridian (or, in 0..360, the Greenwich meridian). The result is written under
``<out_dir>/cropped_<w>_<n>_<e>_<s>/<file name>`` (under a temporary name first).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from geospaas_processing.errors import GeospaasProcessingError
from geospaas_processing.storage import move_into_place

NETCDF_SUFFIXES = ('.nc', '.nc4', '.netcdf', '.cdf')
GEOTIFF_SUFFIXES = ('.tif', '.tiff', '.gtiff')


class CropError(GeospaasProcessingError):
    """A file could not be cropped; the message says why and what to change."""


@dataclass(frozen=True)
class BoundingBox:
    """A longitude/latitude box in degrees (validated; see :meth:`from_sequence`)."""

    west: float
    north: float
    east: float
    south: float

    @classmethod
    def from_sequence(cls, values: Sequence[float]) -> BoundingBox:
        """Build a box from ``[west, north, east, south]``, or raise CropError naming the fault."""
        try:
            west, north, east, south = (float(value) for value in values)
        except (TypeError, ValueError):
            raise CropError(
                f'a bounding box is four numbers [west, north, east, south], got {values!r}'
            ) from None
        if not all(math.isfinite(value) for value in (west, north, east, south)):
            raise CropError(f'the bounding box must be finite numbers, got {list(values)!r}')
        if not -90 <= south < north <= 90:
            raise CropError(
                f'the bounding box needs -90 <= south < north <= 90, got north={north:g},'
                f' south={south:g}'
            )
        if not (-180 <= west <= 360 and -180 <= east <= 360) or west == east:
            raise CropError(
                f'the bounding box needs distinct west and east longitudes in -180..360,'
                f' got west={west:g}, east={east:g}'
            )
        return cls(west, north, east, south)

    @property
    def width(self) -> float:
        """Extent in longitude, in degrees (0 < width <= 360)."""
        return (self.east - self.west) % 360 or 360.0

    def directory_name(self) -> str:
        """``cropped_<w>_<n>_<e>_<s>``, numbers written without useless decimals."""
        values = (self.west, self.north, self.east, self.south)
        return 'cropped_' + '_'.join(f'{value:g}' for value in values)


def crop(
    path: str | os.PathLike,
    bounding_box: Sequence[float],
    out_dir: str | os.PathLike | None = None,
) -> Path:
    """Crop a netCDF or GeoTIFF file to ``bounding_box`` = ``[west, north, east, south]``.

    netCDF files keep every variable, dimension and attribute; variables on the
    latitude/longitude grid are cut to the box, values copied bit for bit. GeoTIFF files
    are cut with GDAL's ``gdal_translate``.

    Args:
        path: the file to crop.
        bounding_box: ``[west, north, east, south]`` in degrees.
        out_dir: where to create the ``cropped_<w>_<n>_<e>_<s>/`` directory (default: the
            file's directory).

    Returns:
        The path of the cropped file.

    Raises:
        CropError: invalid box, box not intersecting the data, unsupported or unreadable
            file, or GDAL's tools missing for a GeoTIFF.
    """
    source = Path(path)
    box = BoundingBox.from_sequence(bounding_box)
    if not source.is_file():
        raise CropError(f'cannot crop {source}: no such file')
    suffix = source.suffix.lower()
    if suffix in NETCDF_SUFFIXES:
        from geospaas_processing.ops import _netcdf_crop as writer
    elif suffix in GEOTIFF_SUFFIXES:
        writer = _GeoTIFFCropper
    else:
        raise CropError(
            f'cannot crop {source.name}: only netCDF ({", ".join(NETCDF_SUFFIXES)}) and'
            f' GeoTIFF ({", ".join(GEOTIFF_SUFFIXES)}) files are supported'
        )
    target_dir = Path(out_dir) if out_dir is not None else source.parent
    target = target_dir / box.directory_name() / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f'.{source.name}.', suffix='.part'
    )
    os.close(descriptor)
    try:
        writer.write_cropped(source, box, Path(temporary))
        move_into_place(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # only succeeds if this crop was its only content
            target.parent.rmdir()
        raise
    return target


class _GeoTIFFCropper:
    """Runs GDAL's command-line tools to crop a raster in any projection."""

    @staticmethod
    def write_cropped(source: Path, box: BoundingBox, target: Path) -> None:
        west, north, east, south = _clip_to_raster(source, box)
        _run_gdal(
            [
                'gdal_translate',
                '-q',
                '-of',
                'GTiff',
                '-projwin_srs',
                'EPSG:4326',
                '-projwin',
                repr(west),
                repr(north),
                repr(east),
                repr(south),
                str(source),
                str(target),
            ],
            source,
        )


def _clip_to_raster(source: Path, box: BoundingBox) -> tuple[float, float, float, float]:
    """The part of the box inside the raster's longitude/latitude extent."""
    info = json.loads(_run_gdal(['gdalinfo', '-json', str(source)], source))
    try:
        corners = info['wgs84Extent']['coordinates'][0]
    except (KeyError, IndexError):
        raise CropError(
            f'cannot crop {source.name}: it has no coordinate reference system GDAL can read'
        ) from None
    lon_min, lon_max = min(c[0] for c in corners), max(c[0] for c in corners)
    lat_min, lat_max = min(c[1] for c in corners), max(c[1] for c in corners)
    # The box may be written in the other longitude convention than the raster: try it
    # shifted by a turn either way and keep the placement overlapping the raster most.
    west = max(
        (box.west + turn for turn in (-360, 0, 360)),
        key=lambda start: min(start + box.width, lon_max) - max(start, lon_min),
    )
    clipped = (
        max(west, lon_min),
        min(box.north, lat_max),
        min(west + box.width, lon_max),
        max(box.south, lat_min),
    )
    if clipped[0] >= clipped[2] or clipped[3] >= clipped[1]:
        raise CropError(
            f'the box {list(_box_values(box))} does not intersect {source.name}, which covers'
            f' longitudes {lon_min:g}..{lon_max:g} and latitudes {lat_min:g}..{lat_max:g}'
        )
    return clipped


def _box_values(box: BoundingBox) -> tuple[float, float, float, float]:
    return box.west, box.north, box.east, box.south


def _run_gdal(command: list[str], source: Path) -> str:
    if shutil.which(command[0]) is None:
        raise CropError(
            f'{command[0]} not found: install GDAL command-line tools'
            ' (Debian/Ubuntu: apt-get install gdal-bin) to crop GeoTIFF files'
        )
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise CropError(
            f'{command[0]} failed on {source.name}: {message[-1] if message else "no message"}'
        )
    return result.stdout
