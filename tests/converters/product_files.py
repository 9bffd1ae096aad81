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

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import netCDF4
import numpy as np

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
