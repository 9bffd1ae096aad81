"""The provider types by name: ``stac``, ``resto``, ``local``, and any registered later.

A provider class is imported only when first used (a
:class:`geospaas_processing.registry.Registry` of ``module:Class`` entries). To add a
type, write one module with a
:class:`~geospaas_processing.harvesting.providers.base.BaseProvider` subclass and
register it::

    register_provider_type('mytype', 'mypackage.myprovider:MyProvider')
"""

from __future__ import annotations

from geospaas_processing.harvesting.config import ProviderConfig
from geospaas_processing.harvesting.errors import HarvestConfigurationError
from geospaas_processing.registry import Registry

#: The provider classes by type name.
registry: Registry = Registry('provider type')


def register_provider_type(
    type_name: str,
    class_path: str,
    *,
    requires: tuple[str, ...] = (),
    extra: str | None = None,
) -> None:
    """Register ``module:Class`` as the provider of ``type_name``; a duplicate is refused.

    Args:
        requires: modules the provider needs beyond the plain install.
        extra: the extra of geospaas_processing that installs them.

    Raises:
        ValueError: ``type_name`` is already registered.
    """
    registry.register(type_name, class_path, requires=requires, extra=extra)


def provider_types() -> list[str]:
    """The registered provider type names, sorted."""
    return registry.names()


def provider_class(type_name: str) -> type:
    """The provider class of a type name.

    Raises:
        HarvestConfigurationError: the type is unknown.
        MissingDependencyError: its optional dependency is missing (names the extra).
    """
    if type_name not in registry:
        raise HarvestConfigurationError(
            f'unknown provider type {type_name!r}: use one of {", ".join(provider_types())}'
        )
    return registry.load(type_name)


def create_provider(provider_config: ProviderConfig):
    """An instance of the provider class for ``provider_config.type``."""
    return provider_class(provider_config.type)(provider_config)


register_provider_type('stac', 'geospaas_processing.harvesting.providers.stac:STACProvider')
register_provider_type('resto', 'geospaas_processing.harvesting.providers.resto:RestoProvider')
register_provider_type(
    'local', 'geospaas_processing.harvesting.providers.local:LocalDirectoryProvider'
)
