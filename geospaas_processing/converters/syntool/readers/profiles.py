"""Side-by-side model and in-situ profiles: the model column nearest to each Argo profile."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from geospaas_processing.converters.syntool.readers import ReaderError, register
from geospaas_processing.converters.syntool.readers._netcdf import (
    TIME_UNITS,
    argo_seconds,
    open_dataset,
    variable,
    write_cf,
)

MODEL_LATITUDES = ('lat', 'latitude')
MODEL_LONGITUDES = ('lon', 'longitude')
MODEL_DEPTHS = ('depth', 'z')


@register('profile_comparison')
def compare_profiles(input_path: Path, output_dir: Path, options: Mapping[str, str]) -> list[Path]:
    """One CF profile file per in-situ profile, holding it and the model column next to it.

    ``input_path`` is the model file (1-D lat/lon/depth coordinates, the variable
    of option ``variable``, default ``temperature``, first time step used). Option
    ``profiles``: the Argo profile files, separated by ``os.pathsep``. The depth
    in metres is taken as equal to the pressure in dbar.
    """
    profile_paths = [Path(path) for path in options.get('profiles', '').split(os.pathsep) if path]
    if not profile_paths:
        raise ReaderError('profile_comparison needs the option profiles=<file>[:<file>...]')
    model = read_model(input_path, options.get('variable', 'temperature'))
    written = []
    for profile_path in profile_paths:
        latitude, longitude, seconds, pressure, temperature = read_first_profile(profile_path)
        column = model_column(model, latitude, longitude)
        model_values = np.interp(pressure, model['depth'], column, left=np.nan, right=np.nan)
        path = (
            output_dir / f'{input_path.name.split(".")[0]}_vs_{profile_path.name.split(".")[0]}.nc'
        )
        written.append(
            write_cf(
                path,
                'profile',
                'level',
                len(pressure),
                {
                    'time': ((), np.array(seconds), {'units': TIME_UNITS}),
                    'lat': ((), np.array(latitude), {'units': 'degrees_north'}),
                    'lon': ((), np.array(longitude), {'units': 'degrees_east'}),
                    'depth': (('level',), pressure, {'units': 'm', 'positive': 'down'}),
                    'profile_temperature': (('level',), temperature, {'source': profile_path.name}),
                    'model_temperature': (('level',), model_values, {'source': input_path.name}),
                },
                {'product': options.get('product', 'profile_comparison')},
            )
        )
    return written


def read_model(path: Path, variable_name: str) -> dict[str, np.ndarray]:
    """The model's coordinates and the first time step of ``variable_name`` as (depth, lat, lon)."""
    with open_dataset(path) as dataset:
        values = variable(dataset, variable_name)
        model = {
            'lat': variable(dataset, *MODEL_LATITUDES),
            'lon': variable(dataset, *MODEL_LONGITUDES),
            'depth': variable(dataset, *MODEL_DEPTHS),
        }
    while values.ndim > 3:
        values = values[0]
    if values.shape != (len(model['depth']), len(model['lat']), len(model['lon'])):
        raise ReaderError(f'{path.name}: {variable_name} is not on (depth, lat, lon)')
    model['values'] = values
    return model


def read_first_profile(path: Path) -> tuple[float, float, float, np.ndarray, np.ndarray]:
    """Position, time (s since 1970), pressures and temperatures of a file's first profile."""
    with open_dataset(path) as dataset:
        latitude = float(np.atleast_1d(variable(dataset, 'LATITUDE'))[0])
        longitude = float(np.atleast_1d(variable(dataset, 'LONGITUDE'))[0])
        days = float(np.atleast_1d(variable(dataset, 'JULD'))[0])
        pressure = np.atleast_2d(variable(dataset, 'PRES'))[0]
        temperature = np.atleast_2d(variable(dataset, 'TEMP'))[0]
    valid = ~(np.isnan(pressure) | np.isnan(temperature))
    if np.isnan([latitude, longitude, days]).any() or not valid.any():
        raise ReaderError(f'{path.name}: the first profile has no position, date or levels')
    return latitude, longitude, argo_seconds(days), pressure[valid], temperature[valid]


def model_column(model: dict[str, np.ndarray], latitude: float, longitude: float) -> np.ndarray:
    """The model values at the grid point nearest to the position, over depth."""
    longitudes = (model['lon'] - longitude + 180) % 360 - 180
    row = int(np.nanargmin(np.abs(model['lat'] - latitude)))
    column = int(np.nanargmin(np.abs(longitudes)))
    return model['values'][:, row, column]
