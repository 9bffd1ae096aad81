"""Syntool tasks (queue ``syntool``): convert and ingest, register in the portal, clean up.

Input paths are relative to ``GEOSPAAS_PROCESSING_WORK_DIR``; result paths are
relative to ``GEOSPAAS_PROCESSING_SYNTOOL_RESULTS_DIR`` (default: the work directory),
``ingested/<syntool_id>/<dataset>``. A typical chain, which skips datasets already
ingested (upstream's documented contract of ``check_ingested``)::

    (check_ingested.s((180, 'dataset.nc')) | convert.s() | db_insert.s()).delay()

Every task accepts extra keyword arguments, as upstream's did, and forwards
them to the conversion where there is one.

Worker command::

    celery -A geospaas_processing.tasks.syntool worker -l info -Q syntool -E -c 2

Expired results (``ttl``) are removed by ``remove_expired``, which the beat
schedule below runs every hour: ``celery -A geospaas_processing.tasks.syntool beat``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from datetime import timedelta
from typing import Any

import celery

from geospaas_processing import config, locks
from geospaas_processing.tasks import (
    LONG_TASK_OPTIONS,
    app,
    dataset_id_of,
    lock_dataset_files,
    lock_expiry,
    wait_before_retry,
)
from geospaas_processing.tasks.core import in_work_dir

logger = logging.getLogger(__name__)

__all__ = [
    'app',
    'check_ingested',
    'cleanup',
    'cleanup_ingested',
    'compare_profiles',
    'convert',
    'db_insert',
    'remove_expired',
]

REMOVE_EXPIRED_INTERVAL = timedelta(hours=1)
LOCK_MAX_RETRIES = 240

app.conf.beat_schedule.update(
    {
        'syntool-remove-expired': {
            'task': 'geospaas_processing.tasks.syntool.remove_expired',
            'schedule': REMOVE_EXPIRED_INTERVAL,
        }
    }
)


def single_path(paths: str | Sequence[str]) -> str:
    """The one input path of a task argument given as a path or a one-element list."""
    if isinstance(paths, str):
        return paths
    if len(paths) != 1:
        raise ValueError(f'expected one input path, got {list(paths)!r}')
    return paths[0]


@app.task(bind=True)
def check_ingested(
    self: celery.Task,
    args: Sequence[Any],
    to_execute: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """Stop the chain when the dataset has results; otherwise pass ``args`` along unchanged.

    Upstream's contract: "Checks that the dataset does not have saved processing
    results in the database. If there are existing results, stop the current
    tasks chain, otherwise just pass along the arguments." With results, the task
    returns ``(id, [result paths])`` and nothing after it in its chain runs.

    ``to_execute`` (a signature): without results the task is replaced by it,
    called with ``args`` and, as upstream's did, the extra keyword arguments.
    """
    from geospaas_processing.converters.syntool import results

    dataset_id = dataset_id_of((args,))
    recorded = results.recorded_results(dataset_id)
    if recorded:
        # Nothing after this task in its chain runs.
        self.request.chain = None
        self.request.callbacks = None
        return dataset_id, recorded
    if to_execute is None:
        return args
    replacement = with_first_argument(celery.signature(to_execute, app=self.app), args, kwargs)
    if self.request.called_directly:
        # A plain function call (no broker, no eager request): run the rest here.
        return replacement.apply().get()
    return self.replace(replacement)


def with_first_argument(
    signature: celery.Signature, args: Sequence[Any], kwargs: Mapping[str, Any] | None = None
) -> celery.Signature:
    """``signature`` (a task or a chain) with ``args`` as its first task's first argument
    and ``kwargs`` added to that task's keyword arguments."""
    from celery.canvas import _chain

    if isinstance(signature, _chain):
        first, *rest = signature.tasks
        return celery.chain(with_first_argument(first, args, kwargs), *rest)
    return signature.clone(args=(list(args),), kwargs=dict(kwargs or {}))


@app.task(bind=True, **LONG_TASK_OPTIONS)
@lock_dataset_files
def convert(
    self: celery.Task,
    args: Sequence[Any],
    converter_options: Mapping[str, Any] | None = None,
    ttl: timedelta | Mapping[str, float] | None = None,
    **kwargs: Any,
) -> tuple[int, list[str]]:
    """Convert and ingest a dataset's file: ``(id, path)`` -> ``(id, [result paths])``.

    Each result is recorded as a ProcessingResult (type ``syntool``, ``ttl`` as a
    timedelta or timedelta arguments such as ``{'days': 7}``). When some
    configurations fail, the results of the others are recorded before the
    error is raised. Extra keyword arguments go to the conversion manager.
    """
    from geospaas_processing.converters.syntool import results
    from geospaas_processing.converters.syntool.converter import (
        SyntoolConversionError,
        SyntoolConversionManager,
    )

    dataset_id = int(args[0])
    results.normalize_ttl(ttl)
    input_path = in_work_dir(single_path(args[1]))
    manager = SyntoolConversionManager(input_path.parent, results.results_dir())
    try:
        paths = manager.convert(
            dataset_id,
            input_path.name,
            converter_options=dict(converter_options or {}),
            **kwargs,
        )
    except SyntoolConversionError as error:
        results.record_results(dataset_id, error.results, ttl)
        raise
    results.record_results(dataset_id, paths, ttl)
    return dataset_id, paths


@app.task(bind=True)
@lock_dataset_files
def db_insert(self: celery.Task, args: Sequence[Any], **kwargs: Any) -> tuple[int, list[str]]:
    """Register a dataset's results in the Syntool portal database: ``(id, paths)``, unchanged.

    Extra keyword arguments are accepted (upstream's signature) and unused.
    """
    from geospaas_processing.converters.syntool import portal, results

    dataset_id, paths = int(args[0]), args[1]
    paths = [paths] if isinstance(paths, str) else list(paths)
    root = results.results_dir()
    portal.insert_metadata([root / path / 'metadata.json' for path in paths])
    return dataset_id, paths


@app.task(bind=True, **LONG_TASK_OPTIONS)
def compare_profiles(
    self: celery.Task, args: Sequence[Any], variable: str = 'temperature', **kwargs: Any
) -> tuple[int, list[str]]:
    """Model against in-situ profiles, side by side, ingested for Syntool.

    ``((model_id, (model_path,)), [(profile_id, (path,)), ...])`` ->
    ``(model_id, [result paths])``; every dataset involved is locked, and the
    results are recorded against the model dataset. Extra keyword arguments go
    to the conversion.
    """
    from geospaas_processing.converters.base import ConversionManager
    from geospaas_processing.converters.syntool import comparison, results

    (model_id, model_paths), profiles = args[0], args[1]
    dataset_ids = sorted({int(model_id), *(int(profile[0]) for profile in profiles)})
    try:
        with ExitStack() as stack:
            for dataset_id in dataset_ids:
                stack.enter_context(locks.dataset_lock(dataset_id, expiry=lock_expiry()))
            paths = comparison.compare_profiles(
                in_work_dir(single_path(model_paths)),
                [in_work_dir(single_path(profile[1])) for profile in profiles],
                results.results_dir(),
                dataset=ConversionManager.fetch_dataset(int(model_id)),
                variable=variable,
                **kwargs,
            )
    except locks.LockBusy as busy:
        countdown = config.get_int('GEOSPAAS_PROCESSING_LOCK_RETRY_DELAY') or 30
        wait_before_retry(self, countdown)
        raise self.retry(exc=busy, countdown=countdown, max_retries=LOCK_MAX_RETRIES) from busy
    results.record_results(int(model_id), paths)
    return int(model_id), paths


@app.task
def cleanup_ingested(before: str) -> list[str]:
    """Remove the results created before the date ``before`` (``'2022-03-04'``)."""
    from geospaas_processing.converters.syntool import results

    return results.cleanup_ingested(before)


@app.task
def cleanup(criteria: Mapping[str, Any]) -> list[str]:
    """Remove the results matching Django lookups on ProcessingResult."""
    from geospaas_processing.converters.syntool import results

    return results.cleanup(criteria)


@app.task
def remove_expired() -> list[str]:
    """Remove the results whose ttl has run out (run periodically by the beat schedule)."""
    from geospaas_processing.converters.syntool import results

    removed = results.remove_expired()
    if removed:
        logger.info('removed %d expired Syntool results', len(removed))
    return removed
