"""GHRSST L4 sea surface temperature analyses (GDS 2.0) to converter-shaped GeoTIFFs.

The types ``ostia_sst`` and ``remss_l4_mw_sst`` (modules of the same names) are not in
OceanDataLab's public syntool-converter; it has ``ghrsst_oi_mw_sst``
(``syntool_converter/sst/ghrsst_oi_mw_sst.py``), which needs cerbere's old API and does
not import here. What it writes is what these readers write: EPSG:4326, one Byte band
``sea surface temperature`` in K over 271.05..309.15, rows north to south and longitudes
sorted, a ``-12h``/``+12h`` time range for a daily analysis, nodata where the SST is
missing or the cell is not open water.

The input layout is GHRSST's Data Specification (GDS) 2.0 revision 5 for L4 files
(zenodo.org/records/4700466): ``analysed_sst(time, lat, lon)`` in kelvin (netCDF4 applies
its ``scale_factor``, ``add_offset`` and ``_FillValue``), ``time`` (CF units, seconds
since 1981-01-01), the ``mask`` flags ``1 water, 2 land, 4 optional_lake_surface,
8 sea_ice, 16 optional_river_surface``, and the global attributes
``time_coverage_start``/``time_coverage_end`` (``YYYYmmddTHHMMSSZ``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import netCDF4
import numpy as np
from osgeo import osr

from geospaas_processing.converters.syntool.extra_readers import cli
from geospaas_processing.converters.syntool.extra_readers.geotiff import (
    Band,
    linear_palette,
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

SST_RANGE = (271.05, 309.15)  # ghrsst_oi_mw_sst's vmin, vmax (K)
WATER, LAND, SEA_ICE = 1, 2, 8  # GDS 2.0 L4 mask flag_masks
# Blue (cold) to red (warm).
PALETTE = linear_palette([(49, 54, 149), (116, 173, 209), (255, 255, 191), (244, 109, 67)])
COVERAGE_FORMAT = '%Y%m%dT%H%M%SZ'


def time_range(dataset: netCDF4.Dataset, moment: datetime) -> list[str]:
    """The analysis' coverage around its time, from the GDS 2.0 coverage attributes.

    Without them, a day centred on the time (the real converter's ``-12h``, ``+12h``).
    """
    try:
        start, end = (
            datetime.strptime(getattr(dataset, name), COVERAGE_FORMAT)
            for name in ('time_coverage_start', 'time_coverage_end')
        )
    except (AttributeError, ValueError):
        return ['-12h', '+12h']
    hours = [round((edge - moment).total_seconds() / 3600) for edge in (start, end)]
    return [f'{hour:+d}h' for hour in hours]


def open_water(mask: np.ma.MaskedArray) -> np.ndarray:
    """The cells the GDS 2.0 mask flags as water, neither land nor sea ice."""
    flags = np.ma.filled(mask, 0).astype(int)
    return ((flags & WATER) != 0) & ((flags & (LAND | SEA_ICE)) == 0)


def convert_analysis(
    product_name: str, in_file: Path, out_dir: Path, options: Mapping[str, str]
) -> list[Path]:
    """Write ``in_file``'s analysed_sst as a converter-shaped GeoTIFF named ``product_name``."""
    cli.refuse_unknown_options(options, ('min_latitude',))
    min_latitude = float(options.get('min_latitude', -90))
    with netCDF4.Dataset(in_file) as dataset:
        if 'analysed_sst' not in dataset.variables:
            raise ReaderError('no analysed_sst variable: not a GHRSST L4 file')
        sst = surface_field(dataset.variables['analysed_sst'])
        if 'mask' in dataset.variables:
            sst = np.ma.masked_where(~open_water(dataset.variables['mask'][0]), sst)
        grid = north_up(coordinate(dataset, 'lat'), coordinate(dataset, 'lon'), min_latitude)
        moment = product_time(dataset)
        covered = time_range(dataset, moment)
        provider = getattr(dataset, 'institution', 'GHRSST')
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    metadata = converter_metadata(
        in_file, product_name, moment, covered, provider, 'sea surface temperature'
    )
    band = Band(grid.arrange(sst), 'sea surface temperature', 'K', SST_RANGE, PALETTE)
    return [write_geotiff(out_dir, metadata, srs, grid.geotransform, [band])]
