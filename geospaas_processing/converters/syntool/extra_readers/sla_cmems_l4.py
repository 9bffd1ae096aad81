"""DUACS L4 global sea level anomaly maps to a converter-shaped GeoTIFF.

Type ``sla_cmems_l4``: not in OceanDataLab's public syntool-converter, whose
``duacs_sea_level`` (``syntool_converter/duacs/sea_level.py``, ``sea_level_gridded``)
reads the older AVISO files (``dt_global_allsat_msla_h_*``, ``lat``/``lon``) with
cerbere's old API and does not import here. What it writes for a sea level anomaly is
what this reader writes: EPSG:4326, one Byte band ``sla`` in m over -1..1 with a
jet-like palette, rows north to south and longitudes in -180..180, the day from the
file's time (``0s``, ``+86399s``), nodata where the value is missing (land).

The input is a Copernicus Marine DUACS L4 file (SEALEVEL_GLO_PHY_L4_NRT_008_046 /
MY_008_047, ``{nrt,dt}_global_allsat_phy_l4_<date>_<production date>.nc``):
``sla(time, latitude, longitude)`` in m, longitudes 0..360, ``time`` in days since
1950-01-01 (the product user manual's netCDF section; the fixture says what was
checked). ``-opt min_latitude=L`` keeps the rows north of ``L``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

import netCDF4
from osgeo import osr

from geospaas_processing.converters.syntool.extra_readers import cli
from geospaas_processing.converters.syntool.extra_readers.geotiff import (
    JET_PALETTE,
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

READER_TYPE = 'sla_cmems_l4'
PRODUCT_NAME = 'CMEMS_L4_SLA'
SLA_RANGE = (-1.0, 1.0)  # sea_level_gridded's vmin, vmax (m)
TIME_RANGE = ['0s', '+86399s']  # sea_level_gridded's, for a daily map
PALETTE = JET_PALETTE


def convert(in_file: Path, out_dir: Path, options: Mapping[str, str]) -> list[Path]:
    """Write ``in_file``'s sea level anomaly as a converter-shaped GeoTIFF."""
    cli.refuse_unknown_options(options, ('min_latitude',))
    min_latitude = float(options.get('min_latitude', -90))
    with netCDF4.Dataset(in_file) as dataset:
        if 'sla' not in dataset.variables:
            raise ReaderError('no sla variable: not a DUACS L4 sea level file')
        sla = surface_field(dataset.variables['sla'])
        grid = north_up(
            coordinate(dataset, 'latitude', 'lat'),
            coordinate(dataset, 'longitude', 'lon'),
            min_latitude,
        )
        moment = product_time(dataset)
        provider = getattr(dataset, 'institution', 'CLS')
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    metadata = converter_metadata(
        in_file, PRODUCT_NAME, moment, TIME_RANGE, provider, ['sea level anomaly']
    )
    band = Band(grid.arrange(sla), 'sla', 'm', SLA_RANGE, PALETTE)
    return [write_geotiff(out_dir, metadata, srs, grid.geotransform, [band])]


if __name__ == '__main__':
    sys.exit(cli.run(READER_TYPE, convert))
