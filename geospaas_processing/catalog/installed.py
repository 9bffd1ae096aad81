"""Which Django apps provide the ``catalog`` and ``vocabularies`` models the package works with.

A deployment installs either this package's own apps (``geospaas_processing.catalog`` and
``geospaas_processing.vocabularies``) or django-geo-spaas's (``geospaas.catalog`` and
``geospaas.vocabularies``): both have the same app labels, tables and migration names. The
package uses the models of whichever pair the project installed, and refuses to start,
saying which setting to change, when a label is missing or the two come from different
packages.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from geospaas_processing.errors import ConfigurationError

LABELS = ('vocabularies', 'catalog')
_OWN_PACKAGE = 'geospaas_processing'


def models_module(label: str) -> ModuleType:
    """The module holding the model classes of the app installed under ``label``.

    Raises:
        ConfigurationError: no app has that label, or ``catalog`` and ``vocabularies``
            come from different packages.
    """
    names = {each: _installed_app_name(each) for each in LABELS}
    owners = {name.partition('.')[0] for name in names.values()}
    if len(owners) > 1:
        raise ConfigurationError(
            f'INSTALLED_APPS mixes {names["catalog"]!r} and {names["vocabularies"]!r}: install '
            "the 'catalog' and 'vocabularies' apps of one package, either "
            "'geospaas_processing.catalog' and 'geospaas_processing.vocabularies' or "
            "GeoSPaaS's 'geospaas.catalog' and 'geospaas.vocabularies'"
        )
    name = names[label]
    if name == f'{_OWN_PACKAGE}.{label}':
        return import_module(f'{name}._models')
    return import_module(f'{name}.models')


def uses_own_apps() -> bool:
    """Whether the project installed this package's own catalog apps (not GeoSPaaS's)."""
    return _installed_app_name('catalog') == f'{_OWN_PACKAGE}.catalog'


def _installed_app_name(label: str) -> str:
    from django.apps import apps

    try:
        return apps.get_app_config(label).name
    except LookupError:
        raise ConfigurationError(
            f'no installed Django app has the label {label!r}: add '
            f"'geospaas_processing.{label}' (or GeoSPaaS's 'geospaas.{label}') to INSTALLED_APPS"
        ) from None
