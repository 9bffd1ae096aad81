"""Ingested Syntool results: where they live, how they are recorded and removed.

A result is a granule folder ``ingested/<syntool_id>/<dataset>`` under
``GEOSPAAS_PROCESSING_SYNTOOL_RESULTS_DIR`` (default: the work directory, as
upstream's), recorded as a ``ProcessingResult``
of type ``syntool`` with that relative path. Removing results deletes, in this
order, their portal database rows, their folders and their records, so that an
interrupted removal is finished by running it again; rows, folders or records
already gone are not an error.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from geospaas_processing import config
from geospaas_processing.converters.syntool import portal
from geospaas_processing.converters.syntool.converter import INGESTED_DIR

if TYPE_CHECKING:
    from django.db.models import QuerySet

__all__ = [
    'TTLLike',
    'cleanup',
    'cleanup_ingested',
    'granule_of',
    'normalize_ttl',
    'record_results',
    'recorded_results',
    'remove_expired',
    'remove_results',
    'results_dir',
]

TTLLike = timedelta | Mapping[str, float] | None
SYNTOOL_TYPE = 'syntool'


def results_dir() -> Path:
    """The Syntool results directory, created if needed.

    ``GEOSPAAS_PROCESSING_SYNTOOL_RESULTS_DIR``, or the work directory when it is
    unset (upstream geospaas_processing's default).
    """
    configured = config.get('GEOSPAAS_PROCESSING_SYNTOOL_RESULTS_DIR')
    path = Path(configured).expanduser() if configured else config.work_dir()
    path.mkdir(parents=True, exist_ok=True)
    return path


def normalize_ttl(ttl: TTLLike) -> timedelta | None:
    """A time to live given as a timedelta or as timedelta keyword arguments (``{'days': 2}``).

    Raises:
        ValueError: the mapping has keys timedelta does not take, or the ttl is not positive.
    """
    if ttl is None or isinstance(ttl, timedelta):
        normalized = ttl
    else:
        try:
            normalized = timedelta(**dict(ttl))
        except TypeError as exc:
            raise ValueError(f'ttl {dict(ttl)!r} is not a set of timedelta arguments') from exc
    if normalized is not None and normalized <= timedelta(0):
        raise ValueError(f'ttl must be positive, got {normalized}')
    return normalized


def _processing_result_model() -> Any:
    import geospaas_processing

    geospaas_processing.setup()
    from geospaas_processing.models import ProcessingResult

    return ProcessingResult


def record_results(dataset_id: int, paths: Iterable[str], ttl: TTLLike = None) -> None:
    """Record each result path of a dataset (again: its record is updated, not duplicated)."""
    model = _processing_result_model()
    lifetime = normalize_ttl(ttl)
    for path in paths:
        model.objects.update_or_create(
            path=path, defaults={'dataset_id': dataset_id, 'type': SYNTOOL_TYPE, 'ttl': lifetime}
        )


def recorded_results(dataset_id: int) -> list[str]:
    """The recorded Syntool result paths of a dataset, oldest first."""
    model = _processing_result_model()
    return list(
        model.objects.filter(dataset_id=dataset_id, type=SYNTOOL_TYPE)
        .order_by('created', 'id')
        .values_list('path', flat=True)
    )


def granule_of(path: str) -> tuple[str, str] | None:
    """``(syntool_id, dataset)`` of a result path ``ingested/<syntool_id>/[<group>/]<dataset>``.

    ``None`` for a path outside that layout (the ingestor puts a dataset with a
    ``datagroup`` one folder deeper: ``syntool_ingestor/__init__.py``).
    """
    parts = PurePosixPath(path).parts
    if len(parts) in (3, 4) and parts[0] == INGESTED_DIR and '..' not in parts:
        return parts[1], parts[-1]
    return None


def remove_results(queryset: QuerySet) -> list[str]:
    """Remove the results of a ProcessingResult queryset: portal rows, folders, records.

    Returns:
        The removed results' paths.

    Raises:
        SyntoolPortalError: a result's product ID is invalid (nothing is removed),
            or the portal database refused the deletion (files and records kept).
    """
    paths = list(queryset.filter(type=SYNTOOL_TYPE).values_list('path', flat=True))
    if not paths:
        return []
    granules = [granule for granule in map(granule_of, paths) if granule is not None]
    for product_id, _ in granules:
        portal.product_table(product_id)
    if granules:
        portal.remove_granules(granules)
    root = results_dir().resolve()
    for path in paths:
        _remove_folder(root, path)
    queryset.model.objects.filter(type=SYNTOOL_TYPE, path__in=paths).delete()
    return paths


def _remove_folder(root: Path, relative: str) -> None:
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or target == root:
        return
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target, ignore_errors=True)
    elif target.exists() or target.is_symlink():
        target.unlink(missing_ok=True)
    # Empty product (and data group) folders go too; ingested/ itself stays.
    parent = target.parent
    while parent.is_relative_to(root / INGESTED_DIR) and parent != root / INGESTED_DIR:
        if not parent.is_dir() or any(parent.iterdir()):
            break
        parent.rmdir()
        parent = parent.parent


def cleanup_ingested(before: str | date | datetime) -> list[str]:
    """Remove the Syntool results created before ``before`` (``'2022-03-04'`` or a date)."""
    from django.utils import timezone

    if isinstance(before, str):
        before = date.fromisoformat(before)
    if not isinstance(before, datetime):
        before = datetime(before.year, before.month, before.day)
    if timezone.is_naive(before):
        before = timezone.make_aware(before, timezone.get_current_timezone())
    model = _processing_result_model()
    return remove_results(model.objects.filter(created__lt=before))


def cleanup(criteria: Mapping[str, Any]) -> list[str]:
    """Remove the Syntool results matching Django lookups on ProcessingResult.

    Example: ``cleanup({'dataset__entry_id__startswith': 'S1A_'})``.
    """
    model = _processing_result_model()
    return remove_results(model.objects.filter(**dict(criteria)))


def remove_expired(now: datetime | None = None) -> list[str]:
    """Remove the Syntool results whose ttl has run out (created + ttl before ``now``)."""
    from django.db.models import DateTimeField, ExpressionWrapper, F
    from django.utils import timezone

    model = _processing_result_model()
    expiry = ExpressionWrapper(F('created') + F('ttl'), output_field=DateTimeField())
    expired = model.objects.filter(ttl__isnull=False).alias(expiry=expiry)
    return remove_results(expired.filter(expiry__lt=now or timezone.now()))
