"""Run the demo end to end: files, loopback provider, catalog, then the processing steps."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from geospaas_processing.catalog.models import Dataset
from geospaas_processing.demo.catalog import build_demo_catalog, write_demo_files
from geospaas_processing.demo.server import LoopbackFileServer

Report = Callable[[str], None]


def run_demo(directory: Path, report: Report = print) -> list[Dataset]:
    """Build the demo catalog under ``directory`` and run each processing step on it.

    ``report`` receives one line per thing done. Returns the demo datasets.
    """
    provider_dir = directory / 'provider'
    files = write_demo_files(provider_dir)
    report(f'wrote {len(files)} CF netCDF files under {provider_dir}')
    with LoopbackFileServer(provider_dir) as server:
        report(f'serving them at {server.url}')
        datasets = build_demo_catalog(files, server.url)
        report(f'catalog now holds {Dataset.objects.count()} datasets; the demo ones:')
        for dataset in datasets:
            report(describe_dataset(dataset))
    return datasets


def describe_dataset(dataset: Dataset) -> str:
    """One line on a dataset: entry_id, source, time coverage, footprint bounds, URIs."""
    west, south, east, north = dataset.geographic_location.geometry.extent
    uris = ', '.join(f'{uri.service} {uri.uri}' for uri in dataset.dataseturi_set.all())
    return (
        f'  {dataset.entry_id}  {dataset.source}  '
        f'{dataset.time_coverage_start:%Y-%m-%d}  '
        f'[{west:g}, {south:g}, {east:g}, {north:g}]  {uris}'
    )
