"""Finding and running the Syntool command-line tools (argument lists, never a shell)."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from geospaas_processing import config
from geospaas_processing.converters.errors import ConversionToolError, ConversionToolMissing

__all__ = ['command', 'run_command']

# Enough of a tool's output to carry its own explanation, not a whole log.
OUTPUT_TAIL_CHARACTERS = 2000


def command(variable: str) -> list[str]:
    """The command configured in ``variable`` as an argument list, checked to be installed.

    The value is a command name found on ``PATH`` or a path, optionally followed
    by arguments (split like a shell would, but never run by one).

    Raises:
        ConversionToolMissing: the command cannot be found; the message names it
            and the variable that configures it.
    """
    value = config.get(variable) or ''
    arguments = shlex.split(value)
    if not arguments or shutil.which(arguments[0]) is None:
        raise ConversionToolMissing(
            f'the command {value!r} is not installed or not executable: install it '
            f'or set {variable} to its path'
        )
    return arguments


def run_command(
    arguments: Sequence[str], *, cwd: Path | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a tool and return its completed process (stdout and stderr as text).

    Raises:
        ConversionToolError: the tool exited with an error (its output tail attached).
    """
    try:
        completed = subprocess.run(
            list(arguments),
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise ConversionToolMissing(f'{arguments[0]} is not installed: {exc}') from exc
    except subprocess.TimeoutExpired as exc:
        raise ConversionToolError(f'{arguments[0]} did not finish within {timeout}s') from exc
    if completed.returncode != 0:
        output = (completed.stderr or completed.stdout or '').strip()[-OUTPUT_TAIL_CHARACTERS:]
        raise ConversionToolError(
            f'{Path(arguments[0]).name} exited with status {completed.returncode}: {output}',
            output=output,
            returncode=completed.returncode,
        )
    return completed
