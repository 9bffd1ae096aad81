"""UKMO OSTIA GHRSST L4 foundation SST (type ``ostia_sst``): see :mod:`.ghrsst_l4`."""

from __future__ import annotations

import sys
from functools import partial

from geospaas_processing.converters.syntool.extra_readers import cli
from geospaas_processing.converters.syntool.extra_readers.ghrsst_l4 import convert_analysis

READER_TYPE = 'ostia_sst'
PRODUCT_NAME = 'OSTIA_SST'
convert = partial(convert_analysis, PRODUCT_NAME)

if __name__ == '__main__':
    sys.exit(cli.run(READER_TYPE, convert))
