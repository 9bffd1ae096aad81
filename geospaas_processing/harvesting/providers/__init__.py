"""The provider types by name: ``stac``, ``resto``, ``local``, and any registered later.

A provider class is imported only when first used. To add a type, write one
module with a :class:`~geospaas_processing.harvesting.providers.base.BaseProvider`
subclass and register it::

    register_provider_type('mytype', 'mypackage.myprovider:MyProvider')
"""

from __future__ import annotations

import importlib

from geospaas_processing.harvesting.config import ProviderConfig
from geospaas_processing.harvesting.errors import HarvestConfigurationError

_REGISTRY: dict[str, str] = {}


def register_provider_type(type_name: str, class_path: str) -> None:
    """Register ``module:Class`` as the provider of ``type_name``; a duplicate is refused."""
    if type_name in _REGISTRY:
        raise ValueError(f'provider type {type_name!r} is already registered')
    _REGISTRY[type_name] = class_path


def provider_types() -> list[str]:
    """The registered provider type names, sorted."""
    return sorted(_REGISTRY)


def provider_class(type_name: str) -> type:
    """The provider class of a type name; HarvestConfigurationError when unknown."""
    try:
        module_name, class_name = _REGISTRY[type_name].split(':')
    except KeyError:
        raise HarvestConfigurationError(
            f'unknown provider type {type_name!r}: use one of {", ".join(provider_types())}'
        ) from None
    return getattr(importlib.import_module(module_name), class_name)


def create_provider(provider_config: ProviderConfig):
    """An instance of the provider class for ``provider_config.type``."""
    return provider_class(provider_config.type)(provider_config)


register_provider_type('stac', 'geospaas_processing.harvesting.providers.stac:STACProvider')
register_provider_type('resto', 'geospaas_processing.harvesting.providers.resto:RestoProvider')
register_provider_type(
    'local', 'geospaas_processing.harvesting.providers.local:LocalDirectoryProvider'
)
