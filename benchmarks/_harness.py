"""What every benchmark script shares: alternating timed runs, nginx on loopback, catalogs.

A benchmark compares our command with an anchor (curl, aria2c, psql, ncks) doing the same
work on the same machine. The two run alternately (anchor, ours, anchor, ours...) as
children of the script, so that both see the same load; each run's wall time, CPU time
(user + system, of the child and its descendants, from ``wait4``) and peak RSS are kept.
The ratio is ours over the anchor's: above 1 we are slower. On a shared machine absolute
times vary from one minute to the next; the ratio of alternating runs is what to read.

``BENCH_CODE=/path/to/a/checkout`` runs our side from another copy of the package (put
first on ``PYTHONPATH``), to compare two versions with the same anchor runs.

Not a module of the package: imported by the scripts next to it (``_`` keeps ``make bench``
from running it).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / 'benchmarks' / 'results'
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Run:
    """One timed run of a command."""

    seconds: float
    cpu_seconds: float
    max_rss_mb: float
    first_output_seconds: float | None = None


def timed(
    command: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdout_path: Path | None = None,
    first_line: bool = False,
    status: int = 0,
) -> Run:
    """Run ``command`` to completion; its time, CPU and peak RSS. Fails loudly on error.

    With ``first_line``, also the time until its first line of standard output arrives
    (the output is read through a pipe and discarded). A status other than ``status``
    ends the benchmark with the command's error output.
    """
    started = time.perf_counter()
    first = None
    sink = open(stdout_path, 'wb') if stdout_path else subprocess.DEVNULL  # noqa: SIM115
    try:
        process = subprocess.Popen(
            list(command),
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE if first_line else sink,
            stderr=subprocess.PIPE,
        )
        if first_line:
            if process.stdout.readline():
                first = time.perf_counter() - started
            while process.stdout.read(1 << 16):
                pass
        stderr = process.stderr.read()
        _, wait_status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(wait_status)
    finally:
        if stdout_path:
            sink.close()
    seconds = time.perf_counter() - started
    if process.returncode != status:
        sys.exit(
            f'{command[0]} failed with status {process.returncode}:\n'
            + stderr.decode(errors='replace')[-3000:]
        )
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, first)


@dataclass(frozen=True)
class Comparison:
    """Alternating runs of the anchor and of ours, summarised by medians."""

    row: str
    anchor_name: str
    anchor: list[Run]
    ours: list[Run]

    @property
    def ratios(self) -> list[float]:
        return [
            ours.seconds / anchor.seconds
            for anchor, ours in zip(self.anchor, self.ours, strict=True)
        ]

    def median(self, runs: list[Run], field: str = 'seconds') -> float:
        values = [getattr(run, field) for run in runs if getattr(run, field) is not None]
        return statistics.median(values) if values else float('nan')

    def print(self, target: str = '') -> None:
        anchor_s, ours_s = self.median(self.anchor), self.median(self.ours)
        ratios = sorted(self.ratios)
        print(f'{self.row}')
        print(
            f'  {self.anchor_name:<24} {anchor_s:8.3f} s   CPU '
            f'{self.median(self.anchor, "cpu_seconds"):7.3f} s   RSS '
            f'{self.median(self.anchor, "max_rss_mb"):6.0f} MB'
        )
        print(
            f'  {"ours":<24} {ours_s:8.3f} s   CPU '
            f'{self.median(self.ours, "cpu_seconds"):7.3f} s   RSS '
            f'{self.median(self.ours, "max_rss_mb"):6.0f} MB'
        )
        first = self.median(self.ours, 'first_output_seconds')
        if first == first:  # not NaN
            print(
                f'  first line: ours {first:.3f} s, {self.anchor_name} '
                f'{self.median(self.anchor, "first_output_seconds"):.3f} s'
            )
        print(
            f'  ratio ours/{self.anchor_name.split()[0]}: {statistics.median(ratios):.2f} '
            f'(runs: {", ".join(f"{ratio:.2f}" for ratio in ratios)})'
            + (f'   target {target}' if target else '')
        )
        sys.stdout.flush()

    def save(self, name: str, **extra) -> None:
        """Keep the figures in benchmarks/results/<name>.json (ignored by git)."""
        RESULTS.mkdir(parents=True, exist_ok=True)
        record = {
            'row': self.row,
            'anchor_name': self.anchor_name,
            'anchor_seconds': self.median(self.anchor),
            'ours_seconds': self.median(self.ours),
            'ratio': statistics.median(self.ratios),
            'ratios': self.ratios,
            'anchor': [asdict(run) for run in self.anchor],
            'ours': [asdict(run) for run in self.ours],
            'when': time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime()),
            'machine': machine(),
            **extra,
        }
        (RESULTS / f'{name}.json').write_text(json.dumps(record, indent=2))


def alternate(
    row: str,
    anchor_name: str,
    anchor: Callable[[], Run],
    ours: Callable[[], Run],
    runs: int,
    before_each: Callable[[], None] | None = None,
) -> Comparison:
    """Run anchor and ours alternately ``runs`` times each (after one untimed warm-up of each)."""
    anchor_runs, our_runs = [], []
    for index in range(runs + 1):
        for function, kept in ((anchor, anchor_runs), (ours, our_runs)):
            if before_each is not None:
                before_each()
            run = function()
            if index > 0:  # the first pair warms caches (page cache, imports) for both
                kept.append(run)
    return Comparison(row, anchor_name, anchor_runs, our_runs)


def machine() -> str:
    """A one-line description of the machine the figures come from."""
    model = 'unknown CPU'
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30
    return (
        f'{os.cpu_count()} cores ({model}), {memory:.0f} GiB RAM, Python {sys.version.split()[0]}'
    )


def need(tool: str, package: str) -> str:
    """The path of an external tool, or exit with the apt-get line that installs it."""
    path = shutil.which(tool) or shutil.which(tool, path='/usr/sbin:/usr/bin')
    if path is None:
        sys.exit(f'{tool} is missing: apt-get install {package}')
    return path


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


NGINX_CONFIG = """
worker_processes 2;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    keepalive_requests 100000;
    client_body_temp_path {work}/tmp;
    proxy_temp_path {work}/tmp;
    fastcgi_temp_path {work}/tmp;
    uwsgi_temp_path {work}/tmp;
    scgi_temp_path {work}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {data};
        # Any /files/ URL answers with /one.nc: a catalog's many URIs without many files.
        location /files/ {{ try_files /one.nc =404; }}
    }}
    # A provider as seen from off loopback: each connection is limited in bandwidth.
    server {{
        listen 127.0.0.1:{throttled_port};
        root {data};
        limit_rate {rate};
    }}
}}
"""


class Nginx:
    """nginx serving ``data`` on two loopback ports: one plain, one throttled per connection."""

    def __init__(self, work: Path, data: Path, rate: str = '128k') -> None:
        self.work, self.data, self.rate = work, data, rate
        self.process: subprocess.Popen | None = None
        self.base = self.throttled = ''

    def __enter__(self) -> Nginx:
        nginx = need('nginx', 'nginx-light')
        (self.work / 'tmp').mkdir(parents=True, exist_ok=True)
        port, throttled_port = free_port(), free_port()
        config = self.work / 'nginx.conf'
        config.write_text(
            NGINX_CONFIG.format(
                work=self.work,
                port=port,
                data=self.data,
                throttled_port=throttled_port,
                rate=self.rate,
            )
        )
        self.process = subprocess.Popen(
            [nginx, '-c', str(config), '-p', str(self.work), '-e', str(self.work / 'error.log')]
        )
        for _ in range(100):
            try:
                socket.create_connection(('127.0.0.1', port), timeout=0.1).close()
                self.base = f'http://127.0.0.1:{port}'
                self.throttled = f'http://127.0.0.1:{throttled_port}'
                return self
            except OSError:
                time.sleep(0.05)
        self.process.kill()
        sys.exit(f'nginx did not start; see {self.work / "error.log"}')

    def __exit__(self, *exc_info) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait()


def world_readable(path: Path) -> None:
    """Let nginx's unprivileged workers read ``path`` and its parents up to /."""
    for parent in [path, *path.parents]:
        if parent == Path('/'):
            break
        mode = parent.stat().st_mode
        os.chmod(parent, mode | 0o055)


def write_random(path: Path, size: int) -> None:
    """A file of ``size`` random (incompressible) bytes."""
    block = os.urandom(min(size, 16 * 2**20))
    with path.open('wb') as handle:
        remaining = size
        while remaining:
            handle.write(block[: min(remaining, len(block))])
            remaining -= min(remaining, len(block))


def our_env(work: Path, **extra: str) -> dict[str, str]:
    """The environment of our commands: a SpatiaLite catalog and file locks under ``work``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(('GEOSPAAS_', 'DJANGO_'))
    }
    env.update(
        GEOSPAAS_DB_PATH=str(work / 'catalog.sqlite3'),
        GEOSPAAS_PROCESSING_LOCKS_DIR=str(work / 'locks'),
        GEOSPAAS_PROCESSING_WORK_DIR=str(work / 'managed'),
        **extra,
    )
    if os.environ.get('BENCH_CODE'):
        env['PYTHONPATH'] = os.environ['BENCH_CODE']
    return env


CATALOG_CHILD = r"""
import json, sys
from datetime import UTC, datetime
import geospaas_processing
geospaas_processing.setup(create=True)  # a scratch catalog of its own
from geospaas_processing.catalog.models import Dataset, DatasetURI
from geospaas_processing.catalog.records import DatasetRecord, create_dataset
urls = json.load(sys.stdin)
template = create_dataset(DatasetRecord('template', datetime(2024, 1, 1, tzinfo=UTC),
                                        datetime(2024, 1, 1, tzinfo=UTC), 'POINT(0 0)'))
Dataset.objects.bulk_create(
    Dataset(entry_id=f'bench-{index:06d}', entry_title='b', summary='',
            time_coverage_start=template.time_coverage_start,
            ISO_topic_category_id=template.ISO_topic_category_id,
            data_center_id=template.data_center_id,
            geographic_location_id=template.geographic_location_id,
            source_id=template.source_id, gcmd_location_id=template.gcmd_location_id)
    for index in range(len(urls)))
datasets = Dataset.objects.filter(entry_id__startswith='bench-').order_by('entry_id')
DatasetURI.objects.bulk_create(
    DatasetURI(dataset=dataset, uri=url, service='HTTPServer')
    for dataset, url in zip(datasets, urls))
"""


def sqlite_catalog(env: dict[str, str], urls: list[str]) -> None:
    """Create the SpatiaLite catalog of ``env`` with one dataset per URL (``bench-NNNNNN``)."""
    subprocess.run(
        [sys.executable, '-c', CATALOG_CHILD],
        input=json.dumps(urls),
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )


def geospaas_download(destination: Path, *flags: str) -> list[str]:
    """Our download command selecting every ``bench-`` dataset of the catalog."""
    return [
        str(BIN / 'geospaas-download'),
        '-d',
        str(destination),
        '-s',
        '10000000',
        '-q',
        '{"entry_id__startswith": "bench-"}',
        *flags,
    ]


def remove(*paths: Path) -> None:
    """Remove files or directory trees, if present."""
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
