"""Retry the ingestion of the search results kept in ``GEOSPAAS_FAILED_INGESTIONS_DIR``."""

from __future__ import annotations

import logging
from typing import Any, TypedDict

from geospaas_processing import config
from geospaas_processing.harvesting.config import (
    CONFIG_VARIABLE,
    HarvestConfig,
    ProviderConfig,
    load_harvest_config,
)
from geospaas_processing.harvesting.errors import HarvestConfigurationError, NormalizationError

logger = logging.getLogger(__name__)


class RetrySummary(TypedDict):
    """What a retry did: results retried, now in the catalog, and still failing."""

    retried: int
    succeeded: int
    failed: int
    errors: list[str]


def retry_ingestion(harvest_config: HarvestConfig | None = None) -> RetrySummary:
    """Re-ingest every kept failure; remove the ones that now succeed.

    A result is normalized again by its provider (taken from the harvest
    configuration when it still names it, else built from the stored provider
    type), so a fixed provider or vocabulary lets old failures in. Results that
    fail again stay, with their new error and one more attempt counted.
    """
    import geospaas_processing

    geospaas_processing.setup()
    from geospaas_processing.harvesting.failures import FailedIngestionStore
    from geospaas_processing.harvesting.ingest import CatalogIngester

    if harvest_config is None and config.get(CONFIG_VARIABLE):
        harvest_config = load_harvest_config()
    store, ingester = FailedIngestionStore(), CatalogIngester()
    summary: RetrySummary = {'retried': 0, 'succeeded': 0, 'failed': 0, 'errors': []}
    providers: dict[tuple[str, str], Any] = {}
    for entry in store.entries():
        summary['retried'] += 1
        error = _retry_one(entry, ingester, providers, harvest_config)
        if error is None:
            entry.path.unlink(missing_ok=True)
            summary['succeeded'] += 1
        else:
            store.record(entry.provider_name, entry.provider_type, entry.result, error)
            summary['failed'] += 1
            summary['errors'].append(f'{entry.path.name}: {error}')
    for provider in providers.values():
        provider.close()
    return summary


def _retry_one(
    entry, ingester, providers: dict, harvest_config: HarvestConfig | None
) -> str | None:
    try:
        provider = _provider(entry.provider_name, entry.provider_type, providers, harvest_config)
        dataset = provider.normalize(entry.result)
    except (NormalizationError, HarvestConfigurationError) as exc:
        return f'invalid result: {exc}'
    result = ingester.ingest([dataset])
    return result.failed[0][1] if result.failed else None


def _provider(name: str, type_name: str, providers: dict, harvest_config: HarvestConfig | None):
    from geospaas_processing.harvesting.providers import create_provider

    key = (name, type_name)
    if key not in providers:
        if harvest_config is not None and name in harvest_config.providers:
            provider_config = harvest_config.providers[name]
        else:
            provider_config = ProviderConfig(name=name, type=type_name)
        providers[key] = create_provider(provider_config)
    return providers[key]
