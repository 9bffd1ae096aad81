"""IDF conversion task for SEAScope (queue ``idf``).

Worker command::

    celery -A geospaas_processing.tasks.idf worker -l info -Q idf -c 2
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geospaas_processing.converters.errors import NoMatch
from geospaas_processing.tasks import LONG_TASK_OPTIONS, app, lock_dataset_files
from geospaas_processing.tasks.core import work_dir

__all__ = ['app', 'convert_to_idf']


# A dataset with no convertible product is a failure of the task, not a skipped result: the
# caller asked for an IDF that will never exist, so the chain must stop (nothing to archive or
# publish) and the result must say so. It is expected, though: ``throws`` makes the worker log
# the message on one line without a traceback, and NoMatch is never retried.
@app.task(bind=True, throws=(NoMatch,), **LONG_TASK_OPTIONS)
@lock_dataset_files
def convert_to_idf(self, args: Sequence[Any]) -> tuple[int, list[str]]:
    """Convert a downloaded dataset to IDF: ``(id, path)`` or ``(id, [path])`` -> ``(id, folders)``.

    The result folders (``<collection>/<granule>``, relative to the work directory) are
    recorded as ProcessingResults of type ``idf``.

    Raises:
        NoMatch: the dataset is no product that can be converted to IDF (e.g. a Sentinel-3
            SLSTR WST NT product); the task fails with that message, naming the dataset,
            the product and the reason, and is not retried.
    """
    from geospaas_processing.converters.idf.converter import convert_to_idf as convert
    from geospaas_processing.models import ProcessingResult

    dataset_id, paths = int(args[0]), args[1]
    results = convert(dataset_id, paths, work_dir())
    for path in results:
        ProcessingResult.objects.update_or_create(
            path=path, defaults={'dataset_id': dataset_id, 'type': 'idf'}
        )
    return dataset_id, results
