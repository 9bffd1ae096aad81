"""Row 8: crop of a 10 MB netCDF, against ``ncks -d`` (target: ours <= 1.5x ncks).

A CF netCDF-4 file (two float32 variables on a 0.25-degree global grid, about 10 MB) is
cropped to the same box alternately by NCO's ``ncks -d lat,... -d lon,...`` and by a
Python process calling ``geospaas_processing.ops.crop`` (start-up included, as a Celery
worker's first crop or a script would pay it).

    .venv/bin/python benchmarks/crop_netcdf.py [--quick] [--runs 7]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import _harness as h

MAKE_FILE = r"""
import sys
import numpy as np
import netCDF4
with netCDF4.Dataset(sys.argv[1], 'w', format='NETCDF4') as dataset:
    dataset.Conventions = 'CF-1.8'
    dataset.createDimension('lat', 720)
    dataset.createDimension('lon', 1440)
    lat = dataset.createVariable('lat', 'f4', ('lat',))
    lat.units, lat.standard_name = 'degrees_north', 'latitude'
    lat[:] = np.linspace(-89.875, 89.875, 720)
    lon = dataset.createVariable('lon', 'f4', ('lon',))
    lon.units, lon.standard_name = 'degrees_east', 'longitude'
    lon[:] = np.linspace(-179.875, 179.875, 1440)
    rng = np.random.default_rng(0)
    for name in ('sst', 'wind_speed'):
        variable = dataset.createVariable(name, 'f4', ('lat', 'lon'))
        variable.units = 'K' if name == 'sst' else 'm s-1'
        variable[:] = rng.random((720, 1440), dtype=np.float32)
"""

CROP = (
    'import sys; from geospaas_processing.ops.crop import crop; '
    'crop(sys.argv[1], [-20, 10, 20, -10], sys.argv[2])'
)
# The worker's case: one process crops many files, paying the start-up once.
CROP_MANY = (
    'import sys; from geospaas_processing.ops.crop import crop; '
    '[crop(sys.argv[1], [-20, 10, 20, -10], f"{sys.argv[2]}/{index}") '
    'for index in range(int(sys.argv[3]))]'
)
NCKS_MANY = 'for index in $(seq "$4"); do "$1" -O -d lat,-10.,10. -d lon,-20.,20. "$2" "$3"; done'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='3 runs')
    parser.add_argument('--runs', type=int, help='timed runs of each (default 7; quick 3)')
    parser.add_argument('--crops', type=int, default=20, help='crops per process, warm case')
    arguments = parser.parse_args()
    runs = arguments.runs or (3 if arguments.quick else 7)
    ncks = h.need('ncks', 'nco')
    with tempfile.TemporaryDirectory(prefix='bench_crop_', dir='/var/tmp') as root:
        root_path = Path(root)
        source = root_path / 'grid.nc'
        subprocess.run([sys.executable, '-c', MAKE_FILE, str(source)], check=True)
        out, ncks_out = root_path / 'out', root_path / 'ncks.nc'
        comparison = h.alternate(
            f'8. crop of a {source.stat().st_size / 1e6:.0f} MB netCDF, one process per crop',
            'ncks -d',
            lambda: h.timed(
                [ncks, '-O', '-d', 'lat,-10.,10.', '-d', 'lon,-20.,20.', str(source), str(ncks_out)]
            ),
            lambda: h.timed([sys.executable, '-c', CROP, str(source), str(out)]),
            runs,
            before_each=lambda: h.remove(ncks_out, out),
        )
        crops = arguments.crops
        warm = h.alternate(
            f'8b. {crops} crops of the same file: {crops} ncks runs, one Python process',
            'ncks -d',
            lambda: h.timed(
                ['sh', '-c', NCKS_MANY, 'sh', ncks, str(source), str(ncks_out), str(crops)]
            ),
            lambda: h.timed([sys.executable, '-c', CROP_MANY, str(source), str(out), str(crops)]),
            runs,
            before_each=lambda: h.remove(ncks_out, out),
        )
    comparison.print('<= 1.5')
    comparison.save('crop_netcdf')
    warm.print('<= 1.5')
    warm.save('crop_netcdf_warm', crops=crops)


if __name__ == '__main__':
    main()
