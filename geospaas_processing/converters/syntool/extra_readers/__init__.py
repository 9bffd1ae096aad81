"""The package's GDAL readers: products ``syntool-converter`` does not convert.

Each module ``extra_readers/<type>.py`` converts one product type into a GeoTIFF shaped
like the real converter's (:mod:`.geotiff`), and is run by the Syntool tools' Python,
which has GDAL and netCDF4 (``GEOSPAAS_PROCESSING_SYNTOOL_PYTHON``), with the converter's
command line::

    <tools python> -m geospaas_processing.converters.syntool.extra_readers.<type>
        -t <type> -i IN -o OUT [-opt key=value ...]

They import nothing of the package beyond this folder and the command-line parser, so
that interpreter needs only GDAL, numpy and netCDF4.
"""
