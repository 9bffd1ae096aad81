"""The one YAML loader of the package's configuration files, with ``!ENV`` for environment values.

``!ENV`` reads an environment variable when the file is loaded::

    password: !ENV CREODIAS_PASSWORD               # required: unset is an error
    password: !ENV ${CREODIAS_PASSWORD}            # the same
    username: !ENV ${CREODIAS_USERNAME:-}          # optional: unset or empty reads as null
    page_size: !ENV ${PAGE_SIZE:-100}              # optional with a default (a string)

An unset required variable is a :class:`YAMLConfigError` naming the variable, the file and
the line, and saying how to give a default. An empty value reads as null (no value).
The variables named in these files are the deployment's (credentials, hosts), not the
package's own settings, which :mod:`geospaas_processing.config` lists.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from geospaas_processing.errors import ConfigurationError

_REFERENCE = re.compile(
    r'^(?:\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}'
    r'|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))$'
)


class YAMLConfigError(ConfigurationError):
    """A configuration file cannot be read, is not YAML, or names an unset variable.

    Attributes:
        path: the file.
        line: the 1-based line of the problem, when known.
    """

    def __init__(self, message: str, path: str, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line

    def __reduce__(self):
        return type(self), (str(self), self.path, self.line)


class _EnvLoader(yaml.SafeLoader):
    """A safe YAML loader resolving ``!ENV`` from the environment."""


def _resolve_env(loader: _EnvLoader, node: yaml.Node) -> str | None:
    text = str(loader.construct_scalar(node)).strip()
    line = node.start_mark.line + 1
    match = _REFERENCE.match(text)
    if match is None:
        raise YAMLConfigError(
            f'{loader.name}, line {line}: !ENV expects a variable name such as NAME, '
            f'${{NAME}} or ${{NAME:-default}}, got {text!r}',
            loader.name,
            line,
        )
    name = match.group('braced') or match.group('bare')
    value = os.environ.get(name)
    if not value and match.group('default') is not None:
        value = match.group('default')
    if value is None:
        raise YAMLConfigError(
            f'{loader.name}, line {line}: the environment variable {name} is not set; '
            f'set it, or give a default in the file: !ENV ${{{name}:-default}} '
            f'(!ENV ${{{name}:-}} for none)',
            loader.name,
            line,
        )
    return value or None


_EnvLoader.add_constructor('!ENV', _resolve_env)


def parse_yaml(text: str, source: str = '<string>') -> Any:
    """Parse YAML text with ``!ENV``; ``source`` names it in error messages."""
    loader = _EnvLoader(text)
    loader.name = source
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise YAMLConfigError(f'{source} is not valid YAML: {exc}', source) from exc
    finally:
        loader.dispose()


def load_yaml(path: str | os.PathLike) -> Any:
    """Read and parse a YAML configuration file with ``!ENV``.

    Raises:
        YAMLConfigError: the file cannot be read, is not valid YAML, or names an
            unset variable without a default.
    """
    file_path = Path(path).expanduser()
    try:
        text = file_path.read_text(encoding='utf-8')
    except OSError as exc:
        raise YAMLConfigError(
            f'cannot read {file_path}: {exc.strerror or exc}', str(file_path)
        ) from exc
    return parse_yaml(text, str(file_path))
