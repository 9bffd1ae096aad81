"""Side-by-side model and in-situ profiles for Syntool: a custom reader, then ingestion."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geospaas_processing.converters.syntool.configuration import READER_TOOL, SyntoolConfiguration
from geospaas_processing.converters.syntool.converter import (
    SyntoolConversionManager,
    SyntoolConverter,
    partial_failure,
)
from geospaas_processing.converters.syntool.products import PROFILE

if TYPE_CHECKING:
    from geospaas_processing.catalog.models import Dataset

__all__ = ['PROFILE_COMPARISON', 'compare_profiles']

PROFILE_COMPARISON = SyntoolConfiguration(
    name='model_profile_comparison',
    converter_type='profile_comparison',
    ingest_parameters=PROFILE,
    converter_options={'product': 'model_profile_comparison'},
    tool=READER_TOOL,
)


def compare_profiles(
    model_path: Path,
    profile_paths: Sequence[Path],
    output_directory: Path,
    *,
    dataset: Dataset | None = None,
    variable: str = 'temperature',
    **kwargs: Any,
) -> list[str]:
    """Ingest, for each in-situ profile, the profile beside the model column nearest to it.

    Returns:
        The results' paths relative to ``output_directory`` (``ingested/<product>/<granule>``).

    Raises:
        ConversionError: the comparison or its ingestion failed.
    """
    converter = SyntoolConverter([PROFILE_COMPARISON])
    converter.check_tools()
    options = {
        'profiles': os.pathsep.join(str(path) for path in profile_paths),
        'variable': variable,
    }
    output_directory.mkdir(parents=True, exist_ok=True)
    manager = SyntoolConversionManager(output_directory, output_directory)
    temporary = Path(tempfile.mkdtemp(prefix='.comparing-', dir=output_directory))
    try:
        outcome = converter.run_all(
            model_path, temporary, dataset=dataset, converter_options=options, **kwargs
        )
        moved = manager.move_results(temporary, outcome.results)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    if outcome.failures:
        raise partial_failure(getattr(dataset, 'pk', 0), moved, outcome.failures)
    return moved
