"""Every environment variable the package reads, with its default and meaning.

This module is the only place that reads ``os.environ`` for the package's own
settings. Values are read when asked for (not at import), so a script or a test
can change the environment before calling the package.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from geospaas_processing.errors import ConfigurationError


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name, default (``None``: unset) and meaning."""

    name: str
    default: str | None
    meaning: str
    secret: bool = False


def _default_data_dir() -> str:
    return platformdirs.user_data_dir('geospaas_processing', appauthor=False)


VARIABLES: tuple[Variable, ...] = (
    # Catalog database
    Variable(
        'GEOSPAAS_DB_HOST',
        None,
        'PostGIS host. When set, the catalog is on PostGIS; otherwise on SpatiaLite.',
    ),
    Variable('GEOSPAAS_DB_PORT', '5432', 'PostGIS port.'),
    Variable('GEOSPAAS_DB_NAME', 'geodjango', 'PostGIS database name.'),
    Variable('GEOSPAAS_DB_USER', 'user', 'PostGIS user.'),
    Variable('GEOSPAAS_DB_PASSWORD', None, 'PostGIS password.', secret=True),
    Variable(
        'GEOSPAAS_DB_PATH',
        None,
        'SpatiaLite catalog file used when GEOSPAAS_DB_HOST is unset '
        '(default: catalog.sqlite3 in the per-user data directory).',
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
    ),
    Variable(
        'GEOSPAAS_PROCESSING_PROVIDER_SETTINGS_PATH',
        None,
        'YAML file of per-provider download settings (default: the packaged file).',
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
    ),
    # Redis and Celery
    Variable(
        'GEOSPAAS_PROCESSING_REDIS_HOST',
        None,
        'Redis host for locks, download limits and token caches shared across hosts.',
    ),
    Variable('GEOSPAAS_PROCESSING_REDIS_PORT', '6379', 'Redis port.'),
    Variable(
        'GEOSPAAS_PROCESSING_LOCK_EXPIRY',
        '60',
        'Seconds before a dataset lock or download slot of a dead holder frees itself '
        '(holders renew theirs while they work).',
    ),
    Variable(
        'GEOSPAAS_PROCESSING_LOCK_RETRY_DELAY',
        '30',
        'Seconds a task waits before trying again a dataset that another task has locked.',
    ),
    Variable(
        'GEOSPAAS_PROCESSING_BROKER',
        None,
        'Celery broker URL (amqp://... or redis://...). Unset: tasks run in-process.',
    ),
    Variable(
        'GEOSPAAS_PROCESSING_RESULT_BACKEND',
        None,
        'Celery result backend URL (default: the catalog database via django-celery-results).',
    ),
    Variable('GEOSPAAS_PROCESSING_LOGGING_HOST', None, 'Graylog host for GELF logging.'),
    Variable('GEOSPAAS_PROCESSING_LOGGING_PORT', '12201', 'Graylog GELF port.'),
    Variable(
        'GEOSPAAS_PROCESSING_LOGGING_PROTOCOL', 'tcp', 'GELF transport to Graylog: tcp or udp.'
    ),
    # Publication
    Variable(
        'GEOSPAAS_PROCESSING_PUBLISH_PREFIX',
        '',
        'URL prefix of the work directory for in-place publication (empty: /<path>).',
    ),
    Variable('GEOSPAAS_PROCESSING_FTP_HOST', None, 'Host receiving published files over SSH.'),
    Variable('GEOSPAAS_PROCESSING_FTP_ROOT', None, 'Root directory of the FTP tree on that host.'),
    Variable('GEOSPAAS_PROCESSING_FTP_PATH', None, 'Project directory under the FTP root.'),
    # Conversion
    Variable(
        'GEOSPAAS_PROCESSING_FTP_FREE_OLDEST',
        'false',
        'true: when the FTP host lacks room, delete the oldest published files there.',
    ),
    Variable(
        'GEOSPAAS_PROCESSING_AUXILIARY_PATH',
        None,
        'Directory of auxiliary files needed by some converters '
        '(default: auxiliary/ in the per-user data directory).',
    ),
    Variable(
        'GEOSPAAS_PROCESSING_AUXILIARY_URL',
        None,
        'Base URL of a mirror serving auxiliary files as <name>/<version>/<file> '
        "(default: each file's own source).",
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
    Variable(
        'GEOSPAAS_PROCESSING_SYNTOOL_PYTHON',
        'python',
        "Python of the Syntool tools' environment (with GDAL), which runs the package's "
        'GDAL readers.',
    ),
    Variable('SYNTOOL_DATABASE_HOST', None, 'Syntool portal MySQL/MariaDB host.'),
    Variable('SYNTOOL_DATABASE_PORT', '3306', 'Syntool portal database port.'),
    Variable('SYNTOOL_DATABASE_NAME', None, 'Syntool portal database name.'),
    Variable('SYNTOOL_DATABASE_USER', None, 'Syntool portal database user.'),
    Variable('SYNTOOL_DATABASE_PASSWORD', None, 'Syntool portal database password.', secret=True),
    # Harvesting
    Variable('GEOSPAAS_PROCESSING_HARVEST_CONFIG', None, 'YAML file of the harvesting providers.'),
    Variable(
        'GEOSPAAS_FAILED_INGESTIONS_DIR',
        None,
        'Directory where search results that could not be ingested are kept '
        '(default: failed_ingestions/ in the per-user data directory).',
    ),
)

_BY_NAME = {variable.name: variable for variable in VARIABLES}


def get(name: str) -> str | None:
    """Return the value of a documented variable, or its default when unset or empty."""
    try:
        variable = _BY_NAME[name]
    except KeyError:
        raise KeyError(f'{name} is not a documented geospaas_processing variable') from None
    value = os.environ.get(name)
    return value if value else variable.default


def get_int(name: str) -> int | None:
    """Return a documented variable as an integer; a non-integer value is a ConfigurationError."""
    value = get(name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise ConfigurationError(f'{name} must be an integer, got {value!r}') from None


_TRUE = frozenset({'1', 'true', 'yes', 'on'})
_FALSE = frozenset({'0', 'false', 'no', 'off'})


def get_bool(name: str) -> bool:
    """Return a documented variable as a boolean (true/false, yes/no, on/off, 1/0)."""
    value = (get(name) or 'false').strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f'{name} must be true or false, got {value!r}')


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
    value = get(name)
    return Path(value).expanduser() if value else data_dir() / default_leaf


def spatialite_path() -> Path:
    """Path of the embedded SpatiaLite catalog."""
    return _path_or_default('GEOSPAAS_DB_PATH', 'catalog.sqlite3')


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


def redis_address() -> tuple[str, int] | None:
    """``(host, port)`` of the Redis server shared by the workers, or None without Redis."""
    host = get('GEOSPAAS_PROCESSING_REDIS_HOST')
    if host is None:
        return None
    return host, get_int('GEOSPAAS_PROCESSING_REDIS_PORT') or 6379


def describe() -> str:
    """A plain-text table of every variable, its current value (secrets hidden) and meaning."""
    lines = []
    for variable in VARIABLES:
        raw = os.environ.get(variable.name)
        if raw and variable.secret:
            shown = '(set, hidden)'
        elif raw:
            shown = raw
        else:
            shown = f'(default: {variable.default})' if variable.default else '(unset)'
        lines.append(f'{variable.name} = {shown}\n    {variable.meaning}')
    return '\n'.join(lines)
