"""Harvesting tasks: fill the catalog from providers (queue ``harvesting``).

Worker command::

    celery -A geospaas_processing.tasks.harvesting worker -l info -Q harvesting -c 2
"""

from __future__ import annotations

from typing import Any

from celery import chord

from geospaas_processing.tasks import app

__all__ = ['app', 'retry_ingestion', 'save_search_results', 'start_harvest', 'update_vocabularies']


@app.task
def start_harvest(search_config: dict[str, Any]) -> dict[str, Any]:
    """Run every search of ``search_config`` as a group of tasks, then ``retry_ingestion``.

    ``search_config`` is ``{'common': {...}, 'searches': [{'provider_name': ...}, ...]}``;
    it is validated before anything is sent (an unknown provider or a bad key fails at
    once). Returns the planned searches and the ID of the workflow's final result.
    """
    from geospaas_processing.harvesting import plan_harvest

    plan = plan_harvest(search_config)
    searches = [
        save_search_results.si(search['provider_name'], search['search_parameters'])
        for search in plan
    ]
    result = chord(searches)(retry_ingestion.si())
    return {'searches': plan, 'result_id': result.id}


@app.task(acks_late=True, reject_on_worker_lost=True)
def save_search_results(provider_name: str, search_parameters: dict[str, Any]) -> dict:
    """Walk one search's result pages into the catalog; return its summary.

    The summary counts found, created, updated and failed results; ``complete`` is
    False when a page failed for good (the pages before it stay ingested).
    """
    from geospaas_processing.harvesting import save_search_results as save

    return dict(save(provider_name, search_parameters))


@app.task
def retry_ingestion(*_previous_results: Any) -> dict:
    """Re-ingest the results kept after failed ingestions; return what succeeded."""
    from geospaas_processing.harvesting import retry_ingestion as retry

    return dict(retry())


@app.task
def update_vocabularies() -> dict:
    """Refresh the GCMD vocabularies from the configured source; return counts per scheme."""
    from geospaas_processing.harvesting import update_vocabularies as update

    return {scheme: dict(summary) for scheme, summary in update().items()}
