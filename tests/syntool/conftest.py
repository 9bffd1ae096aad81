"""Fixtures of the Syntool tests (defined in tests/syntool/fixtures.py)."""

from tests.syntool.fixtures import portal_database, results_dir, syntool_tools  # noqa: F401
