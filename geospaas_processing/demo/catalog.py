"""Build the demo catalog: real netCDF files, their footprints and time coverages, their URIs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from geospaas_processing.catalog import services
from geospaas_processing.catalog.models import Dataset
from geospaas_processing.catalog.records import DatasetRecord, create_dataset
from geospaas_processing.demo.netcdf import GridSpec, add_analysis_fields, write_sst_file

DEMO_PREFIX = 'demo-'


@dataclass(frozen=True)
class DemoProduct:
    """One demo dataset: where it lies, when, from what, and how it is served."""

    name: str
    grid: GridSpec
    start: datetime
    platform: str
    instrument: str
    served_over_http: bool = True
    analysis_fields: bool = False
    """Add the uncertainty and sea-ice fields of an L4 analysis (what IDF conversion expects)."""

    def entry_id(self) -> str:
        """The demo dataset's entry_id: the demo prefix, the name and the date."""
        return f'{DEMO_PREFIX}{self.name}-{self.start:%Y%m%d}'


PRODUCTS = (
    DemoProduct(
        'sst-nordic-seas',
        GridSpec(-10, 60, 20, 80),
        datetime(2024, 3, 1, tzinfo=UTC),
        'Aqua',
        'MODIS',
    ),
    DemoProduct(
        'sst-north-atlantic',
        GridSpec(-60, 20, -10, 50),
        datetime(2024, 3, 2, tzinfo=UTC),
        'Sentinel-3A',
        'SLSTR',
    ),
    DemoProduct(
        'sst-mediterranean',
        GridSpec(-5, 30, 36, 46),
        datetime(2024, 3, 3, tzinfo=UTC),
        'Suomi-NPP',
        'VIIRS',
    ),
    DemoProduct(
        'sst-barents-sea',
        GridSpec(15, 68, 60, 82),
        datetime(2024, 3, 4, tzinfo=UTC),
        'MetOp-B',
        'AVHRR',
        served_over_http=False,
    ),
    # Named like an ESA CCI SST L4 analysis, so that the IDF converter recognises it.
    DemoProduct(
        'ESACCI-L4_GHRSST-SSTdepth-OSTIA-GLOB_CDR3.0',
        GridSpec(0, 40, 10, 50),
        datetime(2024, 3, 5, tzinfo=UTC),
        'Aqua',
        'MODIS',
        analysis_fields=True,
    ),
)


def write_demo_files(directory: Path) -> dict[str, Path]:
    """Write each demo product's netCDF file under ``directory``; return them by entry_id."""
    files = {}
    for product in PRODUCTS:
        entry_id = product.entry_id()
        files[entry_id] = write_sst_file(
            directory / f'{entry_id}.nc',
            product.grid,
            product.start,
            platform=product.platform,
            instrument=product.instrument,
            title=f'{product.instrument} {product.name.replace("-", " ")}',
        )
        if product.analysis_fields:
            add_analysis_fields(files[entry_id])
    return files


def build_demo_catalog(files: dict[str, Path], base_url: str) -> list[Dataset]:
    """Replace the demo datasets in the catalog with those of ``files``.

    Datasets served over HTTP get an ``HTTPServer`` URI under ``base_url``; the
    others a ``local`` file URI. Datasets that are not part of the demo are left
    alone.
    """
    Dataset.objects.filter(entry_id__startswith=DEMO_PREFIX).delete()
    datasets = []
    for product, (entry_id, path) in zip(PRODUCTS, files.items(), strict=True):
        if product.served_over_http:
            uris = [(f'{base_url}{path.name}', services.HTTP_SERVICE)]
        else:
            uris = [(path.resolve().as_uri(), services.LOCAL_FILE_SERVICE)]
        record = DatasetRecord(
            entry_id=entry_id,
            entry_title=f'{product.instrument} sea surface temperature, {product.name}',
            summary='Demo sea surface temperature field.',
            time_coverage_start=product.start,
            time_coverage_end=product.start.replace(hour=23, minute=59, second=59),
            footprint_wkt=product.grid.wkt(),
            platform=product.platform,
            instrument=product.instrument,
            uris=uris,
        )
        datasets.append(create_dataset(record))
    return datasets
