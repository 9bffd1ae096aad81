"""Fixtures of the harvesting tests: the loopback provider emulators and harvest configurations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from geospaas_processing.harvesting.config import HarvestConfig, ProviderConfig
from tests.harvesting.servers import JSONServer, resto_feature, resto_route, stac_item, stac_route


@pytest.fixture
def stac_server() -> Iterator[JSONServer]:
    """A STAC API on loopback serving 25 valid items."""
    with JSONServer(stac_route, [stac_item(index) for index in range(25)]) as server:
        yield server


@pytest.fixture
def resto_server() -> Iterator[JSONServer]:
    """A CREODIAS-like resto endpoint on loopback serving 12 features."""
    with JSONServer(resto_route, [resto_feature(index) for index in range(12)]) as server:
        yield server


def provider(name: str, type_name: str, url: str, **settings) -> ProviderConfig:
    """A provider configuration with fast retries, for tests."""
    settings.setdefault('backoff', 0.01)
    settings.setdefault('timeout', 5)
    return ProviderConfig(name=name, type=type_name, url=url, **settings)


@pytest.fixture
def harvest_config(stac_server: JSONServer, resto_server: JSONServer) -> HarvestConfig:
    """Providers ``stac`` (page size 10) and ``creodias`` (page size 5) on the emulators."""
    return HarvestConfig(
        {
            'stac': provider('stac', 'stac', stac_server.url, page_size=10),
            'creodias': provider(
                'creodias',
                'resto',
                f'{resto_server.url}/resto/api/collections/{{collection}}/search.json',
                page_size=5,
            ),
        }
    )
