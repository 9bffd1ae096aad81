"""The harvest configuration (YAML) and the search configurations that name its providers.

A harvest configuration file looks like::

    vocabularies:
      source: https://gcmd.earthdata.nasa.gov/kms/concepts/concept_scheme/{scheme}?format=csv
    providers:
      - name: creodias
        type: resto
        url: https://datahub.creodias.eu/resto/api/collections/{collection}/search.json
        username: !ENV CREODIAS_USERNAME
        password: !ENV CREODIAS_PASSWORD
        page_size: 100
        requests_per_second: 2
        data_center: ESA/EO

``providers`` may also be a mapping from name to settings. Every key is validated
here: an unknown key (a typo) is an error naming it, as in the provider settings;
provider-specific values go under an ``options`` mapping. ``!ENV`` is resolved by
:mod:`geospaas_processing.yaml_config` (unset: an error, unless a default is given).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from geospaas_processing import config
from geospaas_processing.harvesting.errors import HarvestConfigurationError
from geospaas_processing.yaml_config import YAMLConfigError, load_yaml

CONFIG_VARIABLE = 'GEOSPAAS_PROCESSING_HARVEST_CONFIG'

_NUMERIC_KEYS = {
    'page_size': (int, 1),
    'requests_per_second': (float, 0),
    'timeout': (float, 0),
    'max_retries': (int, 0),
    'backoff': (float, 0),
}
_TEXT_KEYS = ('url', 'username', 'password', 'token', 'data_center')
_PROVIDER_KEYS = ('name', 'type', *_TEXT_KEYS, *_NUMERIC_KEYS, 'options')
_TOP_LEVEL_KEYS = ('providers', 'vocabularies')


@dataclass(frozen=True)
class ProviderConfig:
    """The settings of one provider, validated.

    ``requests_per_second`` of None means no rate limit; ``backoff`` is the first
    wait in seconds before a retry, doubled at each further retry.
    """

    name: str
    type: str
    url: str = ''
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    page_size: int = 100
    requests_per_second: float | None = None
    timeout: float = 60.0
    max_retries: int = 3
    backoff: float = 2.0
    data_center: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HarvestConfig:
    """A whole harvest configuration: the providers by name and the vocabulary source."""

    providers: dict[str, ProviderConfig]
    vocabulary_source: str | None = None
    path: str = '<memory>'

    def provider(self, name: str) -> ProviderConfig:
        """The provider called ``name``; a HarvestConfigurationError naming it when unknown."""
        try:
            return self.providers[name]
        except KeyError:
            known = ', '.join(sorted(self.providers)) or 'none'
            raise HarvestConfigurationError(
                f'unknown provider {name!r}: {self.path} defines {known}'
            ) from None


def read_yaml(path: str | os.PathLike) -> Any:
    """Parse a YAML file (with ``!ENV``), or raise a HarvestConfigurationError naming it."""
    try:
        return load_yaml(path)
    except YAMLConfigError as exc:
        raise HarvestConfigurationError(str(exc)) from exc


def load_harvest_config(path: str | os.PathLike | None = None) -> HarvestConfig:
    """Read and validate the harvest configuration.

    Args:
        path: the YAML file; by default the one named by
            ``GEOSPAAS_PROCESSING_HARVEST_CONFIG``.

    Raises:
        HarvestConfigurationError: the file is missing or unreadable, or keys are
            missing or invalid (all of them named in one message).
    """
    if path is None:
        path = config.get(CONFIG_VARIABLE)
        if path is None:
            raise HarvestConfigurationError(
                f'no harvest configuration: set {CONFIG_VARIABLE} to the harvest YAML file'
            )
    return parse_harvest_config(read_yaml(path), str(path))


def parse_harvest_config(document: Any, path: str = '<memory>') -> HarvestConfig:
    """Validate an already parsed harvest configuration (see :func:`load_harvest_config`)."""
    if not isinstance(document, Mapping):
        raise HarvestConfigurationError(f'{path}: expected a mapping with a "providers" key')
    entries = _provider_entries(document.get('providers'), path)
    problems: list[str] = []
    unknown = sorted(str(name) for name in document if name not in _TOP_LEVEL_KEYS)
    if unknown:
        problems.append(
            f'unknown top-level key(s) {", ".join(unknown)} (known: providers, vocabularies)'
        )
    providers: dict[str, ProviderConfig] = {}
    for key, entry in entries:
        provider = _provider(entry, key, problems)
        if provider is None:
            continue
        if provider.name in providers:
            problems.append(f'{key}: provider name {provider.name!r} is used twice')
        providers[provider.name] = provider
    vocabulary_source = _vocabulary_source(document.get('vocabularies'), problems)
    if problems:
        raise HarvestConfigurationError(f'{path}: ' + '; '.join(problems))
    return HarvestConfig(providers, vocabulary_source, path)


def _provider_entries(raw: Any, path: str) -> list[tuple[str, Any]]:
    if isinstance(raw, Mapping):
        return [
            (f'providers.{name}', {'name': name, **(entry or {})})
            if isinstance(entry, Mapping) or entry is None
            else (f'providers.{name}', entry)
            for name, entry in raw.items()
        ]
    if isinstance(raw, list) and raw:
        return [(f'providers[{index}]', entry) for index, entry in enumerate(raw)]
    raise HarvestConfigurationError(f'{path}: "providers" must be a non-empty list or mapping')


def _provider(entry: Any, key: str, problems: list[str]) -> ProviderConfig | None:
    if not isinstance(entry, Mapping):
        problems.append(f'{key} must be a mapping')
        return None
    problems_before = len(problems)
    _check_name_and_type(entry, key, problems)
    values: dict[str, Any] = {}
    for name in _TEXT_KEYS:
        if entry.get(name) is not None:
            values[name] = str(entry[name])
    for name, (kind, minimum) in _NUMERIC_KEYS.items():
        if entry.get(name) is not None:
            values[name] = _number(entry[name], kind, minimum, f'{key}.{name}', problems)
    if not values.get('url'):
        problems.append(f'{key}.url is required (for a local provider: the directory)')
    options = entry.get('options') or {}
    if not isinstance(options, Mapping):
        problems.append(f'{key}.options must be a mapping')
    unknown = sorted(str(name) for name in entry if name not in _PROVIDER_KEYS)
    if unknown:
        problems.append(
            f'{key}: unknown key(s) {", ".join(unknown)} (known: {", ".join(_PROVIDER_KEYS)})'
        )
    if len(problems) > problems_before:
        return None
    return ProviderConfig(name=entry['name'], type=entry['type'], options=dict(options), **values)


def _check_name_and_type(entry: Mapping, key: str, problems: list[str]) -> None:
    from geospaas_processing.harvesting.providers import provider_types

    for required in ('name', 'type'):
        if not isinstance(entry.get(required), str) or not entry.get(required):
            problems.append(f'{key}.{required} is required (a string)')
    if isinstance(entry.get('type'), str) and entry['type'] not in provider_types():
        problems.append(f'{key}.type {entry["type"]!r} is not one of {", ".join(provider_types())}')


def _number(value: Any, kind: type, minimum: float, key: str, problems: list[str]) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        problems.append(f'{key} must be a number, got {value!r}')
        return None
    if isinstance(value, bool) or number < minimum:
        problems.append(f'{key} must be at least {minimum}, got {value!r}')
    return number


def _vocabulary_source(raw: Any, problems: list[str]) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or not isinstance(raw.get('source'), str):
        problems.append('vocabularies.source must be a URL template, a directory or "snapshot"')
        return None
    return raw['source']
