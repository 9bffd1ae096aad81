"""OSI SAF's polar stereographic grids (``xc``, ``yc``, ``Polar_Stereographic_Grid``).

The layout is OSI SAF's netCDF (Product User Manual for OSI SAF Global Sea Ice
Concentration OSI-401-b, SAF/OSI/CDOP2/DMI_MET/TEC/MA/204 v1.4, appendix C, the netCDF
header), shared by its sea ice products on the same grids: a ``(time, yc, xc)`` field
whose ``grid_mapping`` variable gives ``grid_mapping_name = polar_stereographic``,
``straight_vertical_longitude_from_pole``, ``latitude_of_projection_origin``,
``standard_parallel`` and the ellipsoid, projected cell-centre coordinates ``xc`` and
``yc`` (in km), and ``time`` (CF units).
"""

from __future__ import annotations

from dataclasses import dataclass

import netCDF4
import numpy as np
from osgeo import osr

from geospaas_processing.converters.syntool.readers import ReaderError

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


@dataclass(frozen=True)
class PolarField:
    """A field north up on its grid, with the GeoTIFF's projection and geotransform."""

    values: np.ma.MaskedArray
    srs: osr.SpatialReference
    geotransform: tuple[float, ...]


def read_polar_field(dataset: netCDF4.Dataset, name: str, product: str) -> PolarField:
    """The first time of ``dataset``'s ``name(time, yc, xc)``, rows north to south.

    Raises:
        ReaderError: no such variable (not a ``product`` file), another layout, or a grid
            the ingestor cannot read (see :func:`spatial_reference`).
    """
    if name not in dataset.variables:
        raise ReaderError(f'no {name} variable: not an OSI SAF {product} file')
    variable = dataset.variables[name]
    if variable.dimensions[-2:] != ('yc', 'xc'):
        raise ReaderError(f'{name} is on {variable.dimensions}, expected (time, yc, xc)')
    grid_mapping = getattr(variable, 'grid_mapping', None)
    if grid_mapping not in dataset.variables:
        raise ReaderError(f'{name} has no grid_mapping variable ({grid_mapping!r})')
    srs = spatial_reference(dataset.variables[grid_mapping])
    x, y = coordinate_metres(dataset, 'xc'), coordinate_metres(dataset, 'yc')
    values = np.ma.masked_invalid(
        np.ma.asarray(variable[0] if variable.ndim == 3 else variable[:], dtype=float)
    )
    if y[1] > y[0]:  # GeoTIFF rows go north to south
        y, values = y[::-1], values[::-1]
    dx, dy = x[1] - x[0], y[1] - y[0]
    return PolarField(values, srs, (x[0] - dx / 2, dx, 0.0, y[0] - dy / 2, 0.0, dy))
