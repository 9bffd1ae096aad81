"""The products converted to IDF: which entry_ids, which parameter files, which inputs.

Each :class:`IDFProduct` matches datasets by a regular expression on their
``entry_id`` (the provider's product or file name) and names the parameter files
(in ``parameters/``) idf-converter runs with. ``inputs`` is set for products whose
download is a directory holding several files to convert one by one.
:data:`NOT_CONVERTIBLE` lists products that idf-converter refuses, with the reason
given to the user instead of a failed run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from geospaas_processing.converters.base import ParameterSelector

if TYPE_CHECKING:
    from geospaas_processing.catalog.models import Dataset


@dataclass(frozen=True)
class IDFProduct:
    """One product: its name, entry_id pattern, parameter files and inputs.

    ``preparation`` names a step of :mod:`geospaas_processing.converters.idf.preparation`
    run on a copy of each input before idf-converter reads it.
    """

    name: str
    entry_id_pattern: str
    parameter_files: tuple[str, ...]
    inputs: str | None = None
    auxiliary_files: dict[str, str] = field(default_factory=dict)
    preparation: str | None = None

    def matches(self, dataset: Dataset) -> bool:
        """Whether the dataset's entry_id matches the product's pattern."""
        return re.search(self.entry_id_pattern, dataset.entry_id) is not None

    def selector(self) -> ParameterSelector:
        """The selector giving the product's converter parameters."""
        parameters: dict[str, object] = {'parameter_files': self.parameter_files}
        if self.inputs is not None:
            parameters['inputs'] = self.inputs
        if self.auxiliary_files:
            parameters['auxiliary_files'] = dict(self.auxiliary_files)
        if self.preparation is not None:
            parameters['preparation'] = self.preparation
        return ParameterSelector(matches=self.matches, **parameters)


@dataclass(frozen=True)
class UnconvertibleProduct:
    """A product that matches the catalog but that idf-converter cannot convert, and why."""

    name: str
    entry_id_pattern: str
    reason: str

    def matches(self, dataset: Dataset) -> bool:
        """Whether the dataset's entry_id matches the product's pattern."""
        return re.search(self.entry_id_pattern, dataset.entry_id) is not None


_GHRSST_SATELLITES = r'(NPP|N20|N21)'
_L2P = '-L2P_GHRSST-'
_L3C_OSISAF = '-OSISAF-L3C_GHRSST-SSTsubskin-'
_L3U_REMSS = '-REMSS-L3U_GHRSST-SSTsubskin-'
_CMEMS_QC = 'cmems_qc_as_bit_flags'

PRODUCTS: tuple[IDFProduct, ...] = (
    # Sentinel-1, -2, -3: product directories (SAFE, SEN3)
    IDFProduct(
        'Sentinel-1 L1 GRD',
        r'^S1[A-D]_(IW|EW|WV|S[1-6])_GRD[HMF]_1S',
        ('sentinel1_l1_grd.cfg',),
        inputs='measurement/*.tiff',
    ),
    IDFProduct(
        'Sentinel-1 L1 SLC',
        r'^S1[A-D]_(IW|EW|WV|S[1-6])_SLC__1S',
        ('sentinel1_l1_slc.cfg',),
        inputs='measurement/*.tiff',
    ),
    IDFProduct(
        'Sentinel-1 L2 OCN radial velocity',
        r'^S1[A-D]_(IW|EW|WV|S[1-6])_OCN__2S',
        ('sentinel1_l2_ocn_rvl.cfg',),
        inputs='measurement/*.nc',
    ),
    IDFProduct(
        'Sentinel-2 L1C', r'^S2[A-D]_MSIL1C_', ('sentinel2_l1c.cfg',), inputs='GRANULE/L1C_*'
    ),
    IDFProduct('Sentinel-3 OLCI L1 EFR', r'^S3[A-D]_OL_1_EFR_', ('sentinel3_olci_l1_efr.cfg',)),
    IDFProduct(
        'Sentinel-3 OLCI L2 WFR chlorophyll',
        r'^S3[A-D]_OL_2_WFR_',
        ('sentinel3_olci_l2_wfr_chl.cfg',),
    ),
    IDFProduct(
        'Sentinel-3 SLSTR L1 RBT SST',
        r'^S3[A-D]_SL_1_RBT_',
        ('sentinel3_slstr_l1_rbt_sst.cfg',),
        auxiliary_files={'sst_coeffs_path': 'slstr_sst_coefficients'},
    ),
    IDFProduct(
        # Only the NR timeliness: see NOT_CONVERTIBLE for NT.
        'Sentinel-3 SLSTR L2 WST (NR)',
        r'^S3[A-D]_SL_2_WST_.*_NR_\d{3}',
        ('sentinel3_slstr_l2_wst.cfg',),
        inputs='*.nc',
        preparation='ghrsst_low_quality_as_bad',
    ),
    # Copernicus Marine
    IDFProduct(
        'CMEMS 008_046 sea level',
        r'^nrt_global_allsat_phy_l4_\d{8}_\d{8}',
        ('cmems_008_046_sea_level.cfg',),
    ),
    IDFProduct(
        'CMEMS 001_024 hourly mean surface',
        r'^mercatorpsy4v3r1_gl12_hrly_\d{8}_R\d{8}',
        ('cmems_001_024_hourly_mean_surface.cfg',),
    ),
    IDFProduct(
        'CMEMS 001_024 hourly SMOC', r'^SMOC_\d{8}_R\d{8}', ('cmems_001_024_hourly_smoc.cfg',)
    ),
    IDFProduct(
        'CMEMS 001_028 daily mean',
        r'^mercatorbiomer4v2r1_global_mean_\d{8}',
        ('cmems_001_028_daily_mean.cfg',),
    ),
    # In situ files of the monthly directory (GL_TS_DB_<platform>_<YYYYMM>) and of the
    # "latest" directory (GL_LATEST_TS_DB_<platform>_<YYYYMMDD>), both part of the product.
    IDFProduct(
        'CMEMS 013_030 drifters',
        r'^GL_(LATEST_)?TS_DB_',
        ('cmems_013_030_drifter_0m.cfg', 'cmems_013_030_drifter_15m.cfg'),
        preparation=_CMEMS_QC,
    ),
    IDFProduct(
        'CMEMS 013_048 drifters',
        r'^GL_(LATEST_)?TS_DC_',
        ('cmems_013_048_drifter_0m.cfg', 'cmems_013_048_drifter_15m.cfg'),
        preparation=_CMEMS_QC,
    ),
    IDFProduct('CMEMS 013_048 HF radar totals', r'^GL_TV_HF_', ('cmems_013_048_radar_total.cfg',)),
    IDFProduct(
        'CMEMS 015_003 hourly currents',
        r'^dataset-uv-nrt-hourly_',
        ('cmems_015_003_hourly_0m.cfg', 'cmems_015_003_hourly_15m.cfg'),
    ),
    IDFProduct(
        'CMEMS 015_003 daily currents',
        r'^dataset-uv-nrt-daily_',
        ('cmems_015_003_daily_0m.cfg', 'cmems_015_003_daily_15m.cfg'),
    ),
    IDFProduct(
        'CMEMS IBI hourly mean surface',
        r'_IBI_PHY_NRT_PdE_01hav_',
        ('ibi_hourly_mean_surface.cfg',),
    ),
    IDFProduct('CMEMS MFS currents', r'-CMCC--RFVL-MFS', ('mfs_med_currents.cfg',)),
    IDFProduct('CMEMS MFS sea surface height', r'-CMCC--ASLV-MFS', ('mfs_med_ssh.cfg',)),
    IDFProduct('CMEMS MFS temperature', r'-CMCC--TEMP-MFS', ('mfs_med_temperature.cfg',)),
    # Sea surface temperature
    IDFProduct('ESA CCI SST L4', r'-ESACCI-L4_GHRSST-SST', ('esa_cci_sst_l4.cfg',)),
    IDFProduct(
        'GHRSST L4 UKMO OSTIA',
        r'-UKMO-L4_GHRSST-SSTfnd-OSTIA-GLOB-',
        ('ghrsst_l4_ostia.cfg',),
    ),
    IDFProduct(
        'GHRSST L4 REMSS MW_OI',
        r'-REMSS-L4_GHRSST-SSTfnd-MW_OI-GLOB-',
        ('ghrsst_l4_mw_oi.cfg',),
    ),
    IDFProduct(
        'GHRSST L2P MODIS-A day',
        rf'-(JPL|OBPG){_L2P}SSTskin-MODIS_A-D-',
        ('ghrsst_l2p_modis_a_day.cfg',),
    ),
    IDFProduct(
        'GHRSST L2P MODIS-A night',
        rf'-(JPL|OBPG){_L2P}SSTskin-MODIS_A-N-',
        ('ghrsst_l2p_modis_a_night.cfg',),
    ),
    IDFProduct(
        'GHRSST L2P VIIRS JPL',
        rf'-JPL{_L2P}SSTskin-VIIRS_{_GHRSST_SATELLITES}-[DN]-',
        ('ghrsst_l2p_viirs_jpl.cfg',),
    ),
    IDFProduct(
        'GHRSST L2P VIIRS NAVO',
        rf'-NAVO{_L2P}SST1m-VIIRS_{_GHRSST_SATELLITES}-',
        ('ghrsst_l2p_viirs_navo.cfg',),
    ),
    IDFProduct(
        'GHRSST L2P VIIRS OSPO/STAR',
        rf'-(OSPO|STAR){_L2P}SSTsubskin-VIIRS_{_GHRSST_SATELLITES}-ACSPO',
        ('ghrsst_l2p_viirs_ospo.cfg',),
    ),
    IDFProduct(
        'GHRSST L3C AVHRR MetOp-B',
        rf'{_L3C_OSISAF}AVHRR_SST_METOP_B_GLB-',
        ('ghrsst_l3c_avhrr_metop_b.cfg',),
    ),
    IDFProduct(
        'GHRSST L3C GOES-16',
        rf'{_L3C_OSISAF}GOES16-',
        ('ghrsst_l3c_goes16.cfg',),
    ),
    IDFProduct(
        'GHRSST L3C GOES-17',
        rf'{_L3C_OSISAF}GOES17-',
        ('ghrsst_l3c_goes17.cfg',),
    ),
    IDFProduct(
        'GHRSST L3C GOES-18',
        rf'{_L3C_OSISAF}GOES18-',
        ('ghrsst_l3c_goes18.cfg',),
    ),
    IDFProduct(
        'GHRSST L3C SEVIRI Atlantic',
        rf'{_L3C_OSISAF}SEVIRI_SST-',
        ('ghrsst_l3c_seviri_atlantic.cfg',),
    ),
    IDFProduct(
        'GHRSST L3C SEVIRI Indian Ocean',
        rf'{_L3C_OSISAF}SEVIRI_IO_SST-',
        ('ghrsst_l3c_seviri_indian_ocean.cfg',),
    ),
    IDFProduct(
        'GHRSST L3U AMSR2',
        rf'{_L3U_REMSS}AMSR2-',
        ('ghrsst_l3u_amsr2.cfg',),
    ),
    IDFProduct(
        'GHRSST L3U GMI',
        rf'{_L3U_REMSS}GMI-',
        ('ghrsst_l3u_gmi.cfg',),
    ),
    # Ocean and wave models
    # GOFS 3.1 files hold one group of variables each (..._uv3z, ..._ts3z).
    IDFProduct('HYCOM currents (uv3z)', r'^hycom_glb[uvy].*_uv3z', ('hycom_uv3z.cfg',)),
    IDFProduct(
        'HYCOM temperature and salinity (ts3z)', r'^hycom_glb[uvy].*_ts3z', ('hycom_ts3z.cfg',)
    ),
    IDFProduct('RTOFS diagnostic', r'^rtofs_glo_2ds_[fn]\d{3}_diag', ('rtofs_diagnostic.cfg',)),
    IDFProduct('RTOFS prognostic', r'^rtofs_glo_2ds_[fn]\d{3}_prog', ('rtofs_prognostic.cfg',)),
    IDFProduct('Meteo-France MFWAM', r'^mfwamglocep_\d{10}', ('mfwam.cfg',)),
)

NOT_CONVERTIBLE: tuple[UnconvertibleProduct, ...] = (
    UnconvertibleProduct(
        'Sentinel-3 SLSTR L2 WST (NT)',
        r'^S3[A-D]_SL_2_WST_.*_NT_\d{3}',
        "idf-converter's sentinel3/slstr/L2 reader converts only the NR (near real time) "
        'timeliness and refuses NT (non time critical) products (TimelinessNotSupported); '
        'select the NR product of the same pass instead',
    ),
)

SINGLE_INPUT_SELECTORS: tuple[ParameterSelector, ...] = tuple(
    product.selector() for product in PRODUCTS if product.inputs is None
)
MULTI_INPUT_SELECTORS: tuple[ParameterSelector, ...] = tuple(
    product.selector() for product in PRODUCTS if product.inputs is not None
)
