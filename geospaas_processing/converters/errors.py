"""The conversion stage's exceptions.

Tree::

    GeospaasProcessingError
    └── ConversionError              a dataset could not be converted
        ├── NoMatch                  no converter (or no parameters) fit the dataset
        ├── ConversionInputError     the dataset or its input file is missing
        ├── ConversionToolError      a converter command failed or skipped the file
        │   └── ConversionToolMissing  the command is not installed
        ├── PartialConversionError   some results were made, then a step failed
        └── AuxiliaryFileError       an auxiliary file is missing and could not be fetched

Every error is picklable (Celery ships them between processes) and its message
says what failed and what to do about it.
"""

from __future__ import annotations

from geospaas_processing.errors import GeospaasProcessingError


class ConversionError(GeospaasProcessingError):
    """A dataset could not be converted; the message names the dataset or file and the cause."""


class NoMatch(ConversionError):
    """No registered converter, or none of a converter's parameter selectors, fits the dataset."""


class ConversionInputError(ConversionError):
    """The dataset is not in the catalog, or its input file is not where it should be."""


class ConversionToolError(ConversionError):
    """A converter command exited with an error or produced nothing.

    Attributes:
        output: the end of what the command printed (its own explanation).
        returncode: the command's exit status (``None`` when it did not run).
    """

    def __init__(self, message: str, *, output: str = '', returncode: int | None = None) -> None:
        super().__init__(message)
        self.output = output
        self.returncode = returncode


class ConversionToolMissing(ConversionToolError):
    """The converter command is not installed where the configuration says it is."""


class PartialConversionError(ConversionError):
    """A converter made some of its results, then one of its steps failed.

    A converter raises it with the results it made (relative to its output
    folder); :meth:`ConversionManager.convert` moves those into place, rewrites
    ``results`` relative to the output directory and raises it again.

    Attributes:
        results: the results that were made.
        errors: a short message per failed step.
    """

    def __init__(
        self, message: str, *, results: list[str] | None = None, errors: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.results = list(results or [])
        self.errors = list(errors or [])


class AuxiliaryFileError(ConversionError):
    """An auxiliary file a converter needs is missing locally and could not be fetched."""
