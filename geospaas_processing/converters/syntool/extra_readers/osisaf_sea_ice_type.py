"""OSI SAF sea ice type (``ice_type_[ns]h_...nc``) to a converter-shaped GeoTIFF.

Type ``osisaf_sea_ice_type``: not in OceanDataLab's public syntool-converter (upstream
django-geo-spaas-processing has it among its own extra readers, see ``products.py``).

The input is on OSI SAF's polar stereographic grid (:mod:`.osisaf_grid`), as the
concentration: ``ice_type(time, yc, xc)``, categories ``1 open water, 2 first-year ice,
3 multi-year ice, 4 ambiguous`` (its ``flag_values`` and ``flag_meanings``).

The band holds the category itself (scale 1, offset 0, so the portal shows the class
number) with one colour per ice category; as for the concentration, open water and
missing cells (land, no data) are nodata, so the portal shows the ice only.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

import netCDF4
import numpy as np

from geospaas_processing.converters.syntool.extra_readers import cli
from geospaas_processing.converters.syntool.extra_readers.geotiff import (
    NODATA,
    TOP_INDEX,
    Band,
    write_geotiff,
)
from geospaas_processing.converters.syntool.extra_readers.netcdf import (
    converter_metadata,
    product_time,
)
from geospaas_processing.converters.syntool.extra_readers.osisaf_grid import read_polar_field
from geospaas_processing.converters.syntool.readers import ReaderError

READER_TYPE = 'osisaf_sea_ice_type'
PRODUCT_NAME = 'OSISAF_sea_ice_type'
VARIABLE = 'ice_type'
OPEN_WATER = 1
# Category: colour. First-year ice light blue, multi-year ice white, ambiguous grey.
COLOURS = {2: (107, 174, 214), 3: (255, 255, 255), 4: (150, 150, 150)}
# Categories stored as themselves: a range of 0..254 gives a scale of 1.
CATEGORY_RANGE = (0.0, float(TOP_INDEX))


def palette() -> list[tuple[int, int, int]]:
    """256 entries: the categories' colours, black elsewhere (nodata included)."""
    return [COLOURS.get(index, (0, 0, 0)) for index in range(NODATA + 1)]


def convert(in_file: Path, out_dir: Path, options: Mapping[str, str]) -> list[Path]:
    """Write ``in_file``'s sea ice type as a converter-shaped GeoTIFF."""
    cli.refuse_unknown_options(options)
    with netCDF4.Dataset(in_file) as dataset:
        field = read_polar_field(dataset, VARIABLE, 'sea ice type')
        moment = product_time(dataset)
        institution = getattr(dataset, 'institution', 'EUMETSAT OSI SAF')
    known = np.isin(field.values.filled(OPEN_WATER), [OPEN_WATER, *COLOURS])
    if not known.all():
        unknown = sorted({int(v) for v in field.values.compressed()} - {OPEN_WATER, *COLOURS})
        raise ReaderError(f'{VARIABLE} has categories {unknown} beyond 1..4')
    ice = np.ma.masked_where(
        np.ma.getmaskarray(field.values) | (field.values == OPEN_WATER), field.values
    )
    metadata = converter_metadata(
        in_file, PRODUCT_NAME, moment, ['-12h', '+12h'], institution, 'sea ice type'
    )
    band = Band(ice, 'sea ice type', '1', CATEGORY_RANGE, palette())
    return [write_geotiff(out_dir, metadata, field.srs, field.geotransform, [band])]


if __name__ == '__main__':
    sys.exit(cli.run(READER_TYPE, convert))
