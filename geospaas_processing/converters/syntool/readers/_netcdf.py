"""Small netCDF helpers shared by the readers: masked values out, CF files in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from geospaas_processing.converters.syntool.readers import ReaderError

# Argo and most in-situ files count days from this epoch.
ARGO_EPOCH = datetime(1950, 1, 1, tzinfo=UTC)
TIME_UNITS = 'seconds since 1970-01-01 00:00:00'


def open_dataset(path: Path) -> Any:
    """The netCDF file at ``path`` opened for reading, or a ReaderError saying why not."""
    import netCDF4

    try:
        return netCDF4.Dataset(path)
    except OSError as error:
        raise ReaderError(f'{path.name} is not a readable netCDF file: {error}') from None


def variable(dataset: Any, *names: str) -> np.ndarray:
    """The values of the first variable of ``names`` present, as floats with NaN for fill values.

    Raises:
        ReaderError: none of the names is in the file.
    """
    for name in names:
        if name in dataset.variables:
            values = np.ma.filled(
                np.ma.masked_invalid(dataset.variables[name][:]).astype(float), np.nan
            )
            return np.asarray(values)
    raise ReaderError(f'none of the variables {", ".join(names)} is in the file')


def argo_seconds(days: float) -> float:
    """Seconds since 1970 of an Argo ``JULD`` (days since 1950-01-01)."""
    return days * 86400.0 + (ARGO_EPOCH - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()


def write_cf(
    path: Path,
    feature_type: str,
    dimension: str,
    size: int,
    variables: dict[str, tuple[tuple[str, ...], np.ndarray, dict[str, str]]],
    attributes: dict[str, str],
) -> Path:
    """Write a small CF netCDF file; ``variables`` maps names to (dims, values, attributes)."""
    import netCDF4

    with netCDF4.Dataset(path, 'w') as output:
        output.createDimension(dimension, size)
        output.setncatts({'Conventions': 'CF-1.8', 'featureType': feature_type, **attributes})
        for name, (dimensions, values, variable_attributes) in variables.items():
            created = output.createVariable(name, 'f8', dimensions, fill_value=np.nan)
            created.setncatts(variable_attributes)
            created[:] = values
    return path
