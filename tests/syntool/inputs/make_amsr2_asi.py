"""Write a synthetic University of Bremen ASI AMSR2 sea-ice concentration file (HDF4).

Run with an interpreter that has pyhdf (``.venv-syntool/bin/python``, which the
real tools need anyway): ``make_amsr2_asi.py OUTPUT.hdf``.

Layout, and where it comes from:
- file name ``asi-AMSR2-n6250-YYYYMMDD-v5.hdf``: the file patterns listed in the real
  reader, ``syntool_converter/sea_ice/amsr_sea_ice_conc.py`` (vendor reference);
- one HDF4 scientific data set named ``ASI Ice Concentration`` of float32 percentages,
  NaN over land and 0 for open water, whose ``long_name`` attribute holds five
  comma-separated fields, the 2nd the date (YYYYMMDD) and the 4th the sensor
  (``AMSR2``): what that reader parses; no public description of the attribute's exact
  text was available here, so the other fields are placeholders;
- 1792 rows x 1216 columns, the NSIDC 6.25 km polar stereographic north grid whose
  geotransform the reader hard-codes ([-3850000, 6250, 0, 5850000, 0, -6250]: x from
  -3850000 to 3750000 m, y from 5850000 to -5350000 m), stored south row first (the
  reader flips it).
"""

import sys

import numpy as np
from pyhdf.SD import SD, SDC

ROWS, COLUMNS = 1792, 1216
DATE = '20240301'


def concentration() -> np.ndarray:
    """Ice around the pole (100 % at the centre, 0 beyond ~1800 km), land in a corner."""
    x = -3850000 + 6250 * (np.arange(COLUMNS) + 0.5)
    y = 5850000 - 6250 * (np.arange(ROWS) + 0.5)
    xx, yy = np.meshgrid(x, y)
    distance = np.hypot(xx, yy)
    values = np.clip(100 * (1 - distance / 1.8e6), 0, 100).astype('float32')
    values[:200, :200] = np.nan  # land (north-west corner of the grid)
    return values[::-1]  # the file holds the southernmost row first


def main(path: str) -> None:
    hdf = SD(path, SDC.WRITE | SDC.CREATE)
    data = concentration()
    sds = hdf.create('ASI Ice Concentration', SDC.FLOAT32, data.shape)
    sds.long_name = f'ASI Ice Concentration, {DATE}, Arctic, AMSR2, 6.25 km'
    sds.units = '%'
    sds[:] = data
    sds.endaccess()
    hdf.end()


if __name__ == '__main__':
    main(sys.argv[1])
