"""Regular latitude/longitude grids put in the order the converter writes them.

The real converter's grid readers (e.g. ``syntool_converter/sst/ghrsst_oi_mw_sst.py``)
write rows north to south and columns west to east (longitudes sorted), with the
geotransform from the cell centres: what :func:`north_up` gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import netCDF4
import numpy as np

from geospaas_processing.converters.syntool.readers import ReaderError


@dataclass(frozen=True)
class NorthUpGrid:
    """Row and column orders putting a field north up, and the GeoTIFF's geotransform."""

    rows: np.ndarray
    columns: np.ndarray
    geotransform: tuple[float, ...]

    def arrange(self, field: np.ma.MaskedArray) -> np.ma.MaskedArray:
        """``field`` (latitude, longitude) in this grid's order."""
        return field[self.rows][:, self.columns]


def coordinate(dataset: netCDF4.Dataset, *names: str) -> np.ndarray:
    """The first of the coordinate variables ``names`` the file has, as floats."""
    for name in names:
        if name in dataset.variables:
            return np.asarray(dataset.variables[name][:], dtype=float)
    raise ReaderError(f'no {" or ".join(names)} coordinate')


def surface_field(variable: netCDF4.Variable) -> np.ma.MaskedArray:
    """The first time (and first depth) of a ``(time, [depth,] latitude, longitude)`` field."""
    if variable.ndim not in (3, 4) or variable.dimensions[-2:] not in (
        ('latitude', 'longitude'),
        ('lat', 'lon'),
    ):
        raise ReaderError(
            f'{variable.name} is on {variable.dimensions}, expected '
            '(time, [depth,] latitude, longitude)'
        )
    field = variable[0] if variable.ndim == 3 else variable[0, 0]
    return np.ma.masked_invalid(np.ma.asarray(field, dtype=float))


def north_up(
    latitudes: Sequence[float], longitudes: Sequence[float], min_latitude: float = -90.0
) -> NorthUpGrid:
    """The order of a grid's cells north to south, west to east in -180..180.

    ``min_latitude`` keeps the rows north of it (the EPSG:3413 portal's real ingestor
    fails on a global grid: see products.py). Longitudes in 0..360 are put in -180..180.
    """
    latitudes = np.asarray(latitudes, dtype=float)
    longitudes = np.asarray(longitudes, dtype=float)
    longitudes = np.where(longitudes > 180, longitudes - 360, longitudes)
    columns = np.argsort(longitudes, kind='stable')
    rows = np.argsort(-latitudes, kind='stable')
    rows = rows[latitudes[rows] >= min_latitude]
    if rows.size < 2 or columns.size < 2:
        raise ReaderError(f'fewer than 2 x 2 cells north of min_latitude={min_latitude}')
    longitudes, latitudes = longitudes[columns], latitudes[rows]
    step_x, step_y = longitudes[1] - longitudes[0], latitudes[1] - latitudes[0]
    geotransform = (
        longitudes[0] - step_x / 2,
        step_x,
        0.0,
        latitudes[0] - step_y / 2,
        0.0,
        step_y,
    )
    return NorthUpGrid(rows, columns, geotransform)
