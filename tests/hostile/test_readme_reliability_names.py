"""The README's Reliability section names, for each guarantee, the test that holds it.

A guarantee whose test was renamed or removed would be a promise nothing checks: every test
module and test function the section names must exist.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _reliability_section() -> str:
    text = (ROOT / 'README.md').read_text(encoding='utf-8')
    start = text.index('\n## Reliability\n')
    end = text.index('\n## ', start + 1)
    return text[start:end]


def _test_sources() -> str:
    return '\n'.join(
        path.read_text(encoding='utf-8') for path in (ROOT / 'tests').rglob('test_*.py')
    ) + (ROOT / 'tests' / 'downloaders' / 'contract.py').read_text(encoding='utf-8')


def test_every_test_file_the_reliability_section_names_exists():
    section = _reliability_section()
    files = set(re.findall(r'(test_[a-z0-9_]+\.py)', section))
    assert files, 'the Reliability section names no test file'
    existing = {path.name for path in (ROOT / 'tests').rglob('test_*.py')}
    assert sorted(files - existing) == []


def test_every_test_function_the_reliability_section_names_exists():
    section = _reliability_section()
    names = set(re.findall(r'\b(test_[a-z0-9_]+)\b(?!\.py)', section))
    sources = _test_sources()
    missing = [name for name in sorted(names) if f'def {name}(' not in sources]
    assert missing == []
