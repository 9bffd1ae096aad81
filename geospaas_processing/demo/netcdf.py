"""Write small CF-convention netCDF files shaped like gridded sea-surface-temperature products."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class GridSpec:
    """A regular lat/lon grid: its bounds in degrees and its cell size."""

    west: float
    south: float
    east: float
    north: float
    resolution: float = 0.25

    def longitudes(self) -> np.ndarray:
        """Cell-centre longitudes, west to east."""
        return np.arange(self.west + self.resolution / 2, self.east, self.resolution)

    def latitudes(self) -> np.ndarray:
        """Cell-centre latitudes, south to north."""
        return np.arange(self.south + self.resolution / 2, self.north, self.resolution)

    def wkt(self) -> str:
        """The grid's footprint as a WKT polygon."""
        w, s, e, n = self.west, self.south, self.east, self.north
        return f'POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))'


def write_sst_file(
    path: Path,
    grid: GridSpec,
    start: datetime,
    *,
    platform: str = 'Aqua',
    instrument: str = 'MODIS',
    hours: int = 24,
    descending_lat: bool = False,
    title: str = 'Sea surface temperature',
) -> Path:
    """Write a one-time-step CF-1.8 SST file on ``grid`` and return its path.

    The temperature field is a smooth function of latitude and longitude, so a
    cropped or converted file can be checked against known values.
    """
    import netCDF4

    lons = grid.longitudes()
    lats = grid.latitudes()[::-1] if descending_lat else grid.latitudes()
    end = start + timedelta(hours=hours)
    path.parent.mkdir(parents=True, exist_ok=True)
    with netCDF4.Dataset(path, 'w', format='NETCDF4') as nc:
        nc.createDimension('time', 1)
        nc.createDimension('lat', lats.size)
        nc.createDimension('lon', lons.size)
        _coordinate(
            nc,
            'time',
            ('time',),
            'time',
            'time',
            f'seconds since {start:%Y-%m-%d %H:%M:%S}',
            np.array([0.0]),
            axis='T',
        )
        _coordinate(nc, 'lat', ('lat',), 'latitude', 'latitude', 'degrees_north', lats, axis='Y')
        _coordinate(nc, 'lon', ('lon',), 'longitude', 'longitude', 'degrees_east', lons, axis='X')
        sst = nc.createVariable(
            'analysed_sst', 'f4', ('time', 'lat', 'lon'), zlib=True, fill_value=np.float32(-999.0)
        )
        sst.standard_name = 'sea_surface_temperature'
        sst.long_name = 'analysed sea surface temperature'
        sst.units = 'kelvin'
        sst[0, :, :] = sst_field(lats, lons)
        nc.setncatts(
            {
                'Conventions': 'CF-1.8',
                'title': title,
                'summary': f'{title} on a {grid.resolution} degree grid, generated for the demo.',
                'institution': 'geospaas_processing demo',
                'platform': platform,
                'instrument': instrument,
                'time_coverage_start': start.strftime('%Y-%m-%dT%H:%M:%SZ'),
                'time_coverage_end': end.strftime('%Y-%m-%dT%H:%M:%SZ'),
                'geospatial_lat_min': grid.south,
                'geospatial_lat_max': grid.north,
                'geospatial_lon_min': grid.west,
                'geospatial_lon_max': grid.east,
            }
        )
    return path


def add_analysis_fields(path: Path, uncertainty: float = 0.3) -> Path:
    """Add the ``analysed_sst_uncertainty`` (kelvin) and ``sea_ice_fraction`` fields of L4 analyses.

    Named as in ESA SST CCI CDR3.0 L4 files (see tests/converters/product_files.py for the
    source), which the demo's analysis is named after and the IDF parameter file reads.
    """
    import netCDF4

    with netCDF4.Dataset(path, 'a') as nc:
        shape = nc['analysed_sst'].shape
        for name, units, value in (
            ('analysed_sst_uncertainty', 'kelvin', uncertainty),
            ('sea_ice_fraction', '1', 0.0),
        ):
            variable = nc.createVariable(
                name, 'f4', ('time', 'lat', 'lon'), zlib=True, fill_value=np.float32(-999.0)
            )
            variable.units = units
            variable[:] = np.full(shape, value, dtype='f4')
    return path


def sst_field(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """The demo temperature (kelvin) at each (lat, lon): warm at the equator, a zonal ripple."""
    lat2d, lon2d = np.meshgrid(lats, lons, indexing='ij')
    return (273.15 + 28 * np.cos(np.radians(lat2d)) ** 2 + np.sin(np.radians(lon2d) * 3)).astype(
        'f4'
    )


def _coordinate(
    nc,
    name: str,
    dims: tuple[str, ...],
    standard_name: str,
    long_name: str,
    units: str,
    values: np.ndarray,
    axis: str,
) -> None:
    variable = nc.createVariable(name, 'f8', dims)
    variable.standard_name = standard_name
    variable.long_name = long_name
    variable.units = units
    variable.axis = axis
    variable[:] = values
