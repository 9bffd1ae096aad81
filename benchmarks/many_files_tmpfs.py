"""Row 2: 2,000 x 256 KiB to tmpfs (CPU-bound), against ``aria2c -j16`` (target <= 1.5x).

nginx serves 2000 files of 256 KiB on loopback; aria2c (16 at once) and
``geospaas-download`` (one dataset per file, default settings) write them alternately
under /dev/shm.

    .venv/bin/python benchmarks/many_files_tmpfs.py [--quick] [--runs 3] [--workers N]
"""

from __future__ import annotations

import argparse

import _many_files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='300 files, 2 runs')
    parser.add_argument('--runs', type=int, help='timed runs of each (default 3; quick 2)')
    parser.add_argument('--count', type=int, help='number of files (default 2000)')
    parser.add_argument('--workers', type=int, help='our --workers (default: our default)')
    arguments = parser.parse_args()
    count = arguments.count or (300 if arguments.quick else 2000)
    flags = ('--workers', str(arguments.workers)) if arguments.workers else ()
    _many_files.compare(
        f'2. {count:,} x 256 KiB to tmpfs'
        + (f' (ours --workers {arguments.workers})' if flags else ''),
        'many_files_tmpfs',
        count,
        arguments.runs or (2 if arguments.quick else 3),
        '/dev/shm',
        our_flags=flags,
        target='<= 1.5',
    )


if __name__ == '__main__':
    main()
