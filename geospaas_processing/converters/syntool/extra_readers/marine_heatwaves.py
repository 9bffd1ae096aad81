"""NOAA Coral Reef Watch Marine Heatwave Watch categories to a converter-shaped GeoTIFF.

Type ``marine_heatwaves``: not in OceanDataLab's public syntool-converter (upstream
django-geo-spaas-processing has its own reader for it, see ``products.py``).

The product (coralreefwatch.noaa.gov/product/marine_heatwave/) is a daily global 5 km
(0.05 degree) grid of the heatwave categories of Hobday et al. (2018) computed from
CoralTemp SST: 0 no heatwave, 1 moderate, 2 strong, 3 severe, 4 extreme. The variable
names (``heatwave_category(time, lat, lon)`` and a ``mask`` that is non-zero off the
ocean) are those upstream's reader reads: no public description of the file's variables
was found (see the test fixture).

The band holds the category itself (scale 1, offset 0) with one colour each; masked
cells are nodata. One granule per file: the first time, a day centred on it.
``-opt min_latitude=L`` keeps the rows north of ``L`` (the EPSG:3413 portal).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

import netCDF4
import numpy as np
from osgeo import osr

from geospaas_processing.converters.syntool.extra_readers import cli
from geospaas_processing.converters.syntool.extra_readers.geotiff import (
    NODATA,
    TOP_INDEX,
    Band,
    write_geotiff,
)
from geospaas_processing.converters.syntool.extra_readers.latlon import (
    coordinate,
    north_up,
    surface_field,
)
from geospaas_processing.converters.syntool.extra_readers.netcdf import (
    converter_metadata,
    product_time,
)
from geospaas_processing.converters.syntool.readers import ReaderError

READER_TYPE = 'marine_heatwaves'
PRODUCT_NAME = 'NOAA_CRW_marine_heatwaves'
VARIABLE = 'heatwave_category'
# Category: colour, from pale (no heatwave) to dark red (extreme).
COLOURS = {
    0: (52, 235, 235),
    1: (252, 247, 98),
    2: (247, 157, 0),
    3: (247, 111, 0),
    4: (148, 35, 0),
}
CATEGORY_RANGE = (0.0, float(TOP_INDEX))  # scale 1: the category itself


def palette() -> list[tuple[int, int, int]]:
    """256 entries: the categories' colours, black elsewhere (nodata included)."""
    return [COLOURS.get(index, (0, 0, 0)) for index in range(NODATA + 1)]


def convert(in_file: Path, out_dir: Path, options: Mapping[str, str]) -> list[Path]:
    """Write ``in_file``'s first heatwave category map as a converter-shaped GeoTIFF."""
    cli.refuse_unknown_options(options, ('min_latitude',))
    min_latitude = float(options.get('min_latitude', -90))
    with netCDF4.Dataset(in_file) as dataset:
        if VARIABLE not in dataset.variables:
            raise ReaderError(f'no {VARIABLE} variable: not a marine heatwave file')
        categories = surface_field(dataset.variables[VARIABLE])
        if 'mask' in dataset.variables:
            off_ocean = np.ma.filled(surface_field(dataset.variables['mask']), 1) > 0
            categories = np.ma.masked_where(off_ocean, categories)
        grid = north_up(coordinate(dataset, 'lat'), coordinate(dataset, 'lon'), min_latitude)
        moment = product_time(dataset)
        provider = getattr(dataset, 'institution', 'NOAA Coral Reef Watch')
    unknown = sorted({int(value) for value in categories.compressed()} - set(COLOURS))
    if unknown:
        raise ReaderError(f'{VARIABLE} has categories {unknown} beyond 0..4')
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    metadata = converter_metadata(
        in_file, PRODUCT_NAME, moment, ['-12h', '+12h'], provider, 'heatwave category'
    )
    band = Band(grid.arrange(categories), 'heatwave category', '1', CATEGORY_RANGE, palette())
    return [write_geotiff(out_dir, metadata, srs, grid.geotransform, [band])]


if __name__ == '__main__':
    sys.exit(cli.run(READER_TYPE, convert))
