"""What the GDAL readers share: the product's time, and the converter's metadata items."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import netCDF4

from geospaas_processing.converters.syntool.extra_readers.geotiff import time_text


def product_time(dataset: netCDF4.Dataset, name: str = 'time') -> datetime:
    """The product's time (the first value of its CF ``time`` variable), naive UTC."""
    variable = dataset.variables[name]
    moment = netCDF4.num2date(
        variable[0],
        variable.units,
        getattr(variable, 'calendar', 'standard'),
        only_use_cftime_datetimes=False,
        only_use_python_datetimes=True,
    )
    return moment.replace(tzinfo=None) if moment.tzinfo else moment


def converter_metadata(
    in_file: Path,
    product_name: str,
    moment: datetime,
    time_range: list[str],
    provider: str,
    parameter: str | list[str],
) -> dict[str, object]:
    """The dataset metadata items the real converter's readers write (see geotiff.py)."""
    return {
        'product_name': product_name,
        'name': in_file.name.removesuffix('.nc'),
        'datetime': time_text(moment),
        'time_range': time_range,
        'source_URI': str(in_file),
        'source_provider': provider,
        'processing_center': provider,
        'conversion_software': 'Syntool',
        'conversion_version': '0.0.0',
        'conversion_datetime': time_text(datetime.now(UTC)),
        'parameter': parameter,
    }
