"""Download benchmarks against a local nginx, printing ratios to baselines run alongside.

1. One big file (1 GiB; --quick 256 MiB): DownloadManager throughput / curl's, both writing
   to the same disk (curl also timed followed by an fsync of its file, which we do).
   Target >= 0.9.
2. Many small datasets (2,000 x 256 KiB; --quick 300): wall time of a sequential baseline
   opening one connection per file / DownloadManager's. Target >= 4. On loopback both are
   CPU-bound, so on 2 cores the ratio cannot reach 4; 2b. repeats it (1 file in 25)
   from a server limiting each connection's bandwidth, as remote providers do.
3. Peak RSS of the downloading process in both runs. Target < 150 MB whatever the size.

Needs nginx (apt-get install nginx-light) and curl. Run: python benchmarks/download_benchmark.py
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NGINX_CONFIG = """
worker_processes 2;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 1024; }}
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
    }}
    # A provider as they are off loopback: each connection is limited in bandwidth.
    server {{
        listen 127.0.0.1:{throttled_port};
        root {data};
        limit_rate {rate};
    }}
}}
"""

CHILD = r"""
import json, os, resource, sys, time
from datetime import UTC, datetime
spec = json.loads(sys.argv[1])
import geospaas_processing
geospaas_processing.setup(create=True)  # a scratch catalog of its own
from geospaas_processing.catalog.models import Dataset, DatasetURI
from geospaas_processing.catalog.records import DatasetRecord, create_dataset
from geospaas_processing.downloaders import DownloadManager
template = create_dataset(DatasetRecord('template', datetime(2024, 1, 1, tzinfo=UTC),
                                        datetime(2024, 1, 1, tzinfo=UTC), 'POINT(0 0)'))
datasets = Dataset.objects.bulk_create(
    Dataset(entry_id=f'bench-{index}', entry_title='b', summary='',
            ISO_topic_category_id=template.ISO_topic_category_id,
            data_center_id=template.data_center_id)
    for index in range(len(spec['urls'])))
datasets = Dataset.objects.filter(entry_id__startswith='bench-').order_by('id')
DatasetURI.objects.bulk_create(
    DatasetURI(dataset=dataset, uri=url, service='HTTPServer')
    for dataset, url in zip(datasets, spec['urls']))
manager = DownloadManager(spec['directory'], max_downloads=len(spec['urls']),
                          max_workers=spec['workers'], entry_id__startswith='bench-')
started = time.perf_counter()
paths = manager.download()
seconds = time.perf_counter() - started
assert len(paths) == len(spec['urls']), len(paths)
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({'seconds': seconds, 'max_rss_mb': usage.ru_maxrss / 1024,
                  'user_s': usage.ru_utime, 'sys_s': usage.ru_stime}))
"""

BASELINE = r"""
import sys, time, requests
urls, directory = sys.argv[2:], sys.argv[1]
started = time.perf_counter()
for index, url in enumerate(urls):
    response = requests.get(url, headers={'Connection': 'close'})  # one connection per file
    response.raise_for_status()
    with open(f'{directory}/{index}.bin', 'wb') as handle:
        handle.write(response.content)
print(time.perf_counter() - started)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


# Bytes per second per connection (nginx syntax; it sends the first second's worth at once,
# so a 256 KiB file takes about one second).
THROTTLED_RATE = '128k'


def start_nginx(work: Path, data: Path) -> tuple[subprocess.Popen, str, str]:
    nginx = shutil.which('nginx') or '/usr/sbin/nginx'
    if not os.path.exists(nginx):
        sys.exit('nginx is missing: apt-get install nginx-light')
    (work / 'tmp').mkdir()
    port, throttled_port = free_port(), free_port()
    config = work / 'nginx.conf'
    config.write_text(
        NGINX_CONFIG.format(
            work=work, port=port, data=data, throttled_port=throttled_port, rate=THROTTLED_RATE
        )
    )
    process = subprocess.Popen(
        [nginx, '-c', str(config), '-p', str(work), '-e', str(work / 'error.log')]
    )
    for _ in range(100):
        try:
            socket.create_connection(('127.0.0.1', port), timeout=0.1).close()
            return process, f'http://127.0.0.1:{port}', f'http://127.0.0.1:{throttled_port}'
        except OSError:
            time.sleep(0.05)
    process.kill()
    sys.exit(f'nginx did not start; see {work / "error.log"}')


def run_child(urls: list[str], directory: Path, workers: int, catalog: Path) -> dict:
    env = dict(
        os.environ,
        GEOSPAAS_DB_PATH=str(catalog),
        GEOSPAAS_PROCESSING_LOCKS_DIR=str(catalog.parent / 'locks'),
    )
    env.pop('GEOSPAAS_DB_HOST', None)
    spec = {'urls': urls, 'directory': str(directory), 'workers': workers}
    result = subprocess.run(
        [sys.executable, '-c', CHILD, json.dumps(spec)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        sys.exit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def write_random(path: Path, size: int) -> None:
    block = os.urandom(16 * 1024 * 1024)
    with path.open('wb') as handle:
        remaining = size
        while remaining:
            handle.write(block[: min(remaining, len(block))])
            remaining -= min(remaining, len(block))


def big_file(base: str, data: Path, scratch: Path, size: int) -> None:
    write_random(data / 'big.bin', size)
    url = f'{base}/big.bin'
    subprocess.run(['curl', '-s', '-o', '/dev/null', url], check=True)  # warm the page cache
    target = scratch / 'curl.bin'
    started = time.perf_counter()
    subprocess.run(['curl', '-s', '-o', str(target), url], check=True)
    curl = time.perf_counter() - started
    subprocess.run(['sync', str(target)], check=True)
    curl_fsync = time.perf_counter() - started
    target.unlink()
    ours = run_child([url], scratch / 'ours', 1, scratch / 'big.sqlite3')
    shutil.rmtree(scratch / 'ours')
    mib = size / 2**20
    print(
        f'1. big file ({mib:.0f} MiB): curl {mib / curl:.0f} MiB/s, curl+fsync '
        f'{mib / curl_fsync:.0f} MiB/s, DownloadManager {mib / ours["seconds"]:.0f} MiB/s'
    )
    print(
        f'   ratio vs curl: {curl / ours["seconds"]:.2f}   '
        f'vs curl+fsync: {curl_fsync / ours["seconds"]:.2f}   (target >= 0.9)'
    )
    print(f'3. peak RSS, big file: {ours["max_rss_mb"]:.0f} MB (target < 150)')


def many_files(
    base: str, data: Path, scratch: Path, count: int, workers: int, label: str = '2.'
) -> None:
    (data / 'many').mkdir(exist_ok=True)
    block = os.urandom(256 * 1024)
    for index in range(count):
        (data / 'many' / f'{index}.bin').write_bytes(block)
    urls = [f'{base}/many/{index}.bin' for index in range(count)]
    baseline_dir = scratch / f'baseline{label}'
    baseline_dir.mkdir()
    result = subprocess.run(
        [sys.executable, '-c', BASELINE, str(baseline_dir), *urls],
        capture_output=True,
        text=True,
        check=True,
    )
    baseline = float(result.stdout.strip())
    ours = run_child(urls, scratch / f'many{label}', workers, scratch / f'many{label}.sqlite3')
    print(
        f'{label} {count} x 256 KiB: sequential one-connection-per-file {baseline:.1f} s, '
        f'DownloadManager (max_workers={workers}) {ours["seconds"]:.1f} s'
    )
    print(f'   speed-up: {baseline / ours["seconds"]:.1f}x (target >= 4)')
    print(f'3. peak RSS, {count} datasets: {ours["max_rss_mb"]:.0f} MB (target < 150)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='smaller sizes, a minute or so')
    parser.add_argument('--workers', type=int, default=8, help='max_workers of the manager')
    arguments = parser.parse_args()
    size = (256 if arguments.quick else 1024) * 2**20
    count = 300 if arguments.quick else 2000
    with tempfile.TemporaryDirectory(prefix='download_benchmark_', dir='/var/tmp') as root:
        root_path = Path(root)
        data, work, scratch = (root_path / name for name in ('data', 'nginx', 'scratch'))
        for directory in (data, work, scratch):
            directory.mkdir()
        os.chmod(root_path, 0o755)  # nginx workers run as an unprivileged user
        process, base, throttled = start_nginx(work, data)
        try:
            big_file(base, data, scratch, size)
            many_files(base, data, scratch, count, arguments.workers)
            print(f'   the same from a provider limited to {THROTTLED_RATE}B/s per connection:')
            many_files(throttled, data, scratch, count // 25, arguments.workers, label='2b.')
        finally:
            process.terminate()
            process.wait()


if __name__ == '__main__':
    main()
