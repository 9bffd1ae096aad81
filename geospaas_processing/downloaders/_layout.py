"""Where each dataset's file goes: the download directory, strftime-resolved, plus a safe name."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from geospaas_processing.downloaders._files import dataset_directory_name
from geospaas_processing.downloaders.errors import DownloadError


class DownloadLayout:
    """The directories of the datasets under a download directory.

    ``download_directory`` may contain strftime placeholders (``/data/%Y/%m/%d``), filled
    per dataset from its ``time_coverage_start``. The *root* is the part before the first
    component holding a placeholder; returned paths are relative to it. Each dataset gets
    a subdirectory named after its ``entry_id`` (see :func:`dataset_directory_name`),
    which can never point outside the download directory.
    """

    def __init__(self, download_directory: str | os.PathLike) -> None:
        self.template = os.fspath(download_directory)
        parts = Path(self.template).expanduser().absolute().parts
        fixed = []
        for part in parts:
            if '%' in part:
                break
            fixed.append(part)
        self.root = Path(*fixed)
        self.templated = len(fixed) < len(parts)

    def directory(self, dataset_id: int, entry_id: str, time: datetime | None) -> Path:
        """The absolute directory of a dataset.

        Raises:
            DownloadError: the template needs a time and the dataset has none.
        """
        base = Path(self.template).expanduser().absolute()
        if self.templated:
            if time is None:
                raise DownloadError(
                    f'dataset {dataset_id} has no time_coverage_start to fill the placeholders '
                    f'of {self.template}',
                    dataset_id=dataset_id,
                )
            base = Path(time.strftime(str(base)))
        return base / dataset_directory_name(entry_id, dataset_id)

    def relative(self, path: Path) -> str:
        """``path`` relative to the root."""
        return os.path.relpath(path, self.root)
