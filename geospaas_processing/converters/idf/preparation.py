"""Copies of inputs made ready for idf-converter where its reader cannot be told enough.

Each preparation writes a copy of the input file under the same name (idf-converter
names the granule after the file) in a scratch folder, with the product's
``xfdumanifest.xml`` beside it when there is one (the Sentinel-3 readers read it),
changes what the reader would get wrong, and never touches the original:

- ``ghrsst_low_quality_as_bad``: the ``sentinel3/slstr/L2`` reader masks pixels of
  ``quality_level`` 2 or less and ignores flag options, so it keeps quality 3 ("low
  quality"); GDS 2.0 good quality is 4 or 5. Quality 3 is rewritten to 2.

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
GHRSST_LOW_QUALITY, GHRSST_WORST_QUALITY = 3, 2
SAFE_MANIFEST = 'xfdumanifest.xml'
_READER_BAD, _READER_GOOD = 8, 1


def ghrsst_low_quality_as_bad(path: Path) -> None:
    """Rewrite ``quality_level`` 3 (low quality) as 2 (worst quality), in place."""
    import netCDF4

    with netCDF4.Dataset(path, 'a') as dataset:
        quality = dataset['quality_level']
        quality.set_auto_maskandscale(False)
        values = quality[:]
        values[values == GHRSST_LOW_QUALITY] = GHRSST_WORST_QUALITY
        quality[:] = values


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
    'ghrsst_low_quality_as_bad': ghrsst_low_quality_as_bad,
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
    manifest = source.parent / SAFE_MANIFEST
    if manifest.is_file():
        shutil.copyfile(manifest, scratch_directory / SAFE_MANIFEST)
    prepare(copy)
    return copy
