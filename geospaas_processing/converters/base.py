"""The contract of the converters: managers choose a converter per dataset and run it.

A :class:`Converter` turns one downloaded file or product directory into result
files or folders. Its ``PARAMETER_SELECTORS`` say which datasets it handles and
with which constructor arguments. A :class:`ConversionManager` subclass holds a
registry of converters (one registry per manager class), picks the first that
fits a dataset, runs it in a temporary directory and moves the results into the
output directory atomically::

    from geospaas_processing.converters.base import (ConversionManager, Converter,
                                                     ParameterSelector)

    class ExampleConversionManager(ConversionManager):
        '''Example conversion manager'''

    @ExampleConversionManager.register()
    class ExampleConverter(Converter):
        PARAMETER_SELECTORS = (
            ParameterSelector(matches=lambda d: d.entry_id.startswith('something'),
                              param='foo'),
        )
        def __init__(self, param):
            self.param = param
        def run(self, in_file, out_dir, **kwargs):
            ...

    ExampleConversionManager('/working_directory').convert(dataset_id=42,
                                                           file_name='dataset.nc')

Django stays at the edge: :meth:`ConversionManager.fetch_dataset` is the only
place that reads the catalog; converters receive the dataset and plain paths.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from geospaas_processing.converters.errors import (
    AuxiliaryFileError,
    ConversionError,
    ConversionInputError,
    ConversionToolError,
    ConversionToolMissing,
    NoMatch,
    PartialConversionError,
)
from geospaas_processing.storage import move_into_place

if TYPE_CHECKING:
    from geospaas_processing.catalog.models import Dataset

__all__ = [
    'AuxiliaryFileError',
    'ConversionError',
    'ConversionInputError',
    'ConversionManager',
    'ConversionToolError',
    'ConversionToolMissing',
    'Converter',
    'NoMatch',
    'ParameterSelector',
    'PartialConversionError',
]

PathLike = str | os.PathLike[str]
ConverterType = TypeVar('ConverterType', bound=type['Converter'])


class ParameterSelector:
    """A predicate on a dataset and the converter arguments to use when it holds.

    Args:
        matches: called with a catalog ``Dataset``; true when this selector applies.
        **parameters: keyword arguments given to the converter's constructor.
    """

    def __init__(self, matches: Callable[[Dataset], bool], **parameters: Any) -> None:
        self.matches = matches
        self.parameters = parameters

    def __repr__(self) -> str:
        return f'ParameterSelector({self.parameters!r})'


class Converter:
    """Turns one input file or product directory into results in an output directory.

    Subclasses list ``PARAMETER_SELECTORS``; the first selector matching a dataset
    gives the keyword arguments the converter is built with. :meth:`run` must:

    - read ``in_file`` (a file or a product directory) and never modify it;
    - write its results (files or folders) inside ``out_dir`` only;
    - return the paths of its results relative to ``out_dir`` (nested paths such
      as ``collection/granule`` are allowed), or nothing when it made none;
    - raise a :class:`ConversionError` (typically :class:`ConversionToolError`
      carrying the tool's own message) when the conversion failed or was skipped.

    It receives the dataset as the ``dataset`` keyword argument, along with the
    keyword arguments given to :meth:`ConversionManager.convert`.
    """

    PARAMETER_SELECTORS: ClassVar[tuple[ParameterSelector, ...]] = ()

    @classmethod
    def get_parameters(cls, dataset: Dataset) -> dict[str, Any]:
        """The constructor arguments of the first selector matching ``dataset``.

        Raises:
            NoMatch: no selector of this class matches the dataset.
        """
        for selector in cls.PARAMETER_SELECTORS:
            if selector.matches(dataset):
                return dict(selector.parameters)
        raise NoMatch(f'{cls.__name__} has no parameters for dataset {describe_dataset(dataset)}')

    @classmethod
    def from_dataset(cls, dataset: Dataset, **kwargs: Any) -> Converter:
        """A converter built with the parameters selected for ``dataset`` (plus ``kwargs``).

        Raises:
            NoMatch: no selector of this class matches the dataset.
        """
        return cls(**cls.get_parameters(dataset), **kwargs)

    def run(self, in_file: Path, out_dir: Path, **kwargs: Any) -> list[str] | None:
        """Convert ``in_file`` into ``out_dir``; return the results' paths relative to it."""
        raise NotImplementedError


class ConversionManager:
    """Chooses the converter of a dataset and runs it on a file of the working directory.

    Each subclass has its own registry, filled with :meth:`register`; registering
    on one manager class never shows in another (a subclass of a manager starts
    with an empty registry too).

    Args:
        working_directory: where the input files are (``file_name`` is relative to it).
        output_directory: where the results go (default: the working directory).
            Temporary results are made inside it so that they can be moved in place
            with a rename.
    """

    _registry: ClassVar[list[type[Converter]]]

    def __init__(self, working_directory: PathLike, output_directory: PathLike | None = None):
        self.working_directory = Path(working_directory)
        self.output_directory = Path(
            output_directory if output_directory is not None else working_directory
        )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._registry = []

    @classmethod
    def register(cls) -> Callable[[ConverterType], ConverterType]:
        """Class decorator adding a converter to this manager's registry.

        A converter is tried before every registered class it derives from;
        otherwise converters are tried in registration order.

        Raises:
            TypeError: the decorated class is not a Converter, or this is the
                base ConversionManager (register on a subclass).
            ValueError: the converter is already registered on this manager.
        """
        if '_registry' not in cls.__dict__:
            raise TypeError('register converters on a subclass of ConversionManager')

        def decorator(converter_class: ConverterType) -> ConverterType:
            if not (isinstance(converter_class, type) and issubclass(converter_class, Converter)):
                raise TypeError(f'{converter_class!r} is not a Converter subclass')
            if converter_class in cls._registry:
                raise ValueError(
                    f'{converter_class.__name__} is already registered on {cls.__name__}'
                )
            position = next(
                (
                    index
                    for index, registered in enumerate(cls._registry)
                    if issubclass(converter_class, registered)
                ),
                len(cls._registry),
            )
            cls._registry.insert(position, converter_class)
            return converter_class

        return decorator

    @classmethod
    def converters(cls) -> tuple[type[Converter], ...]:
        """The registered converter classes, in the order they are tried."""
        return tuple(cls.__dict__.get('_registry', ()))

    @classmethod
    def get_converter(cls, dataset: Dataset) -> Converter:
        """The converter of the first registered class with a selector matching ``dataset``.

        Callable on the manager class (``IDFConversionManager.get_converter(dataset)``,
        as upstream's classmethod) as well as on an instance.

        Raises:
            NoMatch: no registered converter fits the dataset (the message names it).
        """
        for converter_class in cls.converters():
            try:
                return converter_class.from_dataset(dataset)
            except NoMatch:
                continue
        raise NoMatch(f'{cls.__name__} has no converter for dataset {describe_dataset(dataset)}')

    @staticmethod
    def fetch_dataset(dataset_id: int) -> Dataset:
        """The catalog dataset with this ID (the one place the converters read the catalog).

        Raises:
            ConversionInputError: no dataset has this ID.
        """
        import geospaas_processing

        geospaas_processing.setup()
        from geospaas_processing.catalog.models import Dataset

        try:
            return Dataset.objects.get(pk=dataset_id)
        except Dataset.DoesNotExist:
            raise ConversionInputError(f'dataset {dataset_id} is not in the catalog') from None

    def convert(self, dataset_id: int, file_name: PathLike, **kwargs: Any) -> list[str]:
        """Convert ``working_directory/file_name``, the file of dataset ``dataset_id``.

        The converter runs in a temporary directory inside the output directory;
        its results are then moved into the output directory, each replacing an
        older result of the same name.

        Args:
            dataset_id: ID of the dataset in the catalog.
            file_name: the input file or product directory, relative to the
                working directory.
            **kwargs: passed to the converter's ``run`` (with ``dataset``).

        Returns:
            The results' paths relative to the output directory.

        Raises:
            PartialConversionError: the converter made some results, then failed;
                those results are moved into place and listed in ``results``.
            ConversionError: no converter fits, the input path escapes the
                working directory, or the converter failed (nothing is kept).
        """
        dataset = self.fetch_dataset(dataset_id)
        converter = self.get_converter(dataset)
        in_file = self.input_path(file_name)
        self.output_directory.mkdir(parents=True, exist_ok=True)
        temporary_directory = Path(
            tempfile.mkdtemp(prefix='.converting-', dir=self.output_directory)
        )
        try:
            try:
                results = converter.run(in_file, temporary_directory, dataset=dataset, **kwargs)
            except PartialConversionError as partial:
                partial.results = self.move_results(temporary_directory, partial.results)
                raise
            return self.move_results(temporary_directory, results or [])
        finally:
            shutil.rmtree(temporary_directory, ignore_errors=True)

    def input_path(self, file_name: PathLike) -> Path:
        """The absolute path of an input inside the working directory; refuses one outside it."""
        working_directory = self.working_directory.resolve()
        in_file = (working_directory / file_name).resolve()
        if not in_file.is_relative_to(working_directory):
            raise ConversionInputError(
                f'the input {file_name} is outside the working directory {working_directory}'
            )
        return in_file

    def move_results(self, temporary_directory: PathLike, results: Iterable[PathLike]) -> list[str]:
        """Move results from ``temporary_directory`` to the same relative paths in the output.

        Each move is :func:`geospaas_processing.storage.move_into_place`: a rename on one
        filesystem, so a reader of the output directory sees either the older result or
        the complete new one, never a partial one; the result gets the permissions of a
        newly made file (umask applied). An older result of the same name is replaced (a
        file in one step; a folder is renamed aside, the new one renamed in, then the old
        one deleted).

        Returns:
            The moved results' paths relative to the output directory.

        Raises:
            ConversionError: a result is missing or its path leaves the directory.
        """
        source_root = Path(temporary_directory)
        moved = []
        for result in results:
            relative = _confined_relative_path(result)
            source = source_root / relative
            if not source.exists():
                raise ConversionError(f'the converter reported {relative} but did not make it')
            move_into_place(source, self.output_directory / relative)
            moved.append(relative.as_posix())
        return moved


def _confined_relative_path(result: PathLike) -> Path:
    relative = Path(result)
    if relative.is_absolute() or '..' in relative.parts or not relative.parts:
        raise ConversionError(f'result path {str(result)!r} is not relative to the output folder')
    return relative


def describe_dataset(dataset: Any) -> str:
    """``<id> (<entry_id>)`` for a dataset, for error messages."""
    return f'{getattr(dataset, "pk", None)} ({getattr(dataset, "entry_id", dataset)})'
