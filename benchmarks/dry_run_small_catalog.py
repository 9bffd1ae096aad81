"""Row 6: ``geospaas-download --dry-run`` on a small PostGIS catalog (1,000 datasets).

Selects about 100 of them; the anchor is psql running the same join. Target <= 2x psql.

    .venv/bin/python benchmarks/dry_run_small_catalog.py [--quick] [--runs 7]
"""

from __future__ import annotations

import argparse

import _dry_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='3 runs')
    parser.add_argument('--runs', type=int, help='timed runs of each (default 7; quick 3)')
    arguments = parser.parse_args()
    _dry_run.compare(
        '6. --dry-run, catalog of 1,000, 2020-01-01..2021-01-01',
        'dry_run_small_catalog',
        1000,
        '2020-01-01',
        '2021-01-01',
        arguments.runs or (3 if arguments.quick else 7),
        '<= 2.0',
    )


if __name__ == '__main__':
    main()
