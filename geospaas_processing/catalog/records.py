"""Create catalog records from plain values, reusing vocabulary entries that already exist."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction

from geospaas_processing.catalog import services
from geospaas_processing.catalog.models import Dataset, DatasetURI, GeographicLocation, Source
from geospaas_processing.vocabularies.models import (
    DataCenter,
    Instrument,
    ISOTopicCategory,
    Platform,
)


@dataclass
class DatasetRecord:
    """Plain values describing one dataset, as a provider or a test knows them."""

    entry_id: str
    time_coverage_start: datetime
    time_coverage_end: datetime
    footprint_wkt: str
    platform: str = 'Aqua'
    instrument: str = 'MODIS'
    data_center: str = 'NERSC'
    entry_title: str = ''
    summary: str = ''
    iso_topic_category: str = 'Oceans'
    uris: list[tuple[str, str]] = field(default_factory=list)
    """``(uri, service)`` pairs, in the order the downloaders should try them."""


_SERVICE_NAMES = {
    services.OPENDAP_SERVICE: services.DAP_SERVICE_NAME,
    services.HTTP_SERVICE: services.HTTP_SERVICE_NAME,
    services.FTP_SERVICE: services.FTP_SERVICE_NAME,
    services.SFTP_SERVICE: services.SFTP_SERVICE_NAME,
    services.LOCAL_FILE_SERVICE: services.FILE_SERVICE_NAME,
}


def service_name(service: str) -> str:
    """The ``DatasetURI.name`` GeoSPaaS pairs with a service (``HTTPServer`` -> ``http``)."""
    return _SERVICE_NAMES.get(service, service.lower()[:20])


def get_source(platform: str, instrument: str) -> Source:
    """The Source of a platform and instrument short name; vocabulary entries made if needed."""
    platform_entry = Platform.objects.filter(
        short_name=platform
    ).first() or Platform.objects.create(
        short_name=platform, category='', long_name='', series_entity=''
    )
    instrument_entry = Instrument.objects.filter(
        short_name=instrument
    ).first() or Instrument.objects.create(
        short_name=instrument, category='', instrument_class='', type='', subtype='', long_name=''
    )
    source, _ = Source.objects.get_or_create(platform=platform_entry, instrument=instrument_entry)
    return source


def get_data_center(short_name: str) -> DataCenter:
    """The DataCenter with this short name, created when missing."""
    return DataCenter.objects.filter(short_name=short_name).first() or DataCenter.objects.create(
        short_name=short_name,
        long_name='',
        bucket_level0='',
        bucket_level1='',
        bucket_level2='',
        bucket_level3='',
        data_center_url='',
    )


def get_location(wkt: str) -> GeographicLocation:
    """The GeographicLocation of this footprint, shared with datasets of the same footprint."""
    geometry = GEOSGeometry(wkt, srid=4326)
    location = GeographicLocation.objects.filter(geometry__equals=geometry).first()
    return location or GeographicLocation.objects.create(geometry=geometry)


@transaction.atomic
def create_dataset(record: DatasetRecord) -> Dataset:
    """Create (or replace the URIs of) the dataset described by ``record`` and return it."""
    iso_category, _ = ISOTopicCategory.objects.get_or_create(name=record.iso_topic_category)
    dataset, _ = Dataset.objects.update_or_create(
        entry_id=record.entry_id,
        defaults={
            'entry_title': record.entry_title or record.entry_id,
            'summary': record.summary,
            'ISO_topic_category': iso_category,
            'data_center': get_data_center(record.data_center),
            'source': get_source(record.platform, record.instrument),
            'time_coverage_start': record.time_coverage_start,
            'time_coverage_end': record.time_coverage_end,
            'geographic_location': get_location(record.footprint_wkt),
        },
    )
    add_uris(dataset, record.uris)
    return dataset


def add_uris(dataset: Dataset, uris: Iterable[tuple[str, str]]) -> None:
    """Attach ``(uri, service)`` pairs to a dataset, skipping those it already has."""
    for uri, service in uris:
        DatasetURI.objects.get_or_create(
            dataset=dataset, uri=uri, defaults={'service': service, 'name': service_name(service)}
        )
