"""IDF granules that hold no valid value are withdrawn before anything is published.

idf-converter writes a granule even when every value of it is masked (a drifter
without a level at the requested depth, a file without the requested variables
filled): SEAScope would show an empty layer. :func:`withdraw_empty_granules`
removes such granules and logs a warning naming each one.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from pathlib import Path

logger = logging.getLogger(__name__)

_GEOLOCATION_SUFFIXES = ('_gcp',)
# day_in_month: written by the cmems/drifter reader from the positions' dates, so it
# has values even where no measurement does.
_NOT_DATA = {'crs', 'time', 'lat', 'lon', 'lat_gcp', 'lon_gcp', 'day_in_month'}


def withdraw_empty_granules(collection_dir: Path, names: Iterable[str]) -> list[str]:
    """Delete the granule folders of ``collection_dir`` whose data are all masked.

    Args:
        collection_dir: the folder idf-converter wrote the granules into.
        names: the granule folder names to check.

    Returns:
        The names of the granules kept (those with at least one valid value).
    """
    kept = []
    for name in names:
        granule = collection_dir / name
        if not is_all_masked(granule):
            kept.append(name)
        else:
            logger.warning(
                'not publishing the IDF granule %s/%s: every value in it is masked',
                collection_dir.name,
                name,
            )
            shutil.rmtree(granule)
    return kept


def is_all_masked(granule: Path) -> bool:
    """Whether the granule folder has IDF files and every data value in them is masked."""
    import netCDF4
    import numpy as np

    paths = sorted(granule.glob('*.nc'))
    for path in paths:
        with netCDF4.Dataset(path) as dataset:
            for variable in data_variables(dataset):
                if np.ma.count(variable[:]) > 0:
                    return False
    return bool(paths)


def data_variables(dataset) -> list:  # netCDF4.Dataset -> list[netCDF4.Variable]
    """The variables of an IDF file that carry data (not coordinates nor geolocation)."""
    return [
        variable
        for name, variable in dataset.variables.items()
        if variable.dimensions
        and name not in dataset.dimensions
        and name not in _NOT_DATA
        and not name.startswith('index_')
        and not name.endswith(_GEOLOCATION_SUFFIXES)
    ]
