"""Row 1: one 1 GiB file to disk, against ``curl -o`` (target: ours <= 1.0x curl, fsync kept).

nginx serves a file of random bytes on loopback from the page cache; curl and
``geospaas-download`` (one dataset, one HTTP URI) write it alternately into the same
directory on disk. curl does not fsync; we do (before the rename), and the ratio keeps it.

    .venv/bin/python benchmarks/large_file.py [--quick] [--runs 5]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import _harness as h


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='256 MiB, 3 runs')
    parser.add_argument('--runs', type=int, help='timed runs of each (default 5; quick 3)')
    parser.add_argument('--size-mib', type=int, help='file size (default 1024; quick 256)')
    arguments = parser.parse_args()
    size = (arguments.size_mib or (256 if arguments.quick else 1024)) * 2**20
    runs = arguments.runs or (3 if arguments.quick else 5)
    curl = h.need('curl', 'curl')
    with tempfile.TemporaryDirectory(prefix='bench_large_', dir='/var/tmp') as root:
        root_path = Path(root)
        data, work, out = root_path / 'data', root_path / 'work', root_path / 'out'
        for directory in (data, work, out):
            directory.mkdir()
        h.world_readable(data)
        h.write_random(data / 'big.bin', size)
        with h.Nginx(work / 'nginx', data) as nginx:
            url = f'{nginx.base}/big.bin'
            env = h.our_env(work)
            h.sqlite_catalog(env, [url])
            comparison = h.alternate(
                f'1. one {size >> 20} MiB file to disk',
                'curl -o',
                lambda: h.timed([curl, '-s', '-f', '-o', str(out / 'curl.bin'), url]),
                lambda: h.timed(h.geospaas_download(out / 'ours'), env=env),
                runs,
                before_each=lambda: h.remove(out / 'curl.bin', out / 'ours'),
            )
            h.remove(out / 'curl.bin', out / 'ours')
    comparison.print('<= 1.0')
    comparison.save('large_file', size=size)


if __name__ == '__main__':
    main()
