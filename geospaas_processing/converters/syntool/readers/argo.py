"""Readers of Argo and BioArgo files (GDAC format): profiles and trajectories as CF files."""

from __future__ import annotations

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

# Variables kept from BioArgo files when present, with their CF standard names.
BIO_VARIABLES = {
    'DOXY': 'moles_of_oxygen_per_unit_mass_in_sea_water',
    'CHLA': 'mass_concentration_of_chlorophyll_a_in_sea_water',
    'NITRATE': 'moles_of_nitrate_per_unit_mass_in_sea_water',
}
CORE_VARIABLES = {
    'TEMP': 'sea_water_temperature',
    'PSAL': 'sea_water_salinity',
}


@register('argo_profile')
def read_profiles(input_path: Path, output_dir: Path, options: Mapping[str, str]) -> list[Path]:
    """One CF profile file per valid profile of an Argo profile file.

    Options: ``product`` (written as the files' ``product`` attribute),
    ``bio=true`` to keep the biogeochemical variables too.
    """
    wanted = dict(CORE_VARIABLES)
    if options.get('bio', '').lower() == 'true':
        wanted.update(BIO_VARIABLES)
    written = []
    with open_dataset(input_path) as dataset:
        latitudes = variable(dataset, 'LATITUDE')
        longitudes = variable(dataset, 'LONGITUDE')
        days = variable(dataset, 'JULD')
        pressures = np.atleast_2d(variable(dataset, 'PRES'))
        values = {
            name: np.atleast_2d(variable(dataset, name))
            for name in wanted
            if name in dataset.variables
        }
    for index in range(len(latitudes)):
        if np.isnan([latitudes[index], longitudes[index], days[index]]).any():
            continue
        levels = ~np.isnan(pressures[index])
        if not levels.any():
            continue
        profile_variables = {
            'time': ((), np.array(argo_seconds(days[index])), {'units': TIME_UNITS}),
            'lat': ((), np.array(latitudes[index]), {'units': 'degrees_north'}),
            'lon': ((), np.array(longitudes[index]), {'units': 'degrees_east'}),
            'pressure': (
                ('level',),
                pressures[index][levels],
                {'units': 'dbar', 'positive': 'down'},
            ),
        }
        for name, data in values.items():
            profile_variables[name.lower()] = (
                ('level',),
                data[index][levels],
                {'standard_name': wanted[name]},
            )
        path = output_dir / f'{input_path.name.split(".")[0]}_{index:03d}.nc'
        written.append(
            write_cf(
                path,
                'profile',
                'level',
                int(levels.sum()),
                profile_variables,
                {'product': options.get('product', 'Argo_profiles'), 'source': input_path.name},
            )
        )
    if not written:
        raise ReaderError(f'{input_path.name} has no profile with a position, a date and levels')
    return written


@register('argo_trajectory')
def read_trajectory(input_path: Path, output_dir: Path, options: Mapping[str, str]) -> list[Path]:
    """The float's surface positions of an Argo trajectory file as one CF trajectory file."""
    with open_dataset(input_path) as dataset:
        latitudes = variable(dataset, 'LATITUDE')
        longitudes = variable(dataset, 'LONGITUDE')
        days = variable(dataset, 'JULD')
    valid = ~(np.isnan(latitudes) | np.isnan(longitudes) | np.isnan(days))
    if valid.sum() < 2:
        raise ReaderError(f'{input_path.name} has fewer than two dated positions')
    order = np.argsort(days[valid])
    path = output_dir / f'{input_path.name.split(".")[0]}.nc'
    return [
        write_cf(
            path,
            'trajectory',
            'obs',
            int(valid.sum()),
            {
                'time': (('obs',), argo_seconds(days[valid][order]), {'units': TIME_UNITS}),
                'lat': (('obs',), latitudes[valid][order], {'units': 'degrees_north'}),
                'lon': (('obs',), longitudes[valid][order], {'units': 'degrees_east'}),
            },
            {'product': options.get('product', 'Argo_trajectories'), 'source': input_path.name},
        )
    ]
