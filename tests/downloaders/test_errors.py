"""The public surface of the downloaders and the errors: documented names, pickling, secrets."""

from __future__ import annotations

import inspect
import pickle

import pytest

import geospaas_processing.downloaders as downloaders
from geospaas_processing.downloaders import errors
from geospaas_processing.errors import GeospaasProcessingError, TemporaryError

DOCUMENTED = {
    'AuthenticationError',
    'DatasetDownloadError',
    'DatasetOutcome',
    'DownloadCancelled',
    'DownloadError',
    'DownloadJob',
    'DownloadManager',
    'DownloadStatus',
    'LowSpeedError',
    'NoSpaceLeftError',
    'ObsoleteURLError',
    'PlannedDownload',
    'ProviderSettingsError',
    'RetriableDatasetDownloadError',
    'RetriableDownloadError',
    'SelectionError',
    'TooManyDownloadsError',
    'TransferProgress',
    'Transfers',
    'UnexpectedContentError',
}


def test_the_public_names_are_the_documented_ones():
    public = {
        name
        for name, value in vars(downloaders).items()
        if not name.startswith('_') and not inspect.ismodule(value)  # submodules once imported
    }
    assert set(downloaders.__all__) == DOCUMENTED
    assert public == DOCUMENTED


EXAMPLES = [
    errors.DownloadError('plain', url='https://a.org/x', dataset_id=3),
    errors.ObsoleteURLError('gone', url='https://a.org/x', status_code=404),
    errors.RetriableDownloadError('later', retry_after=30.0, status_code=503, url='u'),
    errors.TooManyDownloadsError('busy', provider='https://a.org', limit=2, dataset_id=1),
    errors.DatasetDownloadError(
        'all failed', errors=[('u1', errors.ObsoleteURLError('gone', status_code=410))]
    ),
    errors.RetriableDatasetDownloadError(
        'all failed', errors=[('u', errors.RetriableDownloadError('x'))], retry_after=60.0
    ),
    errors.AuthenticationError('refused', status_code=401),
    errors.NoSpaceLeftError('full', directory='/data'),
    errors.SelectionError('too many', count=500, limit=100),
    errors.ProviderSettingsError('bad key', path='/etc/x.yml'),
]


@pytest.mark.parametrize('error', EXAMPLES, ids=lambda error: type(error).__name__)
def test_every_error_survives_pickling_with_its_details(error):
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error) and str(copy) == str(error)
    assert {k: repr(v) for k, v in vars(copy).items()} == {
        k: repr(v) for k, v in vars(error).items()
    }
    assert isinstance(copy, errors.DownloadError | GeospaasProcessingError)


def test_every_temporary_download_error_is_a_temporary_error_and_nothing_else_is():
    temporary = {
        errors.RetriableDownloadError,
        errors.RetriableDatasetDownloadError,
        errors.TooManyDownloadsError,
        errors.LowSpeedError,
    }
    classes = [value for value in vars(errors).values() if isinstance(value, type)]
    for cls in classes:
        if issubclass(cls, errors.DownloadError):
            assert issubclass(cls, TemporaryError) is (cls in temporary), cls
    error = EXAMPLES[5]
    assert isinstance(error, TemporaryError) and error.retry_after == 60.0 and error.errors


def test_no_download_error_inherits_from_two_download_errors():
    for value in vars(errors).values():
        if isinstance(value, type) and issubclass(value, errors.DownloadError):
            download_bases = [
                base for base in value.__bases__ if issubclass(base, errors.DownloadError)
            ]
            assert len(download_bases) <= 1, value
