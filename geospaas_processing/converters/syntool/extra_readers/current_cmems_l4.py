"""Copernicus Marine L4 surface currents to a converter-shaped vector field GeoTIFF.

Type ``current_cmems_l4``: not in OceanDataLab's public syntool-converter (upstream
django-geo-spaas-processing calls it from a newer converter: ``parameters/
convert_cmems_l4_current``). Two inputs, both regular latitude/longitude grids:

- the multi-observation currents (MULTIOBS_GLO_PHY_NRT_015_003, files
  ``dataset-uv-nrt-{hourly,daily}_...`` and ``cmems_obs-mob_glo_phy-cur_..._P1D-m_...``):
  total surface current ``uo``/``vo`` on ``(time, depth, latitude, longitude)``; the
  first time and the first (surface) depth are taken;
- with ``-opt source=sla``, the DUACS L4 sea level maps
  (SEALEVEL_GLO_PHY_L4_NRT/MY_008_046/047, ``nrt_global_allsat_phy_l4_...``):
  geostrophic current ``ugos``/``vgos`` on ``(time, latitude, longitude)``, longitudes
  0..360.

Output: what the real converter's current readers write
(``syntool_converter/current/mercator_current.py``): EPSG:4326, two Byte bands, ``current
velocity`` in m/s over 0..5.08 with a palette, then ``current direction`` in degrees
(counter-clockwise from east, 0..360, no palette), nodata 255 where either component is
missing. Longitudes are put in -180..180 order for the ingestor. ``-opt min_latitude=L``
keeps the rows north of ``L`` (the package's EPSG:3413 portal configurations give 50:
the real ingestor cannot put a global grid on that portal).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import netCDF4
import numpy as np
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

READER_TYPE = 'current_cmems_l4'
# source option: (eastward, northward) variables, portal product name.
SOURCES = {
    'total': (('uo', 'vo'), 'CMEMS_L4_currents'),
    'sla': (('ugos', 'vgos'), 'CMEMS_L4_geostrophic_currents'),
}
VELOCITY_RANGE = (0.0, 5.08)  # mercator_current's vmin, vmax
PALETTE = JET_PALETTE


def time_range(in_file: Path, moment: datetime) -> list[str]:
    """The time a field covers, as the ingestor's modifiers of its time.

    Hourly products cover their hour; a daily one stamped at midnight covers the day
    that follows (a daily mean dated by its day), one stamped at another time the 24
    hours around it.
    """
    if 'hourly' in in_file.name or 'PT1H' in in_file.name:
        return ['-30m', '+30m']
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return ['+0h', '+24h']
    return ['-12h', '+12h']


def convert(in_file: Path, out_dir: Path, options: Mapping[str, str]) -> list[Path]:
    """Write ``in_file``'s surface current as a converter-shaped vector field GeoTIFF."""
    cli.refuse_unknown_options(options, ('source', 'min_latitude'))
    source = options.get('source', 'total')
    min_latitude = float(options.get('min_latitude', -90))
    if source not in SOURCES:
        raise ReaderError(f'source={source} is not one of {", ".join(SOURCES)}')
    (east_name, north_name), product_name = SOURCES[source]
    with netCDF4.Dataset(in_file) as dataset:
        missing = [name for name in (east_name, north_name) if name not in dataset.variables]
        if missing:
            raise ReaderError(
                f'no {" and ".join(missing)} variable(s): not a CMEMS L4 current file '
                f'for source={source}'
            )
        east = surface_field(dataset.variables[east_name])
        north = surface_field(dataset.variables[north_name])
        latitudes = coordinate(dataset, 'latitude', 'lat')
        longitudes = coordinate(dataset, 'longitude', 'lon')
        moment = product_time(dataset)
        provider = getattr(dataset, 'institution', 'Copernicus Marine Service')
    grid = north_up(latitudes, longitudes, min_latitude)
    east, north = grid.arrange(east), grid.arrange(north)
    missing_cells = np.ma.getmaskarray(east) | np.ma.getmaskarray(north)
    speed = np.ma.masked_where(missing_cells, np.hypot(east.filled(0), north.filled(0)))
    angle = np.mod(np.degrees(np.arctan2(north.filled(0), east.filled(0))) + 360.0, 360.0)
    direction = np.ma.masked_where(missing_cells, angle)
    geotransform = grid.geotransform
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    metadata = converter_metadata(
        in_file,
        product_name,
        moment,
        time_range(in_file, moment),
        provider,
        ['current velocity', 'current direction'],
    )
    bands = [
        Band(speed, 'current velocity', 'm/s', VELOCITY_RANGE, PALETTE),
        Band(direction, 'current direction', 'deg', (0.0, 360.0)),
    ]
    return [write_geotiff(out_dir, metadata, srs, geotransform, bands)]


if __name__ == '__main__':
    sys.exit(cli.run(READER_TYPE, convert))
