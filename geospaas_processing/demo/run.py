"""Run the demo end to end: files, loopback provider, catalog, then the processing steps."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from geospaas_processing.catalog.models import Dataset
from geospaas_processing.demo.catalog import DEMO_PREFIX, build_demo_catalog, write_demo_files
from geospaas_processing.demo.server import LoopbackFileServer

Report = Callable[[str], None]

# [west, north, east, south] inside the Nordic Seas demo file.
DEMO_BOUNDING_BOX = [0, 75, 10, 65]


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
        downloaded = download_step(directory / 'downloads', report)
        crop_and_archive_step(directory / 'downloads', downloaded, report)
        idf_step(directory / 'downloads', datasets, downloaded, report)
        task_chain_step(datasets[0], report)
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


def download_step(download_dir: Path, report: Report) -> list[str]:
    """Download every demo dataset with the DownloadManager; return the relative paths."""
    from geospaas_processing.downloaders import DownloadManager

    manager = DownloadManager(
        download_directory=download_dir, save_path=True, entry_id__startswith=DEMO_PREFIX
    )
    report(f'downloading {manager.datasets.count()} datasets into {download_dir}:')
    paths = []
    for outcome in manager.download_report():
        detail = outcome.reason if outcome.error else f'{outcome.path} ({outcome.size} bytes)'
        report(f'  {outcome.entry_id}: {outcome.status}: {detail}')
        if outcome.path:
            paths.append(outcome.path)
    return paths


def crop_and_archive_step(download_dir: Path, paths: list[str], report: Report) -> None:
    """Crop the Nordic Seas file to a box, then archive the cropped file."""
    from geospaas_processing.ops import archive, crop

    nordic = next((path for path in paths if 'nordic' in path), None)
    if nordic is None:
        report('the Nordic Seas file was not downloaded; skipping crop and archive')
        return
    cropped = crop(download_dir / nordic, DEMO_BOUNDING_BOX)
    report(
        f'cropped {nordic} to {DEMO_BOUNDING_BOX} (west, north, east, south): {cropped}'
        f' ({_grid_shape(cropped)})'
    )
    archived = archive(cropped)
    report(f'archived it: {archived} ({archived.stat().st_size} bytes)')


def _grid_shape(path: Path) -> str:
    import netCDF4

    with netCDF4.Dataset(path) as nc:
        return ', '.join(f'{name}={len(dim)}' for name, dim in nc.dimensions.items())


def idf_step(download_dir: Path, datasets: list[Dataset], paths: list[str], report: Report) -> None:
    """Convert the demo analysis named like an ESA CCI SST L4 file to IDF for SEAScope."""
    from geospaas_processing.converters.errors import ConversionToolMissing
    from geospaas_processing.converters.idf.converter import convert_to_idf

    dataset = next((d for d in datasets if 'ESACCI' in d.entry_id), None)
    path = next((p for p in paths if 'ESACCI' in p), None)
    if dataset is None or path is None:
        report('the analysis file was not downloaded; skipping the IDF conversion')
        return
    try:
        results = convert_to_idf(dataset.id, [path], download_dir)
    except ConversionToolMissing as missing:
        report(f'IDF conversion skipped: {missing}')
        return
    report(f'converted {dataset.entry_id} to IDF: {", ".join(results)} under {download_dir}')


def task_chain_step(dataset: Dataset, report: Report) -> None:
    """Run the download -> crop -> archive chain of Celery tasks in-process on one dataset."""
    from celery import chain

    from geospaas_processing import config
    from geospaas_processing.tasks import core

    pipeline = chain(
        core.download.s((dataset.id,)),
        core.crop.s(bounding_box=DEMO_BOUNDING_BOX),
        core.archive.s(),
    )
    dataset_id, paths = pipeline.apply().get()
    report(
        f'task chain download | crop | archive ran in-process on dataset {dataset_id}: '
        f'{", ".join(paths)} under {config.work_dir()}'
    )
