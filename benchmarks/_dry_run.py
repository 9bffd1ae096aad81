"""Rows 5 and 6: ``geospaas-download --dry-run`` against psql running the same join."""

from __future__ import annotations

import tempfile
from pathlib import Path

import _catalog
import _harness as h


def compare(row: str, name: str, size: int, begin: str, end: str, runs: int, target: str) -> None:
    """Time the dry run selecting [begin, end] in the catalog of ``size`` datasets.

    nginx answers every ``/files/...`` URL with one 1 MiB file, so that HEAD requests get a
    size as from a real provider. psql runs the join the dry run needs (datasets in the
    range with their URIs, in dataset order) and prints it.
    """
    with tempfile.TemporaryDirectory(prefix='bench_dry_run_', dir='/var/tmp') as root:
        work, data = Path(root) / 'work', Path(root) / 'data'
        work.mkdir()
        data.mkdir()
        h.world_readable(data)
        h.write_random(data / 'one.nc', 2**20)
        _catalog.ensure(size, work)
        with h.Nginx(work / 'nginx', data) as nginx:
            _catalog.point_uris_at(size, nginx.base)
            env = _catalog.env_for(size, work)
            sql = (
                'SELECT d.entry_id, u.uri FROM catalog_dataset d'
                ' JOIN catalog_dataseturi u ON u.dataset_id = d.id'
                f" WHERE d.time_coverage_start >= '{begin}' AND d.time_coverage_end <= '{end}'"
                ' ORDER BY d.id, u.id'
            )
            ours = [
                str(h.BIN / 'geospaas-download'),
                '-d',
                str(work / 'out'),
                '-s',
                '100000000',
                '-b',
                begin,
                '-e',
                end,
                '--dry-run',
            ]
            comparison = h.alternate(
                row,
                'psql (same join)',
                lambda: h.timed([*_catalog.psql_command(size), '-c', sql], first_line=True),
                lambda: h.timed(ours, env=env, first_line=True),
                runs,
            )
    comparison.print(target)
    comparison.save(name, catalog_size=size, begin=begin, end=end)
