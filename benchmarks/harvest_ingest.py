"""Benchmark: ingest search results into PostGIS in bulk, against a one-object-at-a-time loop.

Both paths get the same STAC items (normalized by ``STACProvider``). The bulk path is
what ``save_search_results`` does (``ingest_results`` with batches of 1,000); the naive
path saves each dataset on its own with ``catalog.records.create_dataset``. The naive
loop runs on the first ``--naive`` items only, to keep the run short; rates compare.

Targets: >= 1,000 results/s and >= 5x the naive loop.

    .venv/bin/python benchmarks/harvest_ingest.py            # 50,000 results
    .venv/bin/python benchmarks/harvest_ingest.py --quick    # 5,000 results

Uses a scratch database on the PostgreSQL server at GEOSPAAS_DB_HOST (default
127.0.0.1), user GEOSPAAS_DB_USER (default postgres), dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BATCH = 1000


def stac_item(index: int) -> dict:
    """A STAC item with a distinct footprint, two data assets and a thumbnail."""
    west = -179 + (index * 0.37) % 355
    south = -80 + (index * 0.13) % 155
    ring = [[west, south], [west + 2, south], [west + 2.5, south + 3], [west, south + 3]]
    ring.append(ring[0])
    return {
        'type': 'Feature',
        'id': f'S3A_SL_2_WST____20220801T{index:06d}_bench',
        'geometry': {'type': 'Polygon', 'coordinates': [ring]},
        'properties': {
            'start_datetime': '2022-08-01T10:00:00Z',
            'end_datetime': '2022-08-01T10:03:00Z',
            'platform': 'sentinel-3a',
            'instruments': ['slstr'],
            'title': f'granule {index}',
        },
        'assets': {
            'data': {'href': f'https://example.test/data/{index}.nc', 'roles': ['data']},
            'dap': {'href': f'https://example.test/dodsC/{index}.nc', 'roles': ['data']},
            'thumbnail': {'href': f'https://example.test/{index}.jpg', 'roles': ['thumbnail']},
        },
    }


def scratch_database() -> str:
    import psycopg2

    os.environ.setdefault('GEOSPAAS_DB_HOST', '127.0.0.1')
    os.environ.setdefault('GEOSPAAS_DB_USER', 'postgres')
    name = f'geospaas_bench_harvest_{os.getpid()}'
    connection = psycopg2.connect(
        host=os.environ['GEOSPAAS_DB_HOST'],
        user=os.environ['GEOSPAAS_DB_USER'],
        password=os.environ.get('GEOSPAAS_DB_PASSWORD', ''),
        dbname='postgres',
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE {name}')
    connection.close()
    os.environ['GEOSPAAS_DB_NAME'] = name
    return name


def drop_database(name: str) -> None:
    import psycopg2
    from django.db import connections

    connections.close_all()
    connection = psycopg2.connect(
        host=os.environ['GEOSPAAS_DB_HOST'], user=os.environ['GEOSPAAS_DB_USER'], dbname='postgres'
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')
    connection.close()


def prepare() -> None:
    from django.db import connection

    import geospaas_processing
    from geospaas_processing.database import migrate_catalog

    geospaas_processing.setup(migrate=False)
    with connection.cursor() as cursor:
        cursor.execute('CREATE EXTENSION IF NOT EXISTS postgis')
    migrate_catalog(quiet=True)
    from geospaas_processing.harvesting import update_vocabularies

    update_vocabularies('snapshot')


def empty_catalog() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            'TRUNCATE catalog_dataseturi, catalog_datasetrelationship, catalog_dataset, '
            'catalog_geographiclocation CASCADE'
        )


def bulk(provider, items: list[dict]) -> tuple[float, dict]:
    from geospaas_processing.harvesting.failures import FailedIngestionStore
    from geospaas_processing.harvesting.ingest import CatalogIngester, ingest_results

    ingester = CatalogIngester()
    store = FailedIngestionStore(Path(tempfile.mkdtemp(prefix='bench-failed-')))
    totals = {'created': 0, 'updated': 0, 'failed': 0}
    start = time.perf_counter()
    for offset in range(0, len(items), BATCH):
        counts = ingest_results(provider, items[offset : offset + BATCH], ingester, store)
        for key in totals:
            totals[key] += counts[key]
    return time.perf_counter() - start, totals


def naive(provider, items: list[dict]) -> float:
    from geospaas_processing.catalog.records import DatasetRecord, create_dataset

    start = time.perf_counter()
    for item in items:
        dataset = provider.normalize(item)
        create_dataset(
            DatasetRecord(
                entry_id=dataset.entry_id,
                time_coverage_start=dataset.time_coverage_start,
                time_coverage_end=dataset.time_coverage_end,
                footprint_wkt=dataset.footprint_wkt,
                platform=dataset.platform,
                instrument=dataset.instrument,
                data_center=dataset.data_center,
                entry_title=dataset.entry_title,
                summary=dataset.summary,
                uris=dataset.uris,
            )
        )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='5,000 results, naive on 500')
    parser.add_argument('--results', type=int, help='results ingested in bulk (default 50,000)')
    parser.add_argument('--naive', type=int, help='results saved one at a time (default 5,000)')
    args = parser.parse_args()
    total = args.results or (5_000 if args.quick else 50_000)
    naive_count = min(total, args.naive or (500 if args.quick else 5_000))

    name = scratch_database()
    try:
        prepare()
        from geospaas_processing.harvesting.config import ProviderConfig
        from geospaas_processing.harvesting.providers import create_provider

        provider = create_provider(ProviderConfig(name='bench', type='stac', url='http://x.test'))
        items = [stac_item(index) for index in range(total)]

        bulk_seconds, counts = bulk(provider, items)
        again_seconds, again = bulk(provider, items)
        empty_catalog()
        naive_seconds = naive(provider, items[:naive_count])
    finally:
        drop_database(name)

    bulk_rate = total / bulk_seconds
    again_rate = total / again_seconds
    naive_rate = naive_count / naive_seconds
    print(
        f'bulk ingest      : {total:>6} results in {bulk_seconds:7.2f} s = {bulk_rate:8.0f}/s '
        f'(created {counts["created"]}, failed {counts["failed"]})'
    )
    print(
        f'bulk re-ingest   : {total:>6} results in {again_seconds:7.2f} s = {again_rate:8.0f}/s '
        f'(updated {again["updated"]}, URIs merged)'
    )
    print(
        f'naive save loop  : {naive_count:>6} results in {naive_seconds:7.2f} s = '
        f'{naive_rate:8.0f}/s'
    )
    print(
        f'ratio bulk/naive : {bulk_rate / naive_rate:.1f}x (target >= 5x); '
        f'bulk rate target >= 1000/s: {"met" if bulk_rate >= 1000 else "NOT met"}'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
