"""The products Syntool portals show: which datasets, and which conversions each gets.

Converter types: the real ``syntool-converter`` (OceanDataLab, the ``TYPES`` list of
``../shared/vendor/syntool/syntool_converter/bin/syntool-converter``) knows
``sar_roughness``, ``sar_wind``, ``amsr_sea_ice_conc`` and ``odyssea_sst`` of the
types below; of those only ``amsr_sea_ice_conc`` imports on a machine without
``cerbere``'s old API, ``ceraux`` and OceanDataLab's ``sar`` package (vendor
``README.md``). The other types are not in that public converter: the package
converts some with its own readers (:func:`reader`: Argo, netCDF outputs;
:func:`gdal_reader`: ``osisaf_sea_ice_conc`` and ``current_cmems_l4``, GeoTIFFs
written by ``extra_readers/<type>.py``), and
:data:`TYPES_OUTSIDE_PUBLIC_CONVERTER` lists the rest (they need a converter that
has them, configured as ``GEOSPAAS_PROCESSING_SYNTOOL_CONVERTER``); the tests
check both against the real ``TYPES``.

Each :class:`ParameterSelector` matches datasets by their entry_id (the
provider's product name) and gives :class:`SyntoolConverter` its
``configurations``. The first matching selector wins, so specific patterns come
before general ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from geospaas_processing.converters.base import ParameterSelector
from geospaas_processing.converters.syntool.configuration import (
    GDAL_READER_TOOL,
    READER_TOOL,
    IngestParameterSelector,
    SyntoolConfiguration,
)

__all__ = ['PARAMETER_SELECTORS', 'TYPES_OUTSIDE_PUBLIC_CONVERTER', 'entry_id_matches']

# Converter types of the configurations below that OceanDataLab's public syntool-converter
# does not have (checked against its TYPES by tests/syntool/test_real_tools.py). Upstream
# django-geo-spaas-processing (its converters/syntool/ folder) shows where they come from:
# - types of a newer syntool-converter than the public snapshot, called with "-t TYPE" by its
#   parameters/convert_* files: osisaf_sea_ice_conc, osisaf_sea_ice_drift, nextsim, ...;
# - its own "extra readers" (extra_readers/*.py, run as python -m with the converter's
#   command line): duacs_sea_level_arctic, marine_heatwaves, osisaf_sea_ice_type, radarsat2,
#   roms_norkyst800, swot, topaz_forecast, topaz5_forecast_phy, topaz_reanalysis, ...
#   The types this package has its own GDAL reader for (extra_readers/<type>.py, run by
#   the tools' Python) are configured with gdal_reader() below and are not listed here;
#   the others need a converter command that knows their types.
TYPES_OUTSIDE_PUBLIC_CONVERTER = frozenset(
    {
        'duacs_sla_arctic',
        'nextsim',
        'norkyst800',
        'olci_l2',
        'osisaf_sea_ice_drift',
        'radarsat_roughness',
        'slstr',
        'slstr_sst',
        'swot',
        'topaz_forecast',
        'topaz_reanalysis',
        'cmems_l3_along_track',
    }
)

TILES = 'ingest_geotiff_3413_tiles'
RASTER = 'ingest_geotiff_3413_raster'
VECTOR_FIELD = 'ingest_netcdf_3413_vectorfield'
TRAJECTORY = 'ingest_netcdf_3413_trajectory'
PROFILE = 'ingest_netcdf_3413_profile'
ALONG_TRACK = 'ingest_netcdf_3413_along_track'
SWATH = 'ingest_netcdf_4326_swath'


def entry_id_matches(pattern: str, flags: int = 0) -> Callable[[Any], bool]:
    """A selector predicate: the dataset's entry_id matches ``pattern`` (from its start)."""
    compiled = re.compile(pattern, flags)
    return lambda dataset: compiled.match(dataset.entry_id) is not None


def conversion(
    name: str, converter_type: str | None, ingest: Any, **options: str
) -> SyntoolConfiguration:
    """A syntool-converter configuration; ``name`` is for messages only.

    The portal product is named by the converter (its ``product_name`` tag, e.g.
    ``AMSR_sea_ice_concentration``) and the ingestor (``<EPSG>_<product_name>``),
    not by this configuration. ``options`` are the converter's own ``-opt`` names
    (``parse_options`` in the real ``bin/syntool-converter``: any other name is
    "Unknown option").
    """
    return SyntoolConfiguration(
        name=name,
        converter_type=converter_type,
        ingest_parameters=ingest,
        converter_options=options if converter_type else {},
    )


def reader(name: str, reader_type: str, ingest: Any, **options: str) -> SyntoolConfiguration:
    """A configuration running one of this package's custom readers."""
    return SyntoolConfiguration(
        name=name,
        converter_type=reader_type,
        ingest_parameters=ingest,
        converter_options={'product': name, **options},
        tool=READER_TOOL,
    )


def gdal_reader(name: str, reader_type: str, ingest: Any, **options: str) -> SyntoolConfiguration:
    """A configuration running one of this package's GDAL readers (``extra_readers/<type>.py``).

    The portal product is named by the reader's ``product_name``, as with the converter.
    """
    return SyntoolConfiguration(
        name=name,
        converter_type=reader_type,
        ingest_parameters=ingest,
        converter_options=options,
        tool=GDAL_READER_TOOL,
    )


def select(
    pattern: str, *configurations: SyntoolConfiguration, flags: int = 0
) -> ParameterSelector:
    """Datasets whose entry_id matches ``pattern`` get these configurations."""
    return ParameterSelector(
        matches=entry_id_matches(pattern, flags), configurations=tuple(configurations)
    )


SENTINEL1 = (
    select(
        r'S1[A-D]_(IW|EW|SM|WV)_GRD[HMF]_',
        conversion('Sentinel1_roughness', 'sar_roughness', TILES),
    ),
    select(
        r'S1[A-D]_(IW|EW|SM)_SLC__',
        conversion('Sentinel1_roughness', 'sar_roughness', TILES),
    ),
    select(r'S1[A-D]_(IW|EW|SM|WV)_OCN__', conversion('Sentinel1_wind', 'sar_wind', TILES)),
)

SENTINEL3 = (
    select(
        r'S3[A-D]_OL_2_WFR',
        conversion('Sentinel3_OLCI_chlorophyll', 'olci_l2', TILES, channels='CHL_OC4ME'),
        conversion('Sentinel3_OLCI_true_color', 'olci_l2', TILES, channels='true_rgb'),
        conversion('Sentinel3_OLCI_false_color', 'olci_l2', TILES, channels='false_rgb'),
    ),
    select(
        r'S3[A-D]_SL_1_RBT',
        conversion('Sentinel3_SLSTR_radiances', 'slstr', TILES, channels='S1,S2,S3'),
    ),
    select(r'S3[A-D]_SL_2_WST', conversion('Sentinel3_SLSTR_SST', 'slstr_sst', TILES)),
)

SEA_ICE = (
    select(
        r'ice_conc_[ns]h_',
        gdal_reader('OSISAF_sea_ice_concentration', 'osisaf_sea_ice_conc', TILES),
    ),
    select(
        r'ice_drift_[ns]h_',
        conversion(
            'OSISAF_sea_ice_drift',
            'osisaf_sea_ice_drift',
            (
                IngestParameterSelector(r'_lr_', (VECTOR_FIELD,)),
                IngestParameterSelector(r'.', (VECTOR_FIELD, RASTER)),
            ),
        ),
    ),
    select(r'ice_type_[ns]h_', gdal_reader('OSISAF_sea_ice_type', 'osisaf_sea_ice_type', RASTER)),
    select(
        r'asi-AMSR2-n\d+', conversion('AMSR2_sea_ice_concentration', 'amsr_sea_ice_conc', TILES)
    ),
    select(
        r'(Moorings|nextsim|NEXTSIM)',
        conversion('neXtSIM_sea_ice_concentration', 'nextsim', TILES, variable='sic'),
        conversion('neXtSIM_sea_ice_thickness', 'nextsim', TILES, variable='sit'),
        conversion('neXtSIM_sea_ice_drift', 'nextsim', VECTOR_FIELD, variable='drift'),
    ),
)

# Global grids (here and in SST) are cut at 50 N for the EPSG:3413 portal: the real
# ingestor fails on a global grid there ("Not valid simplified shape",
# tests/syntool/test_extra_readers.py), as upstream noted ("needs cropping beforehand to
# work in projection 3413").
CMEMS_L4 = (
    select(
        r'(dataset-uv-nrt|cmems_obs-mob_glo_phy-cur_(nrt|my)_)',
        gdal_reader('CMEMS_L4_currents', 'current_cmems_l4', VECTOR_FIELD, min_latitude='50'),
    ),
    select(
        r'(nrt|dt)_global_allsat_phy_l4_',
        gdal_reader('CMEMS_L4_SLA', 'sla_cmems_l4', TILES, min_latitude='50'),
        gdal_reader(
            'CMEMS_L4_geostrophic_currents',
            'current_cmems_l4',
            VECTOR_FIELD,
            source='sla',
            min_latitude='50',
        ),
    ),
    select(
        r'(nrt|dt)_arctic_.*sea_level',
        conversion('DUACS_Arctic_sea_level', 'duacs_sla_arctic', TILES),
    ),
)

SST = (
    select(r'\d{14}-IFR-L4_GHRSST-SSTfnd-ODYSSEA', conversion('ODYSSEA_SST', 'odyssea_sst', TILES)),
    select(
        r'\d{14}-REMSS-L4_GHRSST-SSTfnd-MW',
        gdal_reader('REMSS_MWOI_SST', 'remss_l4_mw_sst', TILES, min_latitude='50'),
    ),
    select(
        r'\d{14}-UKMO-L4_GHRSST-SSTfnd-OSTIA',
        gdal_reader('OSTIA_SST', 'ostia_sst', TILES, min_latitude='50'),
    ),
    # noaa-crw_mhw_: the entry_ids upstream's harvested NOAA CRW datasets have.
    select(
        r'(noaa-crw_mhw_|mhw_|marine_heatwaves?_)',
        gdal_reader('NOAA_CRW_marine_heatwaves', 'marine_heatwaves', TILES, min_latitude='50'),
    ),
)

IN_SITU = (
    select(r'B[RD]\d{7}_\d{3}D?$', reader('BioArgo_profiles', 'argo_profile', PROFILE, bio='true')),
    select(r'[RD]\d{7}_\d{3}D?$', reader('Argo_profiles', 'argo_profile', PROFILE)),
    select(
        r'\d{7}_B[RD]traj$',
        reader('BioArgo_trajectories', 'argo_trajectory', TRAJECTORY, bio='true'),
    ),
    select(r'\d{7}_[RD]traj$', reader('Argo_trajectories', 'argo_trajectory', TRAJECTORY)),
)

# No GDAL reader for the model grids (TOPAZ, NorKyst-800; neXtSIM in SEA_ICE): their
# stereographic grids (TOPAZ: true at 90 N on a 6378273 m sphere, the proj4 string
# upstream's extra_readers/topaz_utils.py uses) are none of the polar projections the
# real ingestor reads (EPSG 3411/3412/3413/3976, see extra_readers/osisaf_grid.py), so a
# reader would have to resample them to EPSG:3413, as upstream's readers do (gdal.Warp in
# their projection_workaround); that resampling is not written here yet.
MODELS = (
    select(
        r'RS2_\w+_(SCW|SCN|SGF|SSG|SGX|SCWA|SCNA)',
        conversion('Radarsat2_roughness', 'radarsat_roughness', TILES),
    ),
    select(
        r'NorKyst-800m_',
        conversion('NorKyst800_SST', 'norkyst800', TILES, variable='temperature'),
        conversion('NorKyst800_currents', 'norkyst800', VECTOR_FIELD, variable='current'),
    ),
    select(
        r'.*(topaz4b?-ARC-(RAN|myint)|TOPAZ4B?-ARC-RAN)',
        conversion('TOPAZ_reanalysis_SST', 'topaz_reanalysis', TILES, variable='temperature'),
        conversion('TOPAZ_reanalysis_sea_ice', 'topaz_reanalysis', TILES, variable='fice'),
        flags=re.IGNORECASE,
    ),
    select(
        r'.*topaz[45]-ARC-b\d{8}',
        conversion('TOPAZ_forecast_SST', 'topaz_forecast', TILES, variable='temperature'),
        conversion('TOPAZ_forecast_sea_ice', 'topaz_forecast', TILES, variable='fice'),
        conversion('TOPAZ_forecast_currents', 'topaz_forecast', VECTOR_FIELD, variable='current'),
        flags=re.IGNORECASE,
    ),
)

# Mission name in the product: pattern of the mission in CMEMS L3 along-track entry_ids.
ALTIMETRY_MISSIONS = {
    'al': 'al',
    'c2': 'c2n?',
    'h2b': 'h2b',
    'h2c': 'h2c',
    'j3': 'j3n?',
    's3a': 's3a',
    's3b': 's3b',
    's6a': 's6a(_hr)?',
    'swon': 'swon',
}

ALTIMETRY = (
    select(r'SWOT_L[23]_LR_SSH_', conversion('SWOT_SSH', 'swot', SWATH)),
    *(
        select(
            rf'(nrt|dt)_global_{pattern}_phy_(l3|vfec)_',
            conversion(
                f'CMEMS_L3_along_track_{mission}',
                'cmems_l3_along_track',
                ALONG_TRACK,
                mission=mission,
            ),
        )
        for mission, pattern in ALTIMETRY_MISSIONS.items()
    ),
)

PARAMETER_SELECTORS: tuple[ParameterSelector, ...] = (
    *SENTINEL1,
    *SENTINEL3,
    *SEA_ICE,
    *CMEMS_L4,
    *SST,
    *IN_SITU,
    *MODELS,
    *ALTIMETRY,
)
