"""Row 5: ``geospaas-download --dry-run`` on a PostGIS catalog of 1,000,000 datasets.

The dry run selects about 100,000 of them (one year of ten); the anchor is psql running the
same join. Targets: first line < 1 s, total <= 2x psql, memory flat. The catalog is built
once with COPY and kept (see ``_catalog.py``).

    .venv/bin/python benchmarks/dry_run_large_catalog.py [--quick] [--runs 2]

``--quick`` selects about 10,000 (five weeks) of the same catalog.
"""

from __future__ import annotations

import argparse

import _dry_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='about 10,000 selected, 1 run')
    parser.add_argument('--runs', type=int, help='timed runs of each (default 2; quick 1)')
    parser.add_argument('--size', type=int, default=1_000_000, help='datasets in the catalog')
    arguments = parser.parse_args()
    end = '2020-02-06' if arguments.quick else '2021-01-01'
    _dry_run.compare(
        f'5. --dry-run, catalog of {arguments.size:,}, 2020-01-01..{end}',
        'dry_run_large_catalog',
        arguments.size,
        '2020-01-01',
        end,
        arguments.runs or (1 if arguments.quick else 2),
        'first line < 1 s, <= 2.0',
    )


if __name__ == '__main__':
    main()
