"""Row 4: 200 files from a provider limiting each connection to 128 kB/s, against ``aria2c -j16``.

Target: ours <= 1.1x aria2c with our default settings, the provider's limits still holding.
nginx limits each connection to 128 kB/s (``limit_rate``), as remote providers' per-connection
throughput does; the provider has ``max_parallel_downloads: 16`` in our settings (what a
provider allowing aria2c's 16 connections would have).

    .venv/bin/python benchmarks/throttled_provider.py [--quick] [--runs 3] [--workers N]
"""

from __future__ import annotations

import argparse

import _many_files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='64 files, 1 run')
    parser.add_argument('--runs', type=int, help='timed runs of each (default 3; quick 1)')
    parser.add_argument('--count', type=int, help='number of files (default 200)')
    parser.add_argument('--workers', type=int, help='our --workers (default: our default)')
    parser.add_argument('--limit', type=int, default=16, help='max_parallel_downloads (16)')
    arguments = parser.parse_args()
    count = arguments.count or (64 if arguments.quick else 200)
    flags = ('--workers', str(arguments.workers)) if arguments.workers else ()
    _many_files.compare(
        f'4. {count} x 256 KiB, each connection limited to 128 kB/s'
        + (f' (ours --workers {arguments.workers})' if flags else ''),
        'throttled_provider',
        count,
        arguments.runs or (1 if arguments.quick else 3),
        '/var/tmp',
        throttled=True,
        our_flags=flags,
        provider_limit=arguments.limit,
        target='<= 1.1',
    )


if __name__ == '__main__':
    main()
