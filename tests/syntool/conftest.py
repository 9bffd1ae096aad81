"""Fixtures of the Syntool tests (defined in tests/syntool/fixtures.py)."""

from tests.syntool.fixtures import (  # noqa: F401
    portal_database,
    reader_tools,
    real_syntool_tools,
    results_dir,
    syntool_tools,
)
