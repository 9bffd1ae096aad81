"""Every environment variable the package reads, with its default, meaning, parser and check.

This module is the only place that reads ``os.environ`` for the package's own
settings. Values are read when asked for (not at import), so a script or a test
can change the environment before calling the package. :func:`validate` checks
every variable at once (the commands and the workers call it when they start);
:func:`value` returns a variable's typed value, its default included, so call
sites repeat no defaults.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from geospaas_processing.errors import ConfigurationError

Parser = Callable[[str], Any]

_TRUE = frozenset({'1', 'true', 'yes', 'on'})
_FALSE = frozenset({'0', 'false', 'no', 'off'})


def _text(raw: str) -> str:
    return raw


def _integer(minimum: int) -> Parser:
    def parse(raw: str) -> int:
        try:
            number = int(raw)
        except ValueError:
            raise ValueError(f'must be an integer, got {raw!r}') from None
        if number < minimum:
            raise ValueError(f'must be at least {minimum}, got {raw!r}')
        return number

    return parse


def _port(raw: str) -> int:
    number = _integer(1)(raw)
    if number > 65535:
        raise ValueError(f'must be a port number (1-65535), got {raw!r}')
    return number


def _boolean(raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f'must be true or false, got {raw!r}')


def _url(*schemes: str) -> Parser:
    """A URL parser; with ``schemes``, only those are accepted."""

    def parse(raw: str) -> str:
        scheme = urlsplit(raw).scheme
        if '://' not in raw or (schemes and scheme not in schemes):
            expected = ' or '.join(f'{name}://' for name in schemes) if schemes else 'scheme://'
            raise ValueError(
                f'must be a URL starting with {expected}, got {mask_url_password(raw)!r}'
            )
        return raw

    return parse


def _path(raw: str) -> Path:
    return Path(raw).expanduser()


def _choice(*choices: str) -> Parser:
    """A parser accepting one of ``choices``, case-insensitively (returned in lower case)."""

    def parse(raw: str) -> str:
        if raw.strip().lower() not in choices:
            raise ValueError(f'must be one of {", ".join(choices)}, got {raw!r}')
        return raw.strip().lower()

    return parse


@dataclass(frozen=True)
class Variable:
    """One environment variable: name, default (``None``: unset), meaning, parser and check.

    ``parse`` turns the text into the typed value or raises ``ValueError`` whose message
    says what the value must be; ``url``: the value is a URL whose password is masked
    when shown.
    """

    name: str
    default: str | None
    meaning: str
    secret: bool = False
    parse: Parser = _text
    url: bool = False


def _default_data_dir() -> str:
    import platformdirs

    return platformdirs.user_data_dir('geospaas_processing', appauthor=False)


_BROKER_SCHEMES = ('amqp', 'amqps', 'pyamqp', 'redis', 'rediss', 'sentinel', 'sqs', 'memory')


VARIABLES: tuple[Variable, ...] = (
    # Catalog database
    Variable(
        'GEOSPAAS_DB_HOST',
        None,
        'PostGIS host. When set, the catalog is on PostGIS; otherwise on SpatiaLite.',
    ),
    Variable('GEOSPAAS_DB_PORT', '5432', 'PostGIS port.', parse=_port),
    Variable('GEOSPAAS_DB_NAME', 'geodjango', 'PostGIS database name.'),
    Variable('GEOSPAAS_DB_USER', 'user', 'PostGIS user.'),
    Variable('GEOSPAAS_DB_PASSWORD', None, 'PostGIS password.', secret=True),
    Variable(
        'GEOSPAAS_DB_PATH',
        None,
        'SpatiaLite catalog file used when GEOSPAAS_DB_HOST is unset '
        '(default: catalog.sqlite3 in the per-user data directory).',
        parse=_path,
    ),
    Variable(
        'GDAL_LIBRARY_PATH',
        None,
        'Path of the GDAL library when GeoDjango does not find it by itself.',
    ),
    Variable(
        'GEOS_LIBRARY_PATH',
        None,
        'Path of the GEOS C library when GeoDjango does not find it by itself.',
    ),
    Variable(
        'SPATIALITE_LIBRARY_PATH',
        None,
        'Name or path of the SpatiaLite extension (default: mod_spatialite).',
    ),
    # Downloads and work directories
    Variable(
        'GEOSPAAS_PROCESSING_WORK_DIR',
        None,
        'Directory where the tasks download and process files '
        '(default: work/ in the per-user data directory).',
        parse=_path,
    ),
    Variable(
        'GEOSPAAS_PROCESSING_PROVIDER_SETTINGS_PATH',
        None,
        'YAML file of per-provider download settings (default: the packaged file).',
        parse=_path,
    ),
    Variable(
        'GEOSPAAS_PROCESSING_LOCAL_SOURCE_DIRS',
        None,
        'Directories (separated by ":") that datasets with local URIs (file:// or paths) may '
        'be copied from; unset: none (local URIs are refused).',
    ),
    Variable(
        'GEOSPAAS_PROCESSING_LOCKS_DIR',
        None,
        'Directory of the host-local file locks used when Redis is not configured '
        '(default: locks/ in the per-user data directory).',
        parse=_path,
    ),
    # Redis and Celery
    Variable(
        'GEOSPAAS_PROCESSING_REDIS_HOST',
        None,
        'Redis host for locks, download limits and token caches shared across hosts.',
    ),
    Variable('GEOSPAAS_PROCESSING_REDIS_PORT', '6379', 'Redis port.', parse=_port),
    Variable(
        'GEOSPAAS_PROCESSING_LOCK_EXPIRY',
        '60',
        'Seconds before a dataset lock or download slot of a dead holder frees itself '
        '(holders renew theirs while they work); a positive number, 0 is an error.',
        parse=_integer(1),
    ),
    Variable(
        'GEOSPAAS_PROCESSING_LOCK_RETRY_DELAY',
        '30',
        'Seconds a task waits before trying again a dataset that another task has locked.',
        parse=_integer(0),
    ),
    Variable(
        'GEOSPAAS_PROCESSING_RETRY_BACKOFF',
        '60',
        'Seconds before the first retry of a task after a temporary failure; doubled at each '
        'retry, with random jitter (read when the worker starts).',
        parse=_integer(1),
    ),
    Variable(
        'GEOSPAAS_PROCESSING_RETRY_MAX_COUNTDOWN',
        '1500',
        'Longest wait in seconds before a task is retried (backoff, Retry-After); keep it under '
        "the broker's consumer_timeout (RabbitMQ: 1800 by default).",
        parse=_integer(1),
    ),
    Variable(
        'GEOSPAAS_PROCESSING_BROKER',
        None,
        'Celery broker URL (amqp://... or redis://...). Unset: tasks run in-process.',
        parse=_url(*_BROKER_SCHEMES),
        url=True,
    ),
    Variable(
        'GEOSPAAS_PROCESSING_RESULT_BACKEND',
        None,
        'Celery result backend URL (default: the catalog database via django-celery-results).',
        parse=_url(),
        url=True,
    ),
    Variable('GEOSPAAS_PROCESSING_LOGGING_HOST', None, 'Graylog host for GELF logging.'),
    Variable('GEOSPAAS_PROCESSING_LOGGING_PORT', '12201', 'Graylog GELF port.', parse=_port),
    Variable(
        'GEOSPAAS_PROCESSING_LOGGING_PROTOCOL',
        'tcp',
        'GELF transport to Graylog: tcp or udp.',
        parse=_choice('tcp', 'udp'),
    ),
    # Publication
    Variable(
        'GEOSPAAS_PROCESSING_PUBLISH_PREFIX',
        None,
        'URL prefix of the work directory for in-place publication.',
        parse=_url('http', 'https', 'ftp'),
        url=True,
    ),
    Variable('GEOSPAAS_PROCESSING_FTP_HOST', None, 'Host receiving published files over SSH.'),
    Variable('GEOSPAAS_PROCESSING_FTP_ROOT', None, 'Root directory of the FTP tree on that host.'),
    Variable('GEOSPAAS_PROCESSING_FTP_PATH', None, 'Project directory under the FTP root.'),
    # Conversion
    Variable(
        'GEOSPAAS_PROCESSING_FTP_FREE_OLDEST',
        'false',
        'true: when the FTP host lacks room, delete the oldest published files there.',
        parse=_boolean,
    ),
    Variable(
        'GEOSPAAS_PROCESSING_AUXILIARY_PATH',
        None,
        'Directory of auxiliary files needed by some converters '
        '(default: auxiliary/ in the per-user data directory).',
        parse=_path,
    ),
    Variable(
        'GEOSPAAS_PROCESSING_AUXILIARY_URL',
        None,
        'Base URL of a mirror serving auxiliary files as <name>/<version>/<file> '
        "(default: each file's own source).",
        parse=_url('http', 'https', 'ftp', 'file'),
        url=True,
    ),
    Variable(
        'GEOSPAAS_PROCESSING_IDF_CONVERTER',
        None,
        'The idf-converter command (default: .venv-idf/bin/idf-converter in the source tree '
        'if present, else idf-converter on PATH).',
    ),
    Variable(
        'GEOSPAAS_PROCESSING_SYNTOOL_RESULTS_DIR',
        None,
        'Directory of the Syntool portal data (ingested results go under ingested/; '
        'default: the work directory).',
        parse=_path,
    ),
    Variable(
        'GEOSPAAS_PROCESSING_SYNTOOL_CONVERTER',
        'syntool-converter',
        'Command (name or path) of the Syntool converter.',
    ),
    Variable(
        'GEOSPAAS_PROCESSING_SYNTOOL_INGESTOR',
        'syntool-ingestor',
        'Command (name or path) of the Syntool ingestor.',
    ),
    Variable(
        'GEOSPAAS_PROCESSING_SYNTOOL_META2SQL',
        'syntool-meta2sql',
        'Command (name or path) turning Syntool metadata.json files into SQL.',
    ),
    Variable('SYNTOOL_DATABASE_HOST', None, 'Syntool portal MySQL/MariaDB host.'),
    Variable('SYNTOOL_DATABASE_PORT', '3306', 'Syntool portal database port.', parse=_port),
    Variable('SYNTOOL_DATABASE_NAME', None, 'Syntool portal database name.'),
    Variable('SYNTOOL_DATABASE_USER', None, 'Syntool portal database user.'),
    Variable('SYNTOOL_DATABASE_PASSWORD', None, 'Syntool portal database password.', secret=True),
    # Harvesting
    Variable(
        'GEOSPAAS_PROCESSING_HARVEST_CONFIG',
        None,
        'YAML file of the harvesting providers.',
        parse=_path,
    ),
    Variable(
        'GEOSPAAS_FAILED_INGESTIONS_DIR',
        None,
        'Directory where search results that could not be ingested are kept '
        '(default: failed_ingestions/ in the per-user data directory).',
        parse=_path,
    ),
)

_BY_NAME = {variable.name: variable for variable in VARIABLES}


def get(name: str) -> str | None:
    """Return the text of a documented variable, or its default when unset or empty."""
    variable = _variable(name)
    raw = os.environ.get(name)
    return raw if raw else variable.default


def _variable(name: str) -> Variable:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f'{name} is not a documented geospaas_processing variable') from None


def value(name: str) -> Any:
    """The typed value of a documented variable (its default when unset or empty; None if none).

    Raises:
        ConfigurationError: the value does not pass the variable's check.
    """
    variable = _variable(name)
    raw = get(name)
    if raw is None:
        return None
    try:
        return variable.parse(raw)
    except ValueError as exc:
        raise ConfigurationError(f'{name} {exc}') from None


def get_int(name: str) -> int | None:
    """Return a documented variable as an integer; a non-integer value is a ConfigurationError."""
    parsed = value(name)
    if parsed is None or isinstance(parsed, int):
        return parsed
    raw = str(parsed)
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f'{name} must be an integer, got {raw!r}') from None


def get_bool(name: str) -> bool:
    """Return a documented variable as a boolean (true/false, yes/no, on/off, 1/0)."""
    raw = get(name) or 'false'
    try:
        return _boolean(raw)
    except ValueError as exc:
        raise ConfigurationError(f'{name} {exc}') from None


def validate() -> None:
    """Check every set variable; raise one ConfigurationError naming every bad one.

    The commands and the workers call this when they start, so that a wrong value
    stops them at once instead of failing the first task that reads it.
    """
    problems = []
    for variable in VARIABLES:
        raw = os.environ.get(variable.name)
        if not raw:
            continue
        try:
            variable.parse(raw)
        except ValueError as exc:
            problems.append(f'{variable.name} {exc}')
    if problems:
        raise ConfigurationError(
            'invalid environment: '
            + '; '.join(problems)
            + ' (see "geospaas-processing config" for each variable\'s meaning)'
        )


def require(*names: str) -> dict[str, str]:
    """Return the values of the given variables, or raise one error naming all the unset ones."""
    values = {name: get(name) for name in names}
    missing = [name for name, value in values.items() if value is None]
    if missing:
        raise ConfigurationError(
            f'set the environment variable(s) {", ".join(missing)}'
            ' (see "geospaas-processing config" for their meaning)'
        )
    return values  # type: ignore[return-value]


def data_dir() -> Path:
    """The per-user directory holding the embedded catalog, locks and work files by default."""
    return Path(_default_data_dir())


def _path_or_default(name: str, default_leaf: str) -> Path:
    configured = value(name)
    return configured if configured is not None else data_dir() / default_leaf


def spatialite_path() -> Path:
    """Path of the embedded SpatiaLite catalog."""
    return _path_or_default('GEOSPAAS_DB_PATH', 'catalog.sqlite3')


def spatialite_path_is_explicit() -> bool:
    """Whether GEOSPAAS_DB_PATH names the catalog file (rather than the default location)."""
    return get('GEOSPAAS_DB_PATH') is not None


def work_dir() -> Path:
    """Directory where the tasks download and process files."""
    return _path_or_default('GEOSPAAS_PROCESSING_WORK_DIR', 'work')


def locks_dir() -> Path:
    """Directory of the host-local file locks."""
    return _path_or_default('GEOSPAAS_PROCESSING_LOCKS_DIR', 'locks')


def auxiliary_dir() -> Path:
    """Directory of converters' auxiliary files."""
    return _path_or_default('GEOSPAAS_PROCESSING_AUXILIARY_PATH', 'auxiliary')


def failed_ingestions_dir() -> Path:
    """Directory where failed harvest ingestions are kept for retry."""
    return _path_or_default('GEOSPAAS_FAILED_INGESTIONS_DIR', 'failed_ingestions')


def uses_postgis() -> bool:
    """Whether the catalog is on PostGIS (GEOSPAAS_DB_HOST set) rather than SpatiaLite."""
    return get('GEOSPAAS_DB_HOST') is not None


def postgis_address() -> str:
    """``user@host:port/database`` of the PostGIS catalog (no password)."""
    return (
        f'{get("GEOSPAAS_DB_USER")}@{get("GEOSPAAS_DB_HOST")}:'
        f'{get("GEOSPAAS_DB_PORT")}/{get("GEOSPAAS_DB_NAME")}'
    )


def catalog_description() -> str:
    """Which catalog the package uses: ``PostGIS user@host:port/db`` or ``SpatiaLite <path>``."""
    if uses_postgis():
        return f'PostGIS {postgis_address()}'
    return f'SpatiaLite {spatialite_path()}'


def redis_address() -> tuple[str, int] | None:
    """``(host, port)`` of the Redis server shared by the workers, or None without Redis."""
    host = get('GEOSPAAS_PROCESSING_REDIS_HOST')
    if host is None:
        return None
    return host, value('GEOSPAAS_PROCESSING_REDIS_PORT')


def mask_url_password(url: str) -> str:
    """The URL with the password of its userinfo replaced by ``***`` (``amqp://u:***@h/``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.password is None:
        return url
    userinfo = f'{parts.username or ""}:***'
    host = parts.netloc.rsplit('@', 1)[1]
    return urlunsplit(parts._replace(netloc=f'{userinfo}@{host}'))


def _shown_value(variable: Variable) -> str:
    raw = os.environ.get(variable.name)
    if raw and variable.secret:
        return '(set, hidden)'
    if raw:
        return mask_url_password(raw) if variable.url else raw
    return f'(default: {variable.default})' if variable.default else '(unset)'


def describe() -> str:
    """A plain-text report: the catalog and work directory in use, then every variable.

    Secrets are hidden and the passwords inside URLs masked.
    """
    lines = [
        f'catalog in use: {catalog_description()}',
        f'work directory: {work_dir()}',
        '',
    ]
    for variable in VARIABLES:
        lines.append(f'{variable.name} = {_shown_value(variable)}\n    {variable.meaning}')
    return '\n'.join(lines)
