"""Bad command-line values: exit 2, one line on stderr, no traceback, nothing written (item 16).

Each case runs ``geospaas-download`` and ``geospaas-copy`` as real commands on the test
catalog. Reference: GNU coreutils ``date -d 'nan hours ago'`` answers ``date: invalid date
'nan hours ago'`` on one line (exit 1); curl reports a malformed option value as one
``curl: (2)``/``(3)`` line. Every case here ended in a Python traceback before.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import catalog_environment, run_command

pytestmark = pytest.mark.django_db(transaction=True)

COMMANDS = ('geospaas_processing.cli.download', 'geospaas_processing.cli.delete_and_copy')


def _assert_usage_error(tmp_path: Path, arguments: list[str], message: str) -> None:
    for command in COMMANDS:
        destination = tmp_path / command.rsplit('.', 1)[1]
        result = run_command([command, '-d', str(destination), *arguments], catalog_environment())
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert 'Traceback' not in result.stderr, (command, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, (command, result.stderr)
        assert message in result.stderr, (command, result.stderr)
        assert not destination.exists(), command


def test_cli_entry_id_regex_that_does_not_compile(tmp_path: Path) -> None:
    _assert_usage_error(tmp_path, ['-q', '{"entry_id__regex": "("}'], 'not a valid regular')


def test_cli_dataseturi_regex_that_does_not_compile(tmp_path: Path) -> None:
    _assert_usage_error(
        tmp_path, ['-q', '{"dataseturi__uri__regex": "("}'], 'not a valid regular expression'
    )


@pytest.mark.parametrize('hours', ['nan', 'inf', '1e20'])
def test_cli_relative_begin_that_is_not_a_finite_number_of_hours(tmp_path: Path, hours) -> None:
    _assert_usage_error(tmp_path, ['-r', '-b', hours], 'finite number of hours')


def test_cli_begin_out_of_range_in_utc(tmp_path: Path) -> None:
    _assert_usage_error(tmp_path, ['-b', '9999-12-31T23:59:59-12:00'], 'out of range')


def test_cli_query_integer_beyond_64_bits(tmp_path: Path) -> None:
    _assert_usage_error(tmp_path, ['-q', '{"id": 99999999999999999999999}'], 'out of range')
