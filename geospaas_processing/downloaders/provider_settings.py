"""Per-provider download settings: a YAML file mapping URL prefixes to settings.

The file is the ``provider_settings_path`` given to the manager, else
``GEOSPAAS_PROCESSING_PROVIDER_SETTINGS_PATH``, else the packaged
``provider_settings.yml``. Values tagged ``!ENV NAME`` are read from the environment
(see :mod:`geospaas_processing.yaml_config`: unset is an error unless the file gives a
default). For a URL, the longest matching prefix wins.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geospaas_processing import config
from geospaas_processing.downloaders.errors import ProviderSettingsError
from geospaas_processing.yaml_config import YAMLConfigError, load_yaml

DEFAULT_PATH = Path(__file__).with_name('provider_settings.yml')
AUTHENTICATION_TYPES = ('oauth2',)
#: Below this many bytes per second for ``LOW_SPEED_TIME`` seconds, a transfer gives up.
LOW_SPEED_LIMIT = 1000
LOW_SPEED_TIME = 60.0
TOKEN_PLACEMENTS = ('header', 'url')


@dataclass(frozen=True)
class ProviderSettings:
    """The settings of the provider serving the URLs that start with ``prefix``.

    ``repr`` never shows the secrets (password, TOTP secret, request parameter values).

    Besides credentials and limits: ``redirect_hosts`` lists the other hosts (``host`` or
    ``host:port``) that credentials may follow a redirect to (by default only the same
    origin gets them); ``allow_html`` accepts a ``text/html`` answer for a file that is not
    an HTML page; a transfer slower than ``low_speed_limit`` bytes per second for
    ``low_speed_time`` seconds stops with a retriable error, keeping its partial file
    (``low_speed_limit: 0`` turns the check off; the read timeout is then 120 s).
    """

    prefix: str = ''
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    max_parallel_downloads: int | None = None
    authentication_type: str | None = None
    token_url: str | None = None
    client_id: str | None = None
    totp_secret: str | None = field(default=None, repr=False)
    token_placement: str = 'header'
    token_parameter_name: str = 'access_token'
    request_parameters: Mapping[str, str] = field(default_factory=dict, repr=False)
    invalid_status_codes: Mapping[int, str] = field(default_factory=dict)
    redirect_hosts: tuple[str, ...] = ()
    allow_html: bool = False
    low_speed_limit: int = LOW_SPEED_LIMIT
    low_speed_time: float = LOW_SPEED_TIME

    def secrets(self) -> list[str]:
        """Every secret value of these settings, to redact them wherever they might show."""
        values = [self.password, self.totp_secret, *self.request_parameters.values()]
        return [str(value) for value in values if value]


_STRING_KEYS = (
    'username',
    'password',
    'authentication_type',
    'token_url',
    'client_id',
    'totp_secret',
    'token_placement',
    'token_parameter_name',
)
VALID_KEYS = (
    *_STRING_KEYS,
    'max_parallel_downloads',
    'request_parameters',
    'invalid_status_codes',
    'redirect_hosts',
    'allow_html',
    'low_speed_limit',
    'low_speed_time',
)


class ProviderSettingsRegistry:
    """The settings of every configured provider, looked up by URL."""

    def __init__(self, providers: Mapping[str, ProviderSettings], path: str) -> None:
        self.path = path
        self._providers = dict(providers)
        self._prefixes = sorted(self._providers, key=len, reverse=True)

    def for_url(self, url: str) -> ProviderSettings:
        """The settings of the longest prefix of ``url``; empty settings when none matches."""
        for prefix in self._prefixes:
            if url.startswith(prefix):
                return self._providers[prefix]
        return ProviderSettings()

    def all(self) -> list[ProviderSettings]:
        """Every provider's settings, longest prefix first."""
        return [self._providers[prefix] for prefix in self._prefixes]

    def __repr__(self) -> str:
        return f'<ProviderSettingsRegistry {self.path} ({len(self._providers)} providers)>'


def settings_path(path: str | os.PathLike | None = None) -> Path:
    """The settings file in force: ``path``, else the environment variable, else the default."""
    if path is not None:
        return Path(path).expanduser()
    configured = config.get('GEOSPAAS_PROCESSING_PROVIDER_SETTINGS_PATH')
    return Path(configured).expanduser() if configured else DEFAULT_PATH


def load(path: str | os.PathLike | None = None) -> ProviderSettingsRegistry:
    """Read and validate a provider settings file (see :func:`settings_path`).

    Raises:
        ProviderSettingsError: unreadable file, invalid YAML, or invalid entries; the
            message names every wrong prefix and key at once.
    """
    file_path = settings_path(path)
    try:
        document = load_yaml(file_path)
    except YAMLConfigError as exc:
        raise ProviderSettingsError(f'provider settings: {exc}', path=str(file_path)) from exc
    return ProviderSettingsRegistry(parse(document, str(file_path)), str(file_path))


def parse(document: Any, source: str = '<settings>') -> dict[str, ProviderSettings]:
    """Validate a loaded settings document and return its settings by prefix.

    Raises:
        ProviderSettingsError: naming every invalid prefix and key.
    """
    if document is None:
        return {}
    if not isinstance(document, Mapping):
        raise ProviderSettingsError(
            f'{source}: the top level must map URL prefixes to settings, '
            f'got {type(document).__name__}',
            path=source,
        )
    problems: list[str] = []
    providers = {}
    for prefix, entry in document.items():
        settings = _parse_entry(prefix, entry, problems)
        if settings is not None:
            providers[str(prefix)] = settings
    if problems:
        raise ProviderSettingsError(f'{source}: ' + '; '.join(problems), path=source)
    return providers


def _parse_entry(prefix: Any, entry: Any, problems: list[str]) -> ProviderSettings | None:
    if not isinstance(prefix, str) or not prefix:
        problems.append(f'prefix {prefix!r} must be a non-empty string (a URL prefix)')
        return None
    if entry is None:
        entry = {}
    if not isinstance(entry, Mapping):
        problems.append(f'prefix {prefix!r}: settings must be a mapping of keys to values')
        return None
    before = len(problems)
    values: dict[str, Any] = {'prefix': prefix}
    for key, value in entry.items():
        checker = _CHECKERS.get(key)
        if checker is None:
            problems.append(
                f'prefix {prefix!r}: unknown key {key!r} (valid keys: {", ".join(VALID_KEYS)})'
            )
            continue
        checked = checker(value, f'prefix {prefix!r}: key {key!r}', problems)
        if checked is not None:
            values[key] = checked
    _check_oauth2(prefix, values, problems)
    return ProviderSettings(**values) if len(problems) == before else None


def _string(value: Any, where: str, problems: list[str]) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    problems.append(f'{where} must be a string, got {type(value).__name__}')
    return None


def _positive_int(value: Any, where: str, problems: list[str]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems.append(f'{where} must be a positive integer, got {value!r}')
        return None
    return value


def _string_mapping(value: Any, where: str, problems: list[str]) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        problems.append(f'{where} must be a mapping of parameter names to values')
        return None
    return {str(name): str(item) for name, item in value.items() if item is not None}


def _status_codes(value: Any, where: str, problems: list[str]) -> dict[int, str] | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = dict.fromkeys(value, '')
    if not isinstance(value, Mapping):
        problems.append(f'{where} must be a list of HTTP status codes or a mapping code: reason')
        return None
    codes = {}
    for code, reason in value.items():
        if isinstance(code, bool) or not isinstance(code, int) or not 100 <= code <= 599:
            problems.append(f'{where}: {code!r} is not an HTTP status code')
            continue
        codes[code] = '' if reason is None else str(reason)
    return codes


_HOST = re.compile(r'^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$')


def _hosts(value: Any, where: str, problems: list[str]) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, list):
        problems.append(f'{where} must be a list of host names (host or host:port)')
        return None
    bad = [item for item in value if not isinstance(item, str) or not _HOST.match(item)]
    if bad:
        problems.append(
            f'{where}: {", ".join(repr(item) for item in bad)} is not a host name '
            '(give host or host:port, without scheme or path)'
        )
        return None
    return tuple(item.lower() for item in value)


def _boolean(value: Any, where: str, problems: list[str]) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    problems.append(f'{where} must be true or false, got {value!r}')
    return None


def _non_negative_number(value: Any, where: str, problems: list[str]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1e12:
        problems.append(f'{where} must be a non-negative number, got {value!r}')
        return None
    return value


def _positive_number(value: Any, where: str, problems: list[str]) -> float | None:
    checked = _non_negative_number(value, where, problems)
    if checked == 0:
        problems.append(f'{where} must be more than 0 seconds')
        return None
    return checked


def _choice(choices: tuple[str, ...]):
    def check(value: Any, where: str, problems: list[str]) -> str | None:
        if value is None or value in choices:
            return value
        problems.append(f'{where} must be one of {", ".join(choices)}, got {value!r}')
        return None

    return check


_CHECKERS = {
    **dict.fromkeys(_STRING_KEYS, _string),
    'authentication_type': _choice(AUTHENTICATION_TYPES),
    'token_placement': _choice(TOKEN_PLACEMENTS),
    'max_parallel_downloads': _positive_int,
    'request_parameters': _string_mapping,
    'invalid_status_codes': _status_codes,
    'redirect_hosts': _hosts,
    'allow_html': _boolean,
    'low_speed_limit': _non_negative_number,
    'low_speed_time': _positive_number,
}


def _check_oauth2(prefix: str, values: dict[str, Any], problems: list[str]) -> None:
    if values.get('authentication_type') != 'oauth2':
        return
    missing = [key for key in ('token_url', 'client_id') if not values.get(key)]
    if missing:
        problems.append(
            f'prefix {prefix!r}: authentication_type oauth2 needs the key(s) {", ".join(missing)}'
        )
