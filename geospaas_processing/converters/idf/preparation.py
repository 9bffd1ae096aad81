"""Copies of inputs made ready for idf-converter where its reader cannot be told enough.

Each preparation writes a copy of the input file under the same name (idf-converter
names the granule after the file) in a scratch folder, changes what the reader would
get wrong, and never touches the original:

- ``cmems_qc_as_bit_flags``: the ``cmems/drifter`` reader tests ``*_QC`` variables as
  bit masks (bit 3, 4 or 9 set means bad), whereas CMEMS in situ QC variables are
  enumerations (3 bad but potentially correctable, 4 bad, 9 missing). Each QC value
  is rewritten to one the reader reads right: 8 (bit 3) for the bad values, 1 for
  the others.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

CMEMS_BAD_QC = (3, 4, 9)
_READER_BAD, _READER_GOOD = 8, 1


def cmems_qc_as_bit_flags(path: Path) -> None:
    """Rewrite every ``*_QC`` variable so that bit tests give the enumeration's meaning."""
    import netCDF4
    import numpy as np

    with netCDF4.Dataset(path, 'a') as dataset:
        for name, variable in dataset.variables.items():
            if not name.endswith('_QC'):
                continue
            values = variable[:]
            bad = np.isin(np.ma.filled(values, 0), CMEMS_BAD_QC)
            rewritten = np.where(bad, _READER_BAD, _READER_GOOD).astype(variable.dtype)
            variable[:] = np.ma.masked_where(np.ma.getmaskarray(values), rewritten)


PREPARATIONS: dict[str, Callable[[Path], None]] = {
    'cmems_qc_as_bit_flags': cmems_qc_as_bit_flags,
}


def prepared_copy(preparation: str, source: Path, scratch_directory: Path) -> Path:
    """A copy of ``source`` in ``scratch_directory``, same name, with ``preparation`` applied.

    Raises:
        KeyError: ``preparation`` is not one of :data:`PREPARATIONS`.
    """
    prepare = PREPARATIONS[preparation]
    copy = scratch_directory / source.name
    shutil.copyfile(source, copy)
    prepare(copy)
    return copy
