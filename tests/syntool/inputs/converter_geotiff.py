"""Write a GeoTIFF shaped like syntool-converter's, with the real converter's own writer.

Run with the tools' interpreter (``.venv-syntool/bin/python``): it imports
``syntool_converter.utils.syntoolformat`` and calls ``format_tifffilename`` and
``write_geotiff`` exactly as the real readers do (e.g.
``syntool_converter/smos/smos_l3_bec_sss.py``, ``sea_ice/amsr_sea_ice_conc.py``), so
the file's tags and layout are the converter's: compare
``../shared/vendor/syntool/reference/converter_tiff.gdalinfo.txt`` (``product_name``,
``name``, ``datetime``, ``time_range``, ``source_*``, ``conversion_*``, ``parameter``;
one Byte band with a palette, nodata 255, scale/offset, unit, ``parameter_range``).
Only the values are synthetic: a regular EPSG:4326 grid over the given box.
With ``--vector``, two bands, velocity then direction, as the real current readers write
them (``syntool_converter/current/mercator_current.py``: ``current velocity`` in m/s and
``current direction`` in degrees, both Byte with nodata 255).

Usage: ``converter_geotiff.py OUT_DIR PRODUCT NAME WEST SOUTH EAST NORTH [--keep-output]
[--vector]`` prints the written file's path.
"""

import os
import sys
from datetime import datetime

import numpy as np
import syntool_converter.utils.syntoolformat as stfmt
from osgeo import osr

RESOLUTION = 0.25


def write(
    out_dir: str,
    product: str,
    name: str,
    box: tuple[float, float, float, float],
    keep_output: bool = False,
    vector: bool = False,
) -> str:
    west, south, east, north = box
    columns = round((east - west) / RESOLUTION)
    rows = round((north - south) / RESOLUTION)
    metadata = {
        'product_name': product,
        'name': name,
        'datetime': stfmt.format_time(datetime(2024, 3, 1, 12)),
        'time_range': ['-12h', '+12h'],
        'source_URI': name,
        'source_provider': 'synthetic stand-in input',
        'processing_center': '',
        'conversion_software': 'Syntool',
        'conversion_version': '0.0.0',
        'conversion_datetime': stfmt.format_time(datetime(2024, 3, 2)),
        'parameter': 'synthetic parameter',
    }
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    geolocation = {
        'projection': srs.ExportToWkt(),
        'geotransform': [west, RESOLUTION, 0, north, 0, -RESOLUTION],
    }
    yy, xx = np.meshgrid(np.linspace(0, 1, rows), np.linspace(0, 1, columns), indexing='ij')
    array = np.round(254 * (0.5 * xx + 0.5 * yy)).astype('uint8')
    array[: rows // 5, : columns // 5] = 255  # a no-data corner
    band = [
        {
            'array': array,
            'scale': 1 / 254.0,
            'offset': 0.0,
            'description': 'synthetic parameter',
            'unittype': '1',
            'nodatavalue': 255,
            'parameter_range': [0.0, 1.0],
            'colortable': stfmt.format_colortable(
                'rainbow', vmin=0.0, vmax=1.0, vmin_pal=0.0, vmax_pal=1.0
            ),
        }
    ]
    if vector:
        band = [
            dict(band[0], description='current velocity', unittype='m/s'),
            {
                'array': np.where(array == 255, 255, np.round(array * 0.25)).astype('uint8'),
                'scale': 360.0 / 254.0,
                'offset': 0.0,
                'description': 'current direction',
                'unittype': 'deg',
                'nodatavalue': 255,
                'parameter_range': [0, 360.0],
            },
        ]
    if keep_output:
        os.environ['SYNTOOL_CONVERTER_KEEP_OUTPUT'] = '1'
    path = stfmt.format_tifffilename(out_dir, metadata, create_dir=True)
    stfmt.write_geotiff(path, metadata, geolocation, band)
    return path


if __name__ == '__main__':
    out, product, granule, *numbers = sys.argv[1:8]
    box = tuple(map(float, numbers))
    print(write(out, product, granule, box, '--keep-output' in sys.argv, '--vector' in sys.argv))
