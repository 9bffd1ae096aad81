"""OSI SAF sea ice concentration (``ice_conc_[ns]h_...nc``) to a converter-shaped GeoTIFF.

Type ``osisaf_sea_ice_conc``: upstream django-geo-spaas-processing calls it from a newer
syntool-converter than OceanDataLab's public one, which lacks it (see ``products.py``).

The input layout is OSI SAF's netCDF (Product User Manual for OSI SAF Global Sea Ice
Concentration OSI-401-b, SAF/OSI/CDOP2/DMI_MET/TEC/MA/204 v1.4, appendix C, the netCDF
header):
``ice_conc(time, yc, xc)`` in %, its ``grid_mapping`` variable
(``Polar_Stereographic_Grid``: ``grid_mapping_name = polar_stereographic``,
``straight_vertical_longitude_from_pole``, ``latitude_of_projection_origin``,
``standard_parallel``, ``semi_major_axis``, ``semi_minor_axis``, ``false_easting``,
``false_northing``), projected cell-centre coordinates
``xc`` and ``yc`` (in km), and ``time`` (CF units). netCDF4 applies the variable's
``_FillValue`` and ``scale_factor``.

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
from osgeo import osr

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
from geospaas_processing.converters.syntool.readers import ReaderError

READER_TYPE = 'osisaf_sea_ice_conc'
PRODUCT_NAME = 'OSISAF_sea_ice_concentration'
VARIABLE = 'ice_conc'
# Dark blue (little ice) to white (full ice cover).
PALETTE = linear_palette([(8, 48, 107), (66, 146, 198), (198, 219, 239), (255, 255, 255)])
# (latitude of origin, standard parallel, meridian): the EPSG code of that projection.
EPSG = {(90.0, 70.0, -45.0): 3413, (-90.0, -70.0, 0.0): 3976}
METRES = {'km': 1000.0, 'kilometres': 1000.0, 'm': 1.0, 'metres': 1.0, 'meters': 1.0}


def spatial_reference(grid_mapping: netCDF4.Variable) -> osr.SpatialReference:
    """The EPSG projection of an OSI SAF polar stereographic grid mapping variable.

    The real ingestor identifies a GeoTIFF's projection by its EPSG code and handles only
    3411 and 3413 (north), 3412 and 3976 (south) among polar projections
    (``syntool_ingestor/metadata.py``: ``STEREO_PROJ``, ``extract_from_dataset``), so the
    grid is written as EPSG:3413 or EPSG:3976, the same projections on WGS 84. OSI SAF's
    grids are on the Hughes ellipsoid (semi-major axis 6378273 m, 136 m longer): the
    positions differ by about 100 m, a hundredth of a 10 km cell. (GDAL itself writes the
    deprecated Hughes codes 3411/3412, which the converter's ``amsr_sea_ice_conc`` asks
    for, as 3413/3976.)

    Raises:
        ReaderError: another grid mapping (e.g. the Lambert azimuthal EASE2 grids of
            OSI-450), which the ingestor cannot read without a reprojection.
    """
    attributes = {name: grid_mapping.getncattr(name) for name in grid_mapping.ncattrs()}
    mapping = attributes.get('grid_mapping_name')
    if mapping != 'polar_stereographic':
        raise ReaderError(
            f'grid mapping {mapping!r} of {grid_mapping.name} is not supported: the Syntool '
            'ingestor reads polar stereographic grids (EPSG 3411, 3412, 3413, 3976) only'
        )
    pole = float(attributes['latitude_of_projection_origin'])
    true_scale = float(attributes['standard_parallel'])
    meridian = float(attributes['straight_vertical_longitude_from_pole'])
    code = EPSG.get((pole, true_scale, meridian))
    if code is not None:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(code)
        return srs
    raise ReaderError(
        f'polar stereographic grid (origin {pole}, true at {true_scale}, meridian {meridian}) '
        'is not one the Syntool ingestor reads (EPSG 3411, 3412, 3413, 3976)'
    )


def coordinate_metres(dataset: netCDF4.Dataset, name: str) -> np.ndarray:
    """A projected coordinate (``xc``, ``yc``) in metres, from its ``units``."""
    variable = dataset.variables[name]
    units = getattr(variable, 'units', 'km')
    if units not in METRES:
        raise ReaderError(f'{name} is in {units!r}, expected km or m')
    return np.asarray(variable[:], dtype=float) * METRES[units]


def convert(in_file: Path, out_dir: Path, options: Mapping[str, str]) -> list[Path]:
    """Write ``in_file``'s sea ice concentration as a converter-shaped GeoTIFF."""
    cli.refuse_unknown_options(options)
    with netCDF4.Dataset(in_file) as dataset:
        if VARIABLE not in dataset.variables:
            raise ReaderError(f'no {VARIABLE} variable: not an OSI SAF sea ice concentration file')
        variable = dataset.variables[VARIABLE]
        if variable.dimensions[-2:] != ('yc', 'xc'):
            raise ReaderError(f'{VARIABLE} is on {variable.dimensions}, expected (time, yc, xc)')
        grid_mapping = getattr(variable, 'grid_mapping', None)
        if grid_mapping not in dataset.variables:
            raise ReaderError(f'{VARIABLE} has no grid_mapping variable ({grid_mapping!r})')
        srs = spatial_reference(dataset.variables[grid_mapping])
        x, y = coordinate_metres(dataset, 'xc'), coordinate_metres(dataset, 'yc')
        concentration = np.ma.masked_invalid(
            np.ma.asarray(variable[0] if variable.ndim == 3 else variable[:], dtype=float)
        )
        moment = product_time(dataset)
        institution = getattr(dataset, 'institution', 'EUMETSAT OSI SAF')
    if y[1] > y[0]:  # GeoTIFF rows go north to south
        y, concentration = y[::-1], concentration[::-1]
    dx, dy = x[1] - x[0], y[1] - y[0]
    geotransform = (x[0] - dx / 2, dx, 0.0, y[0] - dy / 2, 0.0, dy)
    concentration = np.ma.masked_where(
        np.ma.getmaskarray(concentration) | (concentration <= 0), concentration
    )
    metadata = converter_metadata(
        in_file, PRODUCT_NAME, moment, ['-12h', '+12h'], institution, 'sea ice concentration'
    )
    band = Band(concentration, 'sea ice concentration', '%', (0.0, 100.0), PALETTE)
    return [write_geotiff(out_dir, metadata, srs, geotransform, [band])]


if __name__ == '__main__':
    sys.exit(cli.run(READER_TYPE, convert))
