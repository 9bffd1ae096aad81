"""Benchmark: download -> archive chains on real workers, and the per-task overhead.

Measures, on one broker (RabbitMQ by default, ``--broker redis`` for Redis):

* the round trip of an empty task (``ping``) through the broker and a worker,
  against calling the same function in-process: the per-task overhead
  (target: under 20 ms);
* N datasets (files served over HTTP on loopback) through ``download | archive``
  chains on a worker with 2 processes: datasets per second, and the ratio
  against running the same two steps in-process, one dataset after the other.

Usage: python benchmarks/tasks_chain.py [--datasets 500] [--broker rabbitmq|redis] [--quick]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--datasets', type=int, default=500)
    parser.add_argument('--pings', type=int, default=300)
    parser.add_argument('--broker', choices=('rabbitmq', 'redis'), default='rabbitmq')
    parser.add_argument('--quick', action='store_true', help='50 datasets, 100 pings')
    args = parser.parse_args()
    if args.quick:
        args.datasets, args.pings = 50, 100
    return args


def prepare_environment(scratch: Path, broker: str) -> str:
    """Point the package at a scratch catalog, work dir and a private broker namespace."""
    os.environ.update(
        {
            'GEOSPAAS_DB_PATH': str(scratch / 'catalog.sqlite3'),
            'GEOSPAAS_PROCESSING_WORK_DIR': str(scratch / 'work'),
            'GEOSPAAS_PROCESSING_LOCKS_DIR': str(scratch / 'locks'),
            'GEOSPAAS_PROCESSING_REDIS_HOST': '127.0.0.1',
            'GEOSPAAS_PROCESSING_RESULT_BACKEND': 'redis://127.0.0.1:6379/12',
        }
    )
    os.environ.pop('GEOSPAAS_DB_HOST', None)
    if broker == 'redis':
        return 'redis://127.0.0.1:6379/11'
    vhost = f'geospaas-bench-{uuid.uuid4().hex[:8]}'
    subprocess.run(['rabbitmqctl', '-q', 'add_vhost', vhost], check=True)
    subprocess.run(
        ['rabbitmqctl', '-q', 'set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*'], check=True
    )
    return f'amqp://guest:guest@127.0.0.1:5672/{vhost}'


def make_datasets(count: int, provider_dir: Path, base_url: str) -> list[int]:
    from geospaas_processing.catalog import services
    from geospaas_processing.catalog.records import DatasetRecord, create_dataset

    payload = os.urandom(256 * 1024)
    ids = []
    for index in range(count):
        name = f'bench-{index:05d}.nc'
        (provider_dir / name).write_bytes(payload)
        record = DatasetRecord(
            f'bench-{index:05d}',
            datetime(2024, 1, 1, tzinfo=UTC),
            datetime(2024, 1, 2, tzinfo=UTC),
            'POINT(5 60)',
            uris=[(f'{base_url}{name}', services.HTTP_SERVICE)],
        )
        ids.append(create_dataset(record).id)
    return ids


def start_worker(broker_url: str, log_path: Path) -> subprocess.Popen:
    env = dict(os.environ, GEOSPAAS_PROCESSING_BROKER=broker_url)
    with open(log_path, 'ab') as log:
        process = subprocess.Popen(
            [
                sys.executable,
                '-m',
                'celery',
                '-A',
                'geospaas_processing.tasks.core',
                'worker',
                '-l',
                'warning',
                '-Q',
                'core',
                '-c',
                '2',
                '-n',
                f'bench-{uuid.uuid4().hex[:6]}@%h',
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process


def main() -> int:
    args = parse_args()
    scratch = Path(tempfile.mkdtemp(prefix='geospaas-bench-'))
    broker_url = prepare_environment(scratch, args.broker)
    import geospaas_processing

    geospaas_processing.setup(create=True)  # a scratch catalog of its own
    from celery import chain

    from geospaas_processing.demo.server import LoopbackFileServer
    from geospaas_processing.tasks import app, core

    provider_dir = scratch / 'provider'
    provider_dir.mkdir()
    (scratch / 'work').mkdir()
    worker = None
    try:
        with LoopbackFileServer(provider_dir) as server:
            ids = make_datasets(args.datasets, provider_dir, server.url)

            # Baseline: the same steps in-process, one dataset after the other.
            sample = max(10, len(ids) // 5)
            started = time.perf_counter()
            for dataset_id in ids[:sample]:
                core.archive(core.download((dataset_id,)))
            in_process_rate = sample / (time.perf_counter() - started)
            shutil.rmtree(scratch / 'work')
            (scratch / 'work').mkdir()

            started = time.perf_counter()
            for _ in range(args.pings):
                core.ping()
            direct_call = (time.perf_counter() - started) / args.pings

            app.conf.update(broker_url=broker_url, task_always_eager=False)
            worker = start_worker(broker_url, scratch / 'worker.log')
            core.ping.delay().get(timeout=60)  # waits until the worker is ready

            started = time.perf_counter()
            for _ in range(args.pings):
                core.ping.delay().get(timeout=30)
            round_trip = (time.perf_counter() - started) / args.pings

            started = time.perf_counter()
            results = [chain(core.download.s((i,)), core.archive.s()).apply_async() for i in ids]
            for result in results:
                result.get(timeout=600)
            elapsed = time.perf_counter() - started
    finally:
        if worker is not None:
            os.killpg(worker.pid, 15)
            worker.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)

    overhead_ms = (round_trip - direct_call) * 1000
    rate = len(ids) / elapsed
    print(f'broker: {args.broker}; datasets: {len(ids)} x 256 KiB; worker: 1 x 2 processes')
    print(
        f'empty task: {round_trip * 1000:.2f} ms through the broker vs '
        f'{direct_call * 1000:.3f} ms in-process -> overhead {overhead_ms:.2f} ms per task '
        f'(target < 20 ms: {"met" if overhead_ms < 20 else "NOT met"})'
    )
    print(
        f'download|archive chains: {rate:.1f} datasets/s on the worker vs '
        f'{in_process_rate:.1f} datasets/s in-process sequentially '
        f'-> ratio {rate / in_process_rate:.2f}'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
