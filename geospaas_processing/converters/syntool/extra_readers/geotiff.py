"""GeoTIFFs shaped like syntool-converter's, written with GDAL.

What the real converter writes (``syntool_converter/utils/syntoolformat.py``,
``format_tifffilename`` and ``write_geotiff``; a real output's tags in
``../shared/vendor/syntool/reference/converter_tiff.gdalinfo.txt``), which the real
ingestor reads:

- the file is ``<out>/<product_name lowercased, spaces as _>/<name>.tiff``;
- dataset metadata items ``product_name``, ``name``, ``datetime``, ``time_range``,
  ``source_URI``, ``source_provider``, ``processing_center``, ``conversion_software``,
  ``conversion_version``, ``conversion_datetime``, ``parameter``: strings in double
  quotes, lists as their items separated by spaces (``"-12h" "+12h"``);
- Byte bands with nodata 255, scale and offset, the description and unit in double
  quotes, a ``parameter_range`` item ``"min max"`` and a 256-entry colour table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from osgeo import gdal, osr

NODATA = 255
# Indices 0..254 carry the data (scale: range / 254); 255 is nodata (format_colortable's
# index_min, index_max and index_nodata, and the readers' scale).
TOP_INDEX = 254


@dataclass(frozen=True)
class Band:
    """One band: physical ``values`` (masked where missing) stored as Byte in ``value_range``."""

    values: np.ma.MaskedArray
    description: str
    unit: str
    value_range: tuple[float, float]
    palette: Sequence[tuple[int, int, int]] | None = None


def time_text(moment: datetime) -> str:
    """A time as the converter writes it (``2024-03-01T12:00:00``)."""
    return moment.strftime('%Y-%m-%dT%H:%M:%S')


def metadata_item(value: object) -> str:
    """A metadata value as the converter writes it: quoted strings, lists joined by spaces."""
    if isinstance(value, list | tuple):
        return ' '.join(metadata_item(item) for item in value)
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def linear_palette(
    colours: Sequence[tuple[int, int, int]],
) -> list[tuple[int, int, int]]:
    """256 entries: indices 0..254 interpolated between ``colours``, then nodata (black)."""
    stops = np.linspace(0, TOP_INDEX, len(colours))
    channels = np.array(colours, dtype=float)
    levels = np.arange(TOP_INDEX + 1)
    table = [
        tuple(int(round(np.interp(level, stops, channels[:, c]))) for c in range(3))
        for level in levels
    ]
    return [*table, (0, 0, 0)]


def to_bytes(band: Band) -> tuple[np.ndarray, float, float]:
    """The band's Byte array, scale and offset (values clipped to the range; missing: 255)."""
    low, high = band.value_range
    scale = (high - low) / TOP_INDEX
    values = np.ma.masked_invalid(band.values)
    array = np.round((np.clip(values.filled(low), low, high) - low) / scale).astype('uint8')
    array[np.ma.getmaskarray(values)] = NODATA
    return array, scale, low


def tiff_path(out_dir: Path, metadata: Mapping[str, object]) -> Path:
    """Where the converter puts a product's GeoTIFF: ``<out>/<product lowercased>/<name>.tiff``."""
    product = str(metadata['product_name']).lower().replace(' ', '_')
    return Path(out_dir) / product / f'{metadata["name"]}.tiff'


def write_geotiff(
    out_dir: Path,
    metadata: Mapping[str, object],
    srs: osr.SpatialReference,
    geotransform: Sequence[float],
    bands: Sequence[Band],
) -> Path:
    """Write the bands as the converter would; return the file's path."""
    path = tiff_path(out_dir, metadata)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows, columns = bands[0].values.shape
    dataset = gdal.GetDriverByName('GTiff').Create(
        str(path), columns, rows, len(bands), gdal.GDT_Byte
    )
    try:
        dataset.SetMetadataItem('AREA_OR_POINT', 'Area')
        for name, value in metadata.items():
            dataset.SetMetadataItem(name, metadata_item(value))
        dataset.SetProjection(srs.ExportToWkt())
        dataset.SetGeoTransform(list(geotransform))
        for index, band in enumerate(bands, start=1):
            array, scale, offset = to_bytes(band)
            raster = dataset.GetRasterBand(index)
            raster.WriteArray(array)
            raster.SetScale(scale)
            raster.SetOffset(offset)
            raster.SetDescription(f'"{band.description}"')
            raster.SetUnitType(f'"{band.unit}"')
            raster.SetNoDataValue(NODATA)
            raster.SetMetadataItem(
                'parameter_range', f'{band.value_range[0]} {band.value_range[1]}'
            )
            if band.palette is not None:
                table = gdal.ColorTable()
                for entry, colour in enumerate(band.palette):
                    table.SetColorEntry(entry, (*colour, 255))
                raster.SetColorTable(table)
    finally:
        dataset = None
    return path


# Blue (low) to dark red (high): a jet-like scale, as the converter's "matplotlib_jet"
# colour table of its current and sea level readers.
JET_PALETTE = linear_palette(
    [(0, 0, 143), (0, 128, 255), (128, 255, 128), (255, 128, 0), (128, 0, 0)]
)
