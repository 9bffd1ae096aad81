"""Run the ``idf-converter`` command, installed apart from the package.

idf-converter pins ``numpy<2``; to keep that pin out of the package's own
environment it lives in its own virtual environment (``scripts/install_idf_converter.sh``
makes ``.venv-idf/``) and runs as a command. The command is, in order:
``GEOSPAAS_PROCESSING_IDF_CONVERTER``; ``.venv-idf/bin/idf-converter`` in the
source tree when present; ``idf-converter`` on ``PATH``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Mapping
from pathlib import Path

from geospaas_processing import config
from geospaas_processing.converters.errors import ConversionToolError, ConversionToolMissing

COMMAND_NAME = 'idf-converter'
INSTALL_HINT = (
    # PyPI's package is "idf-converter" (console script idf-converter, Requires-Dist
    # numpy<2.0): a virtual environment of its own keeps that pin out of the package's.
    'install it in a virtual environment of its own (it pins numpy<2): '
    '"python3 -m venv ~/.venv-idf && ~/.venv-idf/bin/pip install idf-converter", then set '
    'GEOSPAAS_PROCESSING_IDF_CONVERTER=~/.venv-idf/bin/idf-converter; in a source tree, '
    'scripts/install_idf_converter.sh makes .venv-idf/ the same way'
)
SKIPPED_MARKER = 'Skipping this file'
_OUTPUT_TAIL_LINES = 30
_SOURCE_TREE_COMMAND = Path(__file__).resolve().parents[3] / '.venv-idf' / 'bin' / COMMAND_NAME


def idf_converter_command() -> str:
    """The path of the idf-converter executable.

    Raises:
        ConversionToolMissing: the configured or default command cannot be found;
            the message names it and says how to install it.
    """
    configured = config.get('GEOSPAAS_PROCESSING_IDF_CONVERTER')
    if configured:
        found = shutil.which(os.path.expanduser(configured))
        if found is None:
            raise ConversionToolMissing(
                f'GEOSPAAS_PROCESSING_IDF_CONVERTER is {configured!r}, which is not an '
                f'executable command; {INSTALL_HINT}'
            )
        return found
    if os.access(_SOURCE_TREE_COMMAND, os.X_OK):
        return str(_SOURCE_TREE_COMMAND)
    found = shutil.which(COMMAND_NAME)
    if found is None:
        raise ConversionToolMissing(
            f'the {COMMAND_NAME} command was found neither at {_SOURCE_TREE_COMMAND} nor on '
            f'PATH; {INSTALL_HINT}'
        )
    return found


def run_idf_converter(
    parameter_file: Path,
    input_path: Path,
    output_directory: Path,
    input_options: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> str:
    """Run idf-converter with a parameter file on one input, writing under ``output_directory``.

    Options given here override those of the parameter file.

    Args:
        parameter_file: the reader (``-t``) and its ``-i``/``-o`` options.
        input_path: the file or product directory to convert.
        output_directory: where idf-converter writes ``<collection>/<granule>/``.
        input_options: further ``-i key=value`` options (auxiliary file paths, ...).
        timeout: seconds before the command is stopped (default: none).

    Returns:
        What the command printed on its standard error (its log).

    Raises:
        ConversionToolMissing: the command is not installed.
        ConversionToolError: the command failed, timed out, or skipped the file;
            ``output`` holds the end of its log.
    """
    command = [
        idf_converter_command(),
        f'{parameter_file}@',
        '-i',
        _option('path', input_path),
        *(_option(key, value) for key, value in (input_options or {}).items()),
        '-o',
        _option('path', output_directory),
    ]
    try:
        process = _run(command, timeout)
    except subprocess.TimeoutExpired as exc:
        raise ConversionToolError(
            f'idf-converter did not finish converting {input_path} within {timeout} s',
            output=_tail(exc.stderr),
        ) from exc
    except OSError as exc:
        raise ConversionToolMissing(
            f'the idf-converter command {command[0]} could not be started ({exc.strerror}); '
            f'{INSTALL_HINT}'
        ) from exc
    log = _tail(process.stderr)
    if process.returncode != 0:
        raise ConversionToolError(
            f'idf-converter failed on {input_path} with {parameter_file.name} '
            f'(exit status {process.returncode}): {_last_line(log)}',
            output=log,
            returncode=process.returncode,
        )
    if SKIPPED_MARKER in process.stderr:
        raise ConversionToolError(
            f'idf-converter skipped {input_path} with {parameter_file.name}: {_last_line(log)}',
            output=log,
            returncode=process.returncode,
        )
    return process.stderr


def _run(command: list[str], timeout: float | None) -> subprocess.CompletedProcess[str]:
    """Run the command in its own process group, all of which is killed on timeout.

    A wrapper script's children would otherwise keep the output pipes open.
    """
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as expired:
            os.killpg(process.pid, signal.SIGKILL)
            _, stderr = process.communicate()
            expired.stderr = stderr
            raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _option(key: str, value: object) -> str:
    text = str(value)
    if any(character.isspace() for character in text):
        return f'{key}="{text}"'
    return f'{key}={text}'


def _tail(text: str | bytes | None) -> str:
    if text is None:
        return ''
    if isinstance(text, bytes):
        text = text.decode(errors='replace')
    return '\n'.join(text.strip().splitlines()[-_OUTPUT_TAIL_LINES:])


def _last_line(log: str) -> str:
    lines = [line for line in log.splitlines() if line.strip()]
    return lines[-1].strip() if lines else '(no message)'
