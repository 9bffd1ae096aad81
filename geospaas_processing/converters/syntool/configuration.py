"""What one Syntool conversion does: converter type and options, then ingestion parameters.

The packaged files, and where their format comes from (OceanDataLab's real tools in
``../shared/vendor/syntool``):

- ``parameters/<name>.ini``: ``syntool-ingestor --options-file`` files. The real
  ingestor reads them as command-line flags (``bin/syntool-ingestor``, ``parse_args``:
  ``shlex.split`` of the whole file, so they hold no comments), e.g.
  ``--input-options read_input_projection=True --output-format rastertiles
  --output-options min-zoom=+0 max-zoom=+0`` (zooms relative to the ingestor's default
  range for the input's resolution: ``raster_tiles.py``, ``create_representation``).
  ``read_input_projection=True`` makes the ingestor read a GeoTIFF's own projection
  (``metadata.py``; default EPSG:4326), which polar stereographic converter outputs need.
  The GeoTIFF ones (``ingest_geotiff_*``, ``ingest_netcdf_3413_vectorfield`` and
  ``ingest_netcdf_4326_swath``, which also take the converter's GeoTIFF) run on the real
  ingestor in the tests; the trajectory, along-track and profile files name the real
  ingestor's ``trajectorytiles`` formatter and ``argo_profile`` reader but have not been
  run on real inputs. The ``.ini`` names are kept for compatibility.
- ``parameters/projections/<EPSG>.ini``: ``--config`` files, a ``[portal]`` section with
  ``projection``, ``viewport`` and ``extent`` (``parse_cfg_file``;
  ``syntool_ingestor/doc/syntool-ingestor.rst``). 3413's values are upstream
  django-geo-spaas-processing's ``parameters/3413.ini``; 3857's are the ingestor
  documentation's example; 4326's the whole world.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from geospaas_processing.converters.errors import ConversionError

__all__ = [
    'PARAMETERS_DIR',
    'IngestParameterSelector',
    'SyntoolConfiguration',
    'parameter_file_path',
    'projection_file_path',
]

PARAMETERS_DIR = Path(__file__).parent / 'parameters'
PROJECTIONS_DIR = PARAMETERS_DIR / 'projections'
SYNTOOL_TOOL = 'syntool'
READER_TOOL = 'reader'


@dataclass(frozen=True)
class IngestParameterSelector:
    """Ingestion parameter files for the converted files whose name matches ``pattern``.

    Args:
        pattern: regular expression searched in the converted file's name.
        parameter_files: names of packaged parameter files (``.ini`` optional) or paths.
    """

    pattern: str
    parameter_files: tuple[str, ...]

    def matches(self, converted_file: Path) -> bool:
        """Whether this selector applies to ``converted_file``."""
        return re.search(self.pattern, converted_file.name) is not None


IngestParametersLike = str | Sequence[str] | Sequence[IngestParameterSelector]


@dataclass(frozen=True)
class SyntoolConfiguration:
    """One conversion of a dataset for Syntool.

    Args:
        name: what this conversion makes, for messages (e.g. ``'sentinel1_roughness'``).
        converter_type: the converter's ``-t`` type; ``None``: the input is ingested as is.
        converter_options: the converter's ``-opt name=value`` options (its own names
            only; all passed after one ``-opt``); call-time options override them.
        ingest_parameters: the ingestion parameter file(s): one name, a list of names
            (the converted file is ingested once per file), or selectors choosing them
            from the converted file's name.
        projection: EPSG code of the portal projection file given as ``--config``.
        tool: ``'syntool'`` (syntool-converter) or ``'reader'`` (a custom reader of
            this package, run by its own runner with the same command line).
    """

    name: str
    converter_type: str | None
    ingest_parameters: IngestParametersLike
    converter_options: Mapping[str, str] = field(default_factory=dict)
    projection: str = '3413'
    tool: str = SYNTOOL_TOOL

    def __post_init__(self) -> None:
        if self.tool not in (SYNTOOL_TOOL, READER_TOOL):
            raise ValueError(f'tool must be {SYNTOOL_TOOL!r} or {READER_TOOL!r}, not {self.tool!r}')
        if self.tool == READER_TOOL and self.converter_type is None:
            raise ValueError(f'{self.name}: a custom reader needs a converter_type')
        if isinstance(self.ingest_parameters, list):
            object.__setattr__(self, 'ingest_parameters', tuple(self.ingest_parameters))
        object.__setattr__(
            self, 'converter_options', MappingProxyType(dict(self.converter_options))
        )

    def options(self, overrides: Mapping[str, object] | None = None) -> dict[str, str]:
        """The converter options, with ``overrides`` (call-time options) taking precedence."""
        merged = dict(self.converter_options)
        merged.update({key: str(value) for key, value in (overrides or {}).items()})
        return merged

    def parameter_files(self, converted_file: Path) -> list[Path]:
        """The ingestion parameter files to use for ``converted_file``.

        Raises:
            ConversionError: no selector fits the file, or a parameter file does not exist.
        """
        parameters = self.ingest_parameters
        if isinstance(parameters, str):
            names: Sequence[str] = (parameters,)
        elif all(isinstance(item, str) for item in parameters):
            names = parameters  # type: ignore[assignment]
        else:
            names = next(
                (
                    selector.parameter_files
                    for selector in parameters
                    if isinstance(selector, IngestParameterSelector)
                    and selector.matches(converted_file)
                ),
                (),
            )
            if not names:
                raise ConversionError(
                    f'{self.name}: no ingestion parameters for the converted file '
                    f'{converted_file.name}'
                )
        return [parameter_file_path(name) for name in names]


def parameter_file_path(name: str) -> Path:
    """The path of a packaged ingestion parameter file (``.ini`` optional), or of a given path.

    Raises:
        ConversionError: the file does not exist.
    """
    candidate = Path(name)
    if not candidate.is_absolute():
        candidate = PARAMETERS_DIR / (name if name.endswith('.ini') else f'{name}.ini')
    if not candidate.is_file():
        raise ConversionError(f'the Syntool ingestion parameter file {candidate} does not exist')
    return candidate


def projection_file_path(epsg: str) -> Path:
    """The packaged portal projection file of an EPSG code.

    Raises:
        ConversionError: the package has no file for this projection.
    """
    path = PROJECTIONS_DIR / f'{epsg}.ini'
    if not path.is_file():
        available = sorted(file.stem for file in PROJECTIONS_DIR.glob('*.ini'))
        raise ConversionError(f'no Syntool projection file for EPSG:{epsg} (have: {available})')
    return path
