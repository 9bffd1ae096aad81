"""Where each job's file goes: the download directory, strftime-resolved, plus a safe name."""

from __future__ import annotations

import os
from pathlib import Path

from geospaas_processing.downloaders._files import dataset_directory_name
from geospaas_processing.downloaders.errors import DownloadError
from geospaas_processing.downloaders.jobs import DownloadJob


class DownloadLayout:
    """The directories of the jobs under a download directory.

    ``download_directory`` may contain strftime placeholders (``/data/%Y/%m/%d``), filled
    per job from its ``time``. The *root* is the part before the first component holding a
    placeholder; returned paths are relative to it. Each job gets a subdirectory named
    after its ``entry_id`` (see :func:`dataset_directory_name`), which can never point
    outside the download directory. :meth:`directory` is the one place computing it: the
    download, the plan and the removal all use it.
    """

    def __init__(self, download_directory: str | os.PathLike) -> None:
        self.template = os.fspath(download_directory)
        self._base = Path(self.template).expanduser().absolute()
        fixed = []
        for part in self._base.parts:
            if '%' in part:
                break
            fixed.append(part)
        self.root = Path(*fixed)
        self.templated = len(fixed) < len(self._base.parts)

    def directory(self, job: DownloadJob) -> Path:
        """The absolute directory of a job.

        Raises:
            DownloadError: the template needs a time and the job has none.
        """
        base = self._base
        if self.templated:
            if job.time is None:
                raise DownloadError(
                    f'dataset {job.entry_id} has no time_coverage_start to fill the '
                    f'placeholders of {self.template}',
                    dataset_id=job.dataset_id,
                )
            base = Path(job.time.strftime(str(base)))
        return base / dataset_directory_name(job.entry_id, job.dataset_id or 0)

    def relative(self, path: Path) -> str:
        """``path`` relative to the root."""
        return os.path.relpath(path, self.root)
