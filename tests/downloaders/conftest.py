"""Fixtures of the downloader tests: provider settings files and catalog datasets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml


@pytest.fixture
def settings_file(tmp_path: Path):
    """Write a provider settings file from a mapping (or raw text) and return its path."""

    def write(content) -> Path:
        path = tmp_path / f'provider_settings_{len(list(tmp_path.glob("provider_*")))}.yml'
        text = content if isinstance(content, str) else yaml.safe_dump(content)
        path.write_text(text)
        return path

    return write


@pytest.fixture
def make_dataset(db):
    """Create a catalog dataset with URIs ``[(uri, service), ...]`` and return it."""
    from geospaas_processing.catalog.records import DatasetRecord, create_dataset

    def make(entry_id: str, uris, start: datetime | None = None, **kwargs):
        start = start or datetime(2024, 3, 1, 12, tzinfo=UTC)
        record = DatasetRecord(
            entry_id,
            start,
            start,
            'POLYGON((0 60,10 60,10 70,0 70,0 60))',
            uris=list(uris),
            **kwargs,
        )
        return create_dataset(record)

    return make
