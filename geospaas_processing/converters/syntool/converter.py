"""Conversion of datasets for Syntool portals: syntool-converter, then syntool-ingestor.

For each :class:`SyntoolConfiguration` chosen for a dataset, the input is
converted (``syntool-converter -t TYPE -i IN -o TMP [-opt key=value ...]``, or a
custom reader of this package with the same command line, or nothing when the
configuration has no converter type), then each converted file is ingested
(``syntool-ingestor --config <projection .ini> --options-file <parameter file>
--output-dir TMP FILE``). Every ingested granule becomes a result
``ingested/<syntool_id>/<dataset>`` relative to the manager's output directory
(``GEOSPAAS_PROCESSING_SYNTOOL_RESULTS_DIR`` in the tasks), with a
``features/data_access.ini`` naming the dataset's entry_id and its first
non-local URL.

Facts about the real tools this relies on (OceanDataLab's tools in
``../shared/vendor/syntool``; ``reference/`` holds a real run):

- ``syntool-converter`` writes ``<out>/<product_name lowercased>/<name>.tiff``
  (``syntool_converter/utils/syntoolformat.py``, ``format_tifffilename``; flat
  ``<out>/<name>.tiff`` only with ``--keep-output``); ``-opt`` takes all options
  after one flag (``nargs='*'``: a second ``-opt`` replaces the first), and only
  the names of ``parse_options`` in ``bin/syntool-converter``.
- ``syntool-ingestor`` reads ``--options-file`` as command-line flags
  (``bin/syntool-ingestor``, ``parse_args``: ``shlex.split`` of the file) and
  ``--config`` as an INI file with a ``[portal]`` section (``parse_cfg_file``);
  it writes ``<outdir>/<EPSG>_<product_name><output id>/<dataset>/`` holding
  ``metadata.json`` (``syntool_ingestor/__init__.py``, ``process_file``; output id
  ``''`` for rastertiles, ``_raster``, ``_vectorfield``), and for rastertiles
  ``tiles.zxy/<z>/<x>/<y>.png`` with ``tiles.zxy/tilemap.json`` and
  ``tiles.zxy/transparency.json`` (``reference/metadata.json``,
  ``reference/tilemap.json``, and the AMSR2 run of the tests).
- A polar stereographic GeoTIFF is read in its own projection only with
  ``--input-options read_input_projection=True`` (``metadata.py``; the default
  input projection is EPSG:4326), which the packaged GeoTIFF parameter files set.

A configuration that fails does not stop the others: their results are moved
in place, then :class:`SyntoolConversionError` reports the failures and lists
the results that were kept. Tools work in temporary folders of the output
directory, removed afterwards: nothing half-written is left in it.
"""

from __future__ import annotations

import configparser
import json
import logging
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geospaas_processing.converters.base import ConversionManager, Converter
from geospaas_processing.converters.errors import ConversionError
from geospaas_processing.converters.syntool import products
from geospaas_processing.converters.syntool.commands import command, produced_nothing, run_command
from geospaas_processing.converters.syntool.configuration import (
    READER_TOOL,
    IngestParameterSelector,
    SyntoolConfiguration,
    projection_file_path,
)

if TYPE_CHECKING:
    from geospaas_processing.catalog.models import Dataset

__all__ = [
    'IngestParameterSelector',
    'SyntoolConfiguration',
    'SyntoolConversionError',
    'SyntoolConversionManager',
    'SyntoolConverter',
]

logger = logging.getLogger(__name__)

CONVERTER_VARIABLE = 'GEOSPAAS_PROCESSING_SYNTOOL_CONVERTER'
INGESTOR_VARIABLE = 'GEOSPAAS_PROCESSING_SYNTOOL_INGESTOR'
READERS_RUNNER = (sys.executable, '-m', 'geospaas_processing.converters.syntool.readers')
INGESTED_DIR = 'ingested'
DATA_ACCESS_FILE = Path('features', 'data_access.ini')


class SyntoolConversionError(ConversionError):
    """Some configurations of a conversion failed; the others' results were kept.

    Attributes:
        results: paths of the results that were made and kept (relative to the output).
        failures: ``(configuration name, message)`` of each failed configuration.
    """

    def __init__(
        self,
        message: str,
        *,
        results: Sequence[str] = (),
        failures: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(message)
        self.results = list(results)
        self.failures = [tuple(failure) for failure in failures]


@dataclass
class ConversionOutcome:
    """The results of every configuration that worked, and the failures of the others."""

    results: list[str] = field(default_factory=list)
    failures: list[tuple[str, ConversionError]] = field(default_factory=list)


class SyntoolConversionManager(ConversionManager):
    """Chooses the Syntool converter of a dataset; results go to ``ingested/`` in the output."""

    def convert(self, dataset_id: int, file_name: Any, **kwargs: Any) -> list[str]:
        """Convert and ingest a dataset's file; return the results relative to the output.

        Unlike the base manager, a failed configuration does not discard the
        results of the others: they are moved in place before the failure is raised.

        Raises:
            ConversionToolMissing: a tool the conversion needs is not installed
                (checked before anything runs).
            SyntoolConversionError: some configurations failed (``results`` lists
                what was kept).
            ConversionError: no converter fits the dataset, or the input is missing.
        """
        dataset = self.fetch_dataset(dataset_id)
        converter = self.get_converter(dataset)
        in_file = self.input_path(file_name)
        if not in_file.exists():
            raise ConversionError(f'the input {in_file} of dataset {dataset_id} does not exist')
        if isinstance(converter, SyntoolConverter):
            converter.check_tools()
        self.output_directory.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix='.converting-', dir=self.output_directory))
        try:
            if isinstance(converter, SyntoolConverter):
                outcome = converter.run_all(in_file, temporary, dataset=dataset, **kwargs)
            else:
                outcome = ConversionOutcome(
                    converter.run(in_file, temporary, dataset=dataset, **kwargs) or []
                )
            moved = self.move_results(temporary, outcome.results)
        finally:
            shutil.rmtree(temporary, ignore_errors=True)
        if outcome.failures:
            raise partial_failure(dataset_id, moved, outcome.failures)
        return moved

    def move_results(self, temporary_directory: Any, results: Any) -> list[str]:
        """Move results in place, their ``metadata.json`` ``output_path`` first made final.

        The ingestor writes the absolute path of its output in ``output_path``
        (``syntool_ingestor/__init__.py``); it ran in a temporary folder, so that
        path is rewritten to the result's place in the output directory.
        """
        results = list(results)
        for result in results:
            retarget_output_path(
                Path(temporary_directory) / result, self.output_directory / result, result
            )
        return super().move_results(temporary_directory, results)


def retarget_output_path(granule: Path, final: Path, result: str) -> None:
    """Point ``output_path`` of ``granule/metadata.json`` at ``final`` (the granule's place)."""
    metadata_path = granule / 'metadata.json'
    try:
        metadata = json.loads(metadata_path.read_text(encoding='utf-8'))
    except (OSError, ValueError):
        return
    # The ingestor's paths end with <syntool_id>/[<group>/]<dataset>[/<output>].
    marker = '/' + '/'.join(Path(result).parts[1:])

    def retarget(value: Any) -> Any:
        if isinstance(value, list):
            return [retarget(item) for item in value]
        if isinstance(value, str) and marker in value:
            index = value.rindex(marker) + len(marker)
            return str(final) + value[index:]
        return value

    if 'output_path' in metadata:
        metadata['output_path'] = retarget(metadata['output_path'])
        metadata_path.write_text(json.dumps(metadata), encoding='utf-8')


def partial_failure(
    dataset_id: int, kept: list[str], failures: list[tuple[str, ConversionError]]
) -> SyntoolConversionError:
    described = '; '.join(f'{name}: {error}' for name, error in failures)
    return SyntoolConversionError(
        f'conversion of dataset {dataset_id} failed for {len(failures)} configuration(s) '
        f'({described}); {len(kept)} result(s) kept',
        results=kept,
        failures=[(name, str(error)) for name, error in failures],
    )


@SyntoolConversionManager.register()
class SyntoolConverter(Converter):
    """Runs a dataset's Syntool configurations: conversion then ingestion of each.

    Args:
        configurations: the conversions to make, in order.
    """

    PARAMETER_SELECTORS = products.PARAMETER_SELECTORS

    def __init__(self, configurations: Sequence[SyntoolConfiguration]) -> None:
        self.configurations = tuple(configurations)

    def check_tools(self) -> None:
        """Raise ConversionToolMissing (naming the tool) if a needed tool is not installed."""
        command(INGESTOR_VARIABLE)
        if any(c.converter_type is not None and c.tool != READER_TOOL for c in self.configurations):
            command(CONVERTER_VARIABLE)

    def run(self, in_file: Path, out_dir: Path, **kwargs: Any) -> list[str]:
        """Run every configuration; the first failure is raised after the others ran."""
        outcome = self.run_all(in_file, out_dir, **kwargs)
        if outcome.failures:
            raise outcome.failures[0][1]
        return outcome.results

    def run_all(
        self,
        in_file: Path,
        out_dir: Path,
        *,
        dataset: Dataset | None = None,
        converter_options: Mapping[str, Any] | None = None,
        **_: Any,
    ) -> ConversionOutcome:
        """Run every configuration into ``out_dir``, collecting results and failures.

        Args:
            in_file: the downloaded file or product directory.
            out_dir: where the ``ingested/<product>/<granule>`` results are made.
            dataset: the catalog dataset (for ``features/data_access.ini``).
            converter_options: call-time converter options, overriding configured ones.
        """
        outcome = ConversionOutcome()
        for configuration in self.configurations:
            try:
                results = self.run_configuration(
                    configuration, in_file, out_dir, converter_options or {}
                )
            except ConversionError as error:
                logger.error(
                    'Syntool conversion %s of %s failed: %s', configuration.name, in_file, error
                )
                outcome.failures.append((configuration.name, error))
                continue
            for result in results:
                if dataset is not None:
                    write_data_access(out_dir / result, dataset)
                # A later ingestion of the same granule replaced the earlier one.
                if result not in outcome.results:
                    outcome.results.append(result)
        return outcome

    def run_configuration(
        self,
        configuration: SyntoolConfiguration,
        in_file: Path,
        out_dir: Path,
        converter_options: Mapping[str, Any],
    ) -> list[str]:
        """Convert then ingest with one configuration; return its results relative to out_dir."""
        scratch = Path(tempfile.mkdtemp(prefix='.syntool-', dir=out_dir))
        try:
            converted = self.convert_input(configuration, in_file, scratch, converter_options)
            results = []
            for converted_file in converted:
                for parameter_file in configuration.parameter_files(converted_file):
                    results.extend(
                        self.ingest(configuration, converted_file, parameter_file, out_dir)
                    )
            return results
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def convert_input(
        self,
        configuration: SyntoolConfiguration,
        in_file: Path,
        scratch: Path,
        converter_options: Mapping[str, Any],
    ) -> list[Path]:
        """The files to ingest: the converter's outputs, or the input itself without a type."""
        if configuration.converter_type is None:
            return [in_file]
        output = scratch / 'converted'
        output.mkdir()
        arguments = list(
            READERS_RUNNER if configuration.tool == READER_TOOL else command(CONVERTER_VARIABLE)
        )
        arguments += ['-t', configuration.converter_type, '-i', str(in_file), '-o', str(output)]
        options = configuration.options(converter_options)
        if options:
            arguments += ['-opt', *(f'{key}={value}' for key, value in options.items())]
        completed = run_command(arguments)
        converted = sorted(
            path
            for path in output.rglob('*')
            if path.is_file()
            and not any(part.startswith('.') for part in path.relative_to(output).parts)
        )
        if not converted:
            raise produced_nothing(f'{configuration.name}: the converter', arguments, completed)
        return converted

    def ingest(
        self,
        configuration: SyntoolConfiguration,
        converted_file: Path,
        parameter_file: Path,
        out_dir: Path,
    ) -> list[str]:
        """Ingest one converted file; move its granules under ``out_dir/ingested``."""
        ingestor_output = Path(tempfile.mkdtemp(prefix='.ingesting-', dir=out_dir))
        try:
            arguments = [
                *command(INGESTOR_VARIABLE),
                '--config',
                str(projection_file_path(configuration.projection)),
                '--options-file',
                str(parameter_file),
                '--output-dir',
                str(ingestor_output),
                str(converted_file),
            ]
            completed = run_command(arguments)
            granules = sorted(path.parent for path in ingestor_output.rglob('metadata.json'))
            if not granules:
                raise produced_nothing(f'{configuration.name}: the ingestor', arguments, completed)
            results = []
            for granule in granules:
                relative = Path(INGESTED_DIR, granule.relative_to(ingestor_output))
                destination = out_dir / relative
                if destination.exists():
                    shutil.rmtree(destination)
                destination.parent.mkdir(parents=True, exist_ok=True)
                granule.rename(destination)
                results.append(relative.as_posix())
            return results
        finally:
            shutil.rmtree(ingestor_output, ignore_errors=True)


def first_remote_url(dataset: Dataset) -> str:
    """The dataset's first URL that is not a local copy (``''`` when it has none)."""
    from geospaas_processing.catalog.services import LOCAL_FILE_SERVICE

    uri = dataset.dataseturi_set.exclude(service=LOCAL_FILE_SERVICE).order_by('id').first()
    return uri.uri if uri is not None else ''


def write_data_access(result_dir: Path, dataset: Dataset) -> Path:
    """Write ``features/data_access.ini`` in a result: the dataset's entry_id and URL."""
    parser = configparser.ConfigParser(interpolation=None)
    parser['metadata'] = {'syntool_id': 'data_access'}
    parser['geospaas'] = {'entry_id': dataset.entry_id, 'dataset_url': first_remote_url(dataset)}
    path = result_dir / DATA_ACCESS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, 'w', encoding='utf-8') as data_access:
        parser.write(data_access)
    return path
