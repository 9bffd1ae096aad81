"""Search results that could not be ingested, kept as JSON files until a retry succeeds.

Each file holds the provider's name and type, the raw result as the provider gave
it, the last error and the number of attempts. The same result failing again
overwrites its file instead of adding one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geospaas_processing import config


@dataclass
class FailedIngestion:
    """One kept result: where it is stored, who gave it, what went wrong."""

    path: Path
    provider_name: str
    provider_type: str
    result: dict[str, Any]
    error: str
    attempts: int


class FailedIngestionStore:
    """The directory of failed ingestions (default: ``GEOSPAAS_FAILED_INGESTIONS_DIR``)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory else config.failed_ingestions_dir()

    def record(
        self, provider_name: str, provider_type: str, result: dict[str, Any], error: str
    ) -> Path:
        """Keep ``result`` with its error; return the file written."""
        self.directory.mkdir(parents=True, exist_ok=True)
        serialized = json.dumps(result, sort_keys=True, default=str)
        digest = hashlib.sha1(serialized.encode(), usedforsecurity=False).hexdigest()[:20]
        safe_name = re.sub(r'[^0-9A-Za-z_.-]', '_', provider_name)
        path = self.directory / f'{safe_name}-{digest}.json'
        attempts = self._attempts(path) + 1
        document = {
            'provider_name': provider_name,
            'provider_type': provider_type,
            'error': error,
            'attempts': attempts,
            'failed_at': datetime.now(UTC).isoformat(),
            'result': json.loads(serialized),
        }
        descriptor, temporary = tempfile.mkstemp(dir=self.directory, suffix='.tmp')
        with os.fdopen(descriptor, 'w', encoding='utf-8') as handle:
            json.dump(document, handle, indent=1)
        os.replace(temporary, path)
        return path

    def entries(self) -> Iterator[FailedIngestion]:
        """The kept failures, oldest file name order; unreadable files are skipped."""
        if not self.directory.is_dir():
            return
        for path in sorted(self.directory.glob('*.json')):
            try:
                document = json.loads(path.read_text(encoding='utf-8'))
                yield FailedIngestion(
                    path,
                    document['provider_name'],
                    document['provider_type'],
                    document['result'],
                    document.get('error', ''),
                    int(document.get('attempts', 1)),
                )
            except (OSError, ValueError, KeyError, TypeError):
                continue

    def count(self) -> int:
        """How many failures are kept."""
        return sum(1 for _ in self.directory.glob('*.json')) if self.directory.is_dir() else 0

    @staticmethod
    def _attempts(path: Path) -> int:
        try:
            return int(json.loads(path.read_text(encoding='utf-8')).get('attempts', 0))
        except (OSError, ValueError, TypeError):
            return 0
