"""IDF conversion task for SEAScope (queue ``idf``).

Worker command::

    celery -A geospaas_processing.tasks.idf worker -l info -Q idf -c 2
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geospaas_processing.tasks import LONG_TASK_OPTIONS, app, lock_dataset_files
from geospaas_processing.tasks.core import work_dir

__all__ = ['app', 'convert_to_idf']


@app.task(bind=True, **LONG_TASK_OPTIONS)
@lock_dataset_files
def convert_to_idf(self, args: Sequence[Any]) -> tuple[int, list[str]]:
    """Convert a downloaded dataset to IDF: ``(id, path)`` or ``(id, [path])`` -> ``(id, folders)``.

    The result folders (``<collection>/<granule>``, relative to the work directory) are
    recorded as ProcessingResults of type ``idf``.
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
