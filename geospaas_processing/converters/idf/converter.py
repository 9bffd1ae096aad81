"""Conversion to IDF (SEAScope's Intermediary Data Format) with the idf-converter command.

:class:`IDFConverter` runs idf-converter with each of its parameter files (one
per kind of output, in ``parameters/``) on the downloaded file or product
directory; :class:`MultiFilesIDFConverter` does so on each of several files
inside a product directory (Sentinel-1 ``measurement/``, Sentinel-2
``GRANULE/L1C_*``, Sentinel-3 SLSTR WST ``*.nc``). idf-converter writes
``<collection>/<granule>/`` folders; every new folder is a result, so a parameter
file can give one or several. The products each converter handles are listed in
:mod:`geospaas_processing.converters.idf.products`.

:func:`convert_to_idf` is the library call of the ``convert_to_idf`` task.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from geospaas_processing.converters import auxiliary
from geospaas_processing.converters.base import ConversionManager, Converter, describe_dataset
from geospaas_processing.converters.errors import (
    ConversionError,
    ConversionInputError,
    ConversionToolError,
    NoMatch,
)
from geospaas_processing.converters.idf import products
from geospaas_processing.converters.idf.granules import withdraw_empty_granules
from geospaas_processing.converters.idf.preparation import PREPARATIONS, prepared_copy
from geospaas_processing.converters.idf.runner import SKIPPED_MARKER, run_idf_converter

if TYPE_CHECKING:
    from geospaas_processing.catalog.models import Dataset

logger = logging.getLogger(__name__)
T = TypeVar('T')

PARAMETERS_DIR = Path(__file__).resolve().parent / 'parameters'
DEFAULT_TIMEOUT_SECONDS = 3600.0
"""How long one idf-converter run may take (a malformed option can make it loop forever)."""


@dataclass(frozen=True)
class ParameterFile:
    """The content of an idf-converter parameter file: the reader and its options."""

    path: Path
    reader: str
    input_options: dict[str, str] = field(default_factory=dict)
    output_options: dict[str, str] = field(default_factory=dict)

    @property
    def collection(self) -> str:
        """The collection: the folder idf-converter writes this file's granules into."""
        return self.output_options['collection']


def read_parameter_file(path: Path) -> ParameterFile:
    """Parse a parameter file (``-t READER -i key=value ... -o key=value ...``).

    The format is idf-converter's own: whitespace-separated tokens, read by the
    command itself through its ``FILE@`` argument.

    Raises:
        ConversionError: the file is missing, has no reader, or no output collection.
    """
    try:
        tokens = path.read_text().split()
    except OSError as exc:
        raise ConversionError(f'cannot read the idf-converter parameter file {path}') from exc
    reader, sections, current = None, {'-i': {}, '-o': {}}, None
    for position, token in enumerate(tokens):
        if token == '-t':
            reader = tokens[position + 1] if position + 1 < len(tokens) else None
            current = None
        elif token in sections:
            current = sections[token]
        elif current is not None and '=' in token:
            key, _, value = token.partition('=')
            current[key] = value
    if reader is None or 'collection' not in sections['-o']:
        raise ConversionError(f'{path} must give a reader (-t) and an output collection (-o)')
    return ParameterFile(path, reader, sections['-i'], sections['-o'])


class IDFConversionManager(ConversionManager):
    """Chooses the IDF converter and parameter files of a dataset from its entry_id."""

    @classmethod
    def get_converter(cls, dataset: Dataset) -> Converter:
        """The converter of ``dataset``; callable on the class or on an instance.

        Raises:
            NoMatch: no product fits the dataset, or it is a product idf-converter
                cannot convert (the message says why and what to do instead).
        """
        for product in products.NOT_CONVERTIBLE:
            if product.matches(dataset):
                raise NoMatch(
                    f'dataset {describe_dataset(dataset)} is a {product.name} product, which '
                    f'cannot be converted to IDF: {product.reason}'
                )
        return super().get_converter(dataset)


@IDFConversionManager.register()
class IDFConverter(Converter):
    """Runs idf-converter on the input with each of its parameter files.

    Args:
        parameter_files: names of files in ``parameters/`` (or absolute paths), run in order.
        auxiliary_files: idf-converter input option -> name of the auxiliary file
            (see :mod:`geospaas_processing.converters.auxiliary`) whose local path
            it takes; fetched on first need.
        preparation: name of a step of
            :mod:`geospaas_processing.converters.idf.preparation` applied to a
            copy of each input, which idf-converter then reads instead.
    """

    PARAMETER_SELECTORS = products.SINGLE_INPUT_SELECTORS

    def __init__(
        self,
        parameter_files: Sequence[str],
        auxiliary_files: Mapping[str, str] | None = None,
        preparation: str | None = None,
    ) -> None:
        self.parameter_files = [
            read_parameter_file(PARAMETERS_DIR / name) for name in parameter_files
        ]
        self.auxiliary_files = dict(auxiliary_files or {})
        if preparation is not None and preparation not in PREPARATIONS:
            raise ConversionError(
                f'unknown input preparation {preparation!r}; known: {sorted(PREPARATIONS)}'
            )
        self.preparation = preparation

    def __repr__(self) -> str:
        names = [parameter_file.path.name for parameter_file in self.parameter_files]
        return f'{type(self).__name__}({names!r})'

    def input_paths(self, in_file: Path) -> list[Path]:
        """The paths idf-converter runs on: the input itself."""
        if not in_file.exists():
            raise ConversionInputError(f'the input {in_file} does not exist')
        return [in_file]

    def run(
        self,
        in_file: Path,
        out_dir: Path,
        timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
        **kwargs: Any,
    ) -> list[str]:
        """Convert ``in_file`` into ``out_dir``; return the ``collection/granule`` folders made.

        ``timeout`` bounds each idf-converter run, in seconds (``None``: no bound).

        A parameter file whose run idf-converter skipped, or whose granules are all
        masked, is left out with a warning when another parameter file gave a result
        (a drifter without a 15 m level still gives its 0 m trajectory).

        Raises:
            ConversionInputError: the input (or the files expected in it) is missing.
            AuxiliaryFileError: an auxiliary file is missing and cannot be fetched.
            ConversionToolError: idf-converter failed, or skipped the input or
                produced nothing with data (``output`` holds its message).
        """
        inputs = self.input_paths(in_file)
        options = {
            option: str(auxiliary.ensure(name)) for option, name in self.auxiliary_files.items()
        }
        if self.preparation is None:
            return self._convert_with_each_parameter_file(inputs, out_dir, options, timeout)
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix='.prepared-', dir=out_dir) as scratch:
            prepared = [prepared_copy(self.preparation, path, Path(scratch)) for path in inputs]
            return self._convert_with_each_parameter_file(prepared, out_dir, options, timeout)

    def _convert_with_each_parameter_file(
        self,
        inputs: Sequence[Path],
        out_dir: Path,
        options: Mapping[str, str],
        timeout: float | None,
    ) -> list[str]:
        return _results_of_each(
            lambda parameter_file: self._convert_inputs(
                parameter_file, inputs, out_dir, options, timeout
            ),
            self.parameter_files,
        )

    def _convert_inputs(
        self,
        parameter_file: ParameterFile,
        inputs: Iterable[Path],
        out_dir: Path,
        options: Mapping[str, str],
        timeout: float | None,
    ) -> list[str]:
        results = []
        for input_path in inputs:
            results.extend(self.convert_one(parameter_file, input_path, out_dir, options, timeout))
        return results

    @staticmethod
    def convert_one(
        parameter_file: ParameterFile,
        input_path: Path,
        out_dir: Path,
        options: Mapping[str, str],
        timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
    ) -> list[str]:
        """Run one parameter file on one input; return the new result folders.

        Raises:
            ConversionToolError: the command failed or made no folder.
        """
        collection_dir = out_dir / parameter_file.collection
        before = _granule_folders(collection_dir)
        log = run_idf_converter(parameter_file.path, input_path, out_dir, options, timeout)
        made = sorted(_granule_folders(collection_dir) - before)
        if not made:
            raise ConversionToolError(
                f'idf-converter made no {parameter_file.collection} granule from {input_path} '
                f'with {parameter_file.path.name}',
                output=log.strip(),
                returncode=0,
            )
        kept = withdraw_empty_granules(collection_dir, made)
        if not kept:
            raise ConversionToolError(
                f'every value of the {parameter_file.collection} granules idf-converter made '
                f'from {input_path} with {parameter_file.path.name} is masked (no valid data '
                f'there); nothing was published: {", ".join(made)}',
                output=log.strip(),
                returncode=0,
            )
        return [f'{parameter_file.collection}/{name}' for name in kept]


@IDFConversionManager.register()
class MultiFilesIDFConverter(IDFConverter):
    """Runs idf-converter on each file of a product directory matching a pattern.

    An input that idf-converter skips (no valid data in it) is left out as long as
    another input of the product gave a result; any other failure stops the
    conversion.

    Args:
        parameter_files: names of files in ``parameters/`` (or absolute paths), run in order.
        inputs: glob pattern of the inputs, relative to the product directory.
        auxiliary_files, preparation: as for :class:`IDFConverter`.
    """

    PARAMETER_SELECTORS = products.MULTI_INPUT_SELECTORS

    def __init__(
        self,
        parameter_files: Sequence[str],
        inputs: str,
        auxiliary_files: Mapping[str, str] | None = None,
        preparation: str | None = None,
    ) -> None:
        super().__init__(parameter_files, auxiliary_files, preparation)
        self.inputs = inputs

    def input_paths(self, in_file: Path) -> list[Path]:
        """The files or folders of the product directory matching the ``inputs`` pattern."""
        if not in_file.is_dir():
            raise ConversionInputError(f'the input {in_file} is not a product directory')
        paths = sorted(in_file.glob(self.inputs))
        if not paths:
            raise ConversionInputError(f'no input matching {self.inputs} in {in_file}')
        return paths

    def _convert_inputs(
        self,
        parameter_file: ParameterFile,
        inputs: Iterable[Path],
        out_dir: Path,
        options: Mapping[str, str],
        timeout: float | None,
    ) -> list[str]:
        return _results_of_each(
            lambda input_path: self.convert_one(
                parameter_file, input_path, out_dir, options, timeout
            ),
            inputs,
        )


def _granule_folders(collection_dir: Path) -> set[str]:
    if not collection_dir.is_dir():
        return set()
    return {path.name for path in collection_dir.iterdir() if path.is_dir()}


def convert_to_idf(dataset_id: int, paths: Sequence[str], working_directory: Path) -> list[str]:
    """Convert a downloaded dataset to IDF; the library call behind the ``convert_to_idf`` task.

    Args:
        dataset_id: ID of the dataset in the catalog.
        paths: the dataset's downloaded file or product directory, relative to
            ``working_directory`` (a one-element list; a plain string is accepted).
        working_directory: where the input is and where the results go.

    Returns:
        The result folders (``<collection>/<granule>``), relative to ``working_directory``.

    Raises:
        ConversionError: no converter fits the dataset, the input is missing, or
            idf-converter failed or skipped it (the error carries its message).
    """
    if isinstance(paths, str):
        paths = [paths]
    if len(paths) != 1:
        raise ConversionInputError(
            f'IDF conversion takes one downloaded file or directory per dataset, '
            f'dataset {dataset_id} has {len(paths)}: {list(paths)}'
        )
    return IDFConversionManager(working_directory).convert(dataset_id, paths[0])


__all__ = [
    'IDFConversionManager',
    'IDFConverter',
    'MultiFilesIDFConverter',
    'ParameterFile',
    'SKIPPED_MARKER',
    'convert_to_idf',
    'read_parameter_file',
]


def _results_of_each(convert: Callable[[T], list[str]], items: Iterable[T]) -> list[str]:
    """The results of ``convert`` on each item, where a skip does not stop the others.

    A skip is a :class:`ConversionToolError` with exit status 0 (the tool made nothing of
    that item): it is logged, and raised only when no item gave a result. Any other error
    (failed or missing command) is raised at once.
    """
    results: list[str] = []
    skipped: list[ConversionToolError] = []
    for item in items:
        try:
            results.extend(convert(item))
        except ConversionToolError as error:
            if error.returncode != 0:
                raise
            logger.warning('%s', error)
            skipped.append(error)
    if not results and skipped:
        raise skipped[0]
    return results
