"""Fill the catalog from search providers (STAC APIs, resto/CREODIAS, local directories).

The functions the harvesting tasks call, all returning JSON-serializable values:

- :func:`plan_harvest` validates a search configuration and splits it into one
  ``{'provider_name', 'search_parameters'}`` dict per search;
- :func:`save_search_results` walks one search's pages into the catalog and
  returns its summary (found, created, updated, failed, complete, errors);
- :func:`retry_ingestion` re-ingests the results kept after failures;
- :func:`update_vocabularies` loads the GCMD keywords.

:func:`harvest` runs a whole search configuration in this process (what the
``geospaas-processing harvest`` command does). Nothing here imports Django
models until a function is called.
"""

from __future__ import annotations

from geospaas_processing.harvesting.config import (
    HarvestConfig,
    ProviderConfig,
    load_harvest_config,
)
from geospaas_processing.harvesting.errors import (
    HarvestConfigurationError,
    HarvestError,
    NormalizationError,
    ProviderError,
    VocabularyError,
)
from geospaas_processing.harvesting.recovery import RetrySummary, retry_ingestion
from geospaas_processing.harvesting.searches import (
    PlannedSearch,
    SearchSummary,
    harvest,
    plan_harvest,
    save_search_results,
)
from geospaas_processing.harvesting.vocabularies import update_vocabularies

__all__ = [
    'HarvestConfig',
    'HarvestConfigurationError',
    'HarvestError',
    'NormalizationError',
    'PlannedSearch',
    'ProviderConfig',
    'ProviderError',
    'RetrySummary',
    'SearchSummary',
    'VocabularyError',
    'harvest',
    'load_harvest_config',
    'plan_harvest',
    'retry_ingestion',
    'save_search_results',
    'update_vocabularies',
]
