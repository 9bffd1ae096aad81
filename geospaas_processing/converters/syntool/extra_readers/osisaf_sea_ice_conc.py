"""OSI SAF sea ice concentration (``ice_conc_[ns]h_...nc``) to a converter-shaped GeoTIFF.

Type ``osisaf_sea_ice_conc``: upstream django-geo-spaas-processing calls it from a newer
syntool-converter than OceanDataLab's public one, which lacks it (see ``products.py``).

The input layout is OSI SAF's netCDF (:mod:`.osisaf_grid`): ``ice_conc(time, yc, xc)``
in %. netCDF4 applies the variable's ``_FillValue`` and ``scale_factor``.

The GeoTIFF stays on the product's own grid (the ingestor reads it with
``read_input_projection=True``, as the converter's AMSR2 polar stereographic output).
As the real converter's ``amsr_sea_ice_conc`` does, 0 % (open water) and missing cells
(land, no data) are nodata, so the portal shows the ice only.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

import netCDF4
import numpy as np

from geospaas_processing.converters.syntool.extra_readers import cli
from geospaas_processing.converters.syntool.extra_readers.geotiff import (
    Band,
    linear_palette,
    write_geotiff,
)
from geospaas_processing.converters.syntool.extra_readers.netcdf import (
    converter_metadata,
    product_time,
)
from geospaas_processing.converters.syntool.extra_readers.osisaf_grid import read_polar_field

READER_TYPE = 'osisaf_sea_ice_conc'
PRODUCT_NAME = 'OSISAF_sea_ice_concentration'
VARIABLE = 'ice_conc'
# Dark blue (little ice) to white (full ice cover).
PALETTE = linear_palette([(8, 48, 107), (66, 146, 198), (198, 219, 239), (255, 255, 255)])


def convert(in_file: Path, out_dir: Path, options: Mapping[str, str]) -> list[Path]:
    """Write ``in_file``'s sea ice concentration as a converter-shaped GeoTIFF."""
    cli.refuse_unknown_options(options)
    with netCDF4.Dataset(in_file) as dataset:
        field = read_polar_field(dataset, VARIABLE, 'sea ice concentration')
        moment = product_time(dataset)
        institution = getattr(dataset, 'institution', 'EUMETSAT OSI SAF')
    concentration = np.ma.masked_where(
        np.ma.getmaskarray(field.values) | (field.values <= 0), field.values
    )
    metadata = converter_metadata(
        in_file, PRODUCT_NAME, moment, ['-12h', '+12h'], institution, 'sea ice concentration'
    )
    band = Band(concentration, 'sea ice concentration', '%', (0.0, 100.0), PALETTE)
    return [write_geotiff(out_dir, metadata, field.srs, field.geotransform, [band])]


if __name__ == '__main__':
    sys.exit(cli.run(READER_TYPE, convert))
