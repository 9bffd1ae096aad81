"""Plan a harvest from a search configuration and walk each search into the catalog.

A search configuration (the argument of the ``start_harvest`` task and the
``--search`` file of the CLI)::

    {'common': {'start_time': '2022-08-01', 'end_time': '2022-08-02'},
     'searches': [{'provider_name': 'creodias', 'collection': 'Sentinel3'}]}

``common`` holds what every search shares (``start_time``, ``end_time``, an
optional WKT ``location``...); each search names a provider of the harvest
configuration and adds its own parameters, which win over the common ones.
Every value returned here is JSON-serializable, for Celery.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, TypedDict

from geospaas_processing.harvesting.config import HarvestConfig, load_harvest_config
from geospaas_processing.harvesting.errors import HarvestConfigurationError, ProviderError

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000


class PlannedSearch(TypedDict):
    """One search of a plan: the provider's name and the merged search parameters."""

    provider_name: str
    search_parameters: dict[str, Any]


class SearchSummary(TypedDict):
    """What a search did. ``complete`` is False when a page failed for good."""

    provider_name: str
    search_parameters: dict[str, Any]
    pages: int
    found: int
    created: int
    updated: int
    failed: int
    complete: bool
    errors: list[str]


def plan_harvest(
    search_config: Mapping[str, Any], harvest_config: HarvestConfig | None = None
) -> list[PlannedSearch]:
    """Validate a search configuration and split it into one parameter dict per search.

    Args:
        search_config: ``{'common': {...}, 'searches': [{'provider_name': ...}, ...]}``.
        harvest_config: the providers; by default read from
            ``GEOSPAAS_PROCESSING_HARVEST_CONFIG``.

    Raises:
        HarvestConfigurationError: naming the key, value or provider that is wrong.
    """
    from geospaas_processing.harvesting.providers.base import SearchWindow

    harvest_config = harvest_config or load_harvest_config()
    if not isinstance(search_config, Mapping):
        raise HarvestConfigurationError('the search configuration must be a mapping')
    common = search_config.get('common') or {}
    searches = search_config.get('searches')
    if not isinstance(common, Mapping):
        raise HarvestConfigurationError('"common" of the search configuration must be a mapping')
    if not isinstance(searches, list) or not searches:
        raise HarvestConfigurationError(
            'the search configuration needs a non-empty "searches" list'
        )
    plan: list[PlannedSearch] = []
    for index, search in enumerate(searches):
        if not isinstance(search, Mapping) or not search.get('provider_name'):
            raise HarvestConfigurationError(
                f'searches[{index}] must be a mapping with "provider_name"'
            )
        provider = harvest_config.provider(str(search['provider_name']))
        parameters = {**common, **{k: v for k, v in search.items() if k != 'provider_name'}}
        try:
            SearchWindow.from_parameters(parameters)
        except HarvestConfigurationError as exc:
            raise HarvestConfigurationError(f'searches[{index}]: {exc}') from exc
        plan.append({'provider_name': provider.name, 'search_parameters': _plain(parameters)})
    return plan


def _plain(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Dates read from YAML become ISO strings, so that the plan is JSON-serializable."""
    from datetime import date

    return {
        key: value.isoformat() if isinstance(value, date) else value
        for key, value in parameters.items()
    }


def save_search_results(
    provider_name: str,
    search_parameters: dict[str, Any],
    *,
    harvest_config: HarvestConfig | None = None,
    progress: Callable[[SearchSummary], None] | None = None,
) -> SearchSummary:
    """Walk a search's result pages and write them into the catalog.

    Results that cannot be ingested are kept in ``GEOSPAAS_FAILED_INGESTIONS_DIR``
    and the walk goes on. A page that fails for good stops the walk; the pages
    before it stay in the catalog and the summary says ``complete: False``.

    Args:
        provider_name: a provider of the harvest configuration.
        search_parameters: the merged parameters of one planned search.
        harvest_config: the providers; by default read from the environment.
        progress: called with the running summary after each page.

    Raises:
        HarvestConfigurationError: unknown provider or invalid parameters.
    """
    import geospaas_processing

    geospaas_processing.setup()
    from geospaas_processing.harvesting.failures import FailedIngestionStore
    from geospaas_processing.harvesting.ingest import CatalogIngester, ingest_results
    from geospaas_processing.harvesting.providers import create_provider

    harvest_config = harvest_config or load_harvest_config()
    provider = create_provider(harvest_config.provider(provider_name))
    summary = _empty_summary(provider_name, search_parameters)
    ingester, store = CatalogIngester(), FailedIngestionStore()
    try:
        for page in provider.search(search_parameters):
            summary['pages'] += 1
            summary['found'] += len(page.results)
            for start in range(0, len(page.results), BATCH_SIZE):
                counts = ingest_results(
                    provider, page.results[start : start + BATCH_SIZE], ingester, store
                )
                for key in ('created', 'updated', 'failed'):
                    summary[key] += counts[key]
            if progress:
                progress(summary)
    except ProviderError as exc:
        logger.error('%s: search stopped after %d pages: %s', provider_name, summary['pages'], exc)
        summary['complete'] = False
        summary['errors'].append(str(exc))
    finally:
        provider.close()
    return summary


def _empty_summary(provider_name: str, search_parameters: dict[str, Any]) -> SearchSummary:
    return {
        'provider_name': provider_name,
        'search_parameters': _plain(search_parameters),
        'pages': 0,
        'found': 0,
        'created': 0,
        'updated': 0,
        'failed': 0,
        'complete': True,
        'errors': [],
    }


def harvest(
    search_config: Mapping[str, Any],
    harvest_config: HarvestConfig | None = None,
    progress: Callable[[SearchSummary], None] | None = None,
) -> list[SearchSummary]:
    """Plan and run every search of ``search_config`` one after the other, in this process."""
    harvest_config = harvest_config or load_harvest_config()
    return [
        save_search_results(
            search['provider_name'],
            search['search_parameters'],
            harvest_config=harvest_config,
            progress=progress,
        )
        for search in plan_harvest(search_config, harvest_config)
    ]
