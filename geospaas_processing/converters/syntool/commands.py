"""Finding and running the Syntool command-line tools (argument lists, never a shell).

The tools are OceanDataLab's ``syntool-converter``, ``syntool-ingestor`` and
``syntool-meta2sql``. ``scripts/install_syntool.sh`` builds them into
``.venv-syntool/`` of the source tree; a command configured by its default name
is taken from there when present, else from ``PATH``.

Facts about the tools used here (source: ``../shared/vendor/syntool/README.md``):
GDAL 3 swaps longitude and latitude in the ingestor unless
``OSR_DEFAULT_AXIS_MAPPING_STRATEGY=TRADITIONAL_GIS_ORDER`` is set, and the
ingestor still exits 0, so every tool runs with that variable set (a value the
caller set is kept). The ingestor can exit 0 without writing anything (issue 14,
item 6, seen on the real tool), so callers check that it produced something and
report it with :func:`produced_nothing`.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from geospaas_processing import config
from geospaas_processing.converters.errors import ConversionToolError, ConversionToolMissing

__all__ = [
    'SOURCE_TREE_TOOLS',
    'command',
    'last_lines',
    'produced_nothing',
    'run_command',
    'tool_environment',
]

# Enough of a tool's output to carry its own explanation, not a whole log.
OUTPUT_TAIL_LINES = 20
SOURCE_TREE_TOOLS = Path(__file__).resolve().parents[3] / '.venv-syntool' / 'bin'
AXIS_ORDER_VARIABLE = 'OSR_DEFAULT_AXIS_MAPPING_STRATEGY'
AXIS_ORDER = 'TRADITIONAL_GIS_ORDER'


def command(variable: str) -> list[str]:
    """The command configured in ``variable`` as an argument list, checked to be installed.

    The value is a command name or a path, optionally followed by arguments
    (split like a shell would, but never run by one). A plain default name
    (``syntool-ingestor``) is looked up in ``.venv-syntool/bin`` of the source
    tree first, then on ``PATH``.

    Raises:
        ConversionToolMissing: the command cannot be found; the message names it
            and the variable that configures it.
    """
    value = config.get(variable) or ''
    arguments = shlex.split(value)
    if len(arguments) == 1 and os.sep not in arguments[0]:
        local = SOURCE_TREE_TOOLS / arguments[0]
        if os.access(local, os.X_OK):
            return [str(local)]
    if not arguments or shutil.which(arguments[0]) is None:
        raise ConversionToolMissing(
            f'the command {value!r} is not installed or not executable: install it '
            f'(scripts/install_syntool.sh builds .venv-syntool/) or set {variable} to its path'
        )
    return arguments


def tool_environment() -> dict[str, str]:
    """The environment the Syntool tools run in: ours, with GDAL's traditional axis order."""
    environment = dict(os.environ)
    environment.setdefault(AXIS_ORDER_VARIABLE, AXIS_ORDER)
    return environment


def last_lines(text: str, count: int = OUTPUT_TAIL_LINES) -> str:
    """The last ``count`` non-empty lines of a tool's output."""
    lines = [line for line in (text or '').splitlines() if line.strip()]
    return '\n'.join(lines[-count:])


def run_command(
    arguments: Sequence[str], *, cwd: Path | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a tool and return its completed process (stdout and stderr as text).

    Raises:
        ConversionToolError: the tool exited with an error; the message holds the
            command and the last lines of its output (also in ``output``).
    """
    try:
        completed = subprocess.run(
            list(arguments),
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=tool_environment(),
        )
    except FileNotFoundError as exc:
        raise ConversionToolMissing(f'{arguments[0]} is not installed: {exc}') from exc
    except subprocess.TimeoutExpired as exc:
        raise ConversionToolError(
            f'{Path(arguments[0]).name} did not finish within {timeout}s: {shlex.join(arguments)}'
        ) from exc
    if completed.returncode != 0:
        output = last_lines(f'{completed.stdout}\n{completed.stderr}')
        raise ConversionToolError(
            f'{Path(arguments[0]).name} exited with status {completed.returncode}\n'
            f'command: {shlex.join(arguments)}\n{output}',
            output=output,
            returncode=completed.returncode,
        )
    return completed


def produced_nothing(
    tool: str, arguments: Sequence[str], completed: subprocess.CompletedProcess[str]
) -> ConversionToolError:
    """The error of a tool that exited 0 without making its output (its last lines included)."""
    output = last_lines(f'{completed.stdout}\n{completed.stderr}')
    return ConversionToolError(
        f'{tool} exited 0 but produced nothing\ncommand: {shlex.join(arguments)}\n{output}',
        output=output,
        returncode=completed.returncode,
    )
