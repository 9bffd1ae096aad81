"""Row 7: start-up with nothing to do (target: < 0.3 s and < 60 MB, Django and GDAL not loaded).

Times ``geospaas-download --help``, a usage error and ``geospaas-processing config`` against
the bare interpreter (``python -c pass``, the floor any Python command pays), alternately.

    .venv/bin/python benchmarks/startup.py [--quick] [--runs 10]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import _harness as h

HEAVY = ('django', 'osgeo', 'celery', 'netCDF4', 'requests')
CHECK_IMPORTS = r"""
import os, runpy, sys
sys.argv = sys.argv[1:]
try:
    runpy.run_path(sys.argv[0], run_name='__main__')
except SystemExit:
    pass
heavy = {name.split('.')[0] for name in sys.modules} & set(os.environ['HEAVY'].split(','))
print('loaded:', ', '.join(sorted(heavy)) or 'none', file=sys.stderr)
"""


def loaded_modules(command: list[str], env: dict[str, str]) -> str:
    """Which heavy packages the command imports (run under the same interpreter)."""
    result = subprocess.run(
        [sys.executable, '-c', CHECK_IMPORTS, *command],
        env=dict(env, HEAVY=','.join(HEAVY)),
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith('loaded:')]
    return lines[-1] if lines else 'unknown: ' + result.stderr[-200:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='4 runs')
    parser.add_argument('--runs', type=int, help='timed runs of each (default 10; quick 4)')
    arguments = parser.parse_args()
    runs = arguments.runs or (4 if arguments.quick else 10)
    with tempfile.TemporaryDirectory(prefix='bench_startup_') as work:
        env = h.our_env(Path(work))
        commands = {
            'geospaas-download --help': [str(h.BIN / 'geospaas-download'), '--help'],
            'geospaas-download (usage error)': [
                str(h.BIN / 'geospaas-download'),
                '-d',
                work,
                '--workers',
                '0',
            ],
            'geospaas-processing config': [str(h.BIN / 'geospaas-processing'), 'config'],
        }
        for name, command in commands.items():
            status = 2 if 'error' in name else 0
            comparison = h.alternate(
                f'7. start-up: {name}',
                'python -c pass',
                lambda: h.timed([sys.executable, '-c', 'pass'], env=env),
                lambda command=command, status=status: h.timed(command, env=env, status=status),
                runs,
            )
            comparison.print('< 0.3 s and < 60 MB')
            print(f'  {loaded_modules(command, env)}')
            comparison.save('startup_' + name.split(' ', 1)[1].strip('()-').replace(' ', '_'))


if __name__ == '__main__':
    main()
