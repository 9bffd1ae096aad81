"""Recording and removing ingested results: files, portal rows and ProcessingResults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from geospaas_processing.converters.syntool import portal, results
from geospaas_processing.models import ProcessingResult
from tests import helpers
from tests.syntool.fixtures import STAND_INS, portal_rows, require_real_tools
from tests.syntool.test_portal import EVIL_NAME, write_metadata


def make_dataset(entry_id: str = 'ds'):
    return helpers.make_dataset(entry_id)


def ingest(results_dir, product: str, granule: str, **options) -> str:
    write_metadata(results_dir / 'ingested', product, granule, **options)
    return f'ingested/{product}/{granule}'


def set_created(path: str, created: datetime) -> None:
    ProcessingResult.objects.filter(path=path).update(created=created)


@pytest.mark.parametrize(
    ('ttl', 'expected'),
    [(None, None), (timedelta(hours=3), timedelta(hours=3)), ({'days': 2}, timedelta(days=2))],
)
def test_ttl_is_a_timedelta_or_its_arguments(ttl, expected):
    assert results.normalize_ttl(ttl) == expected


@pytest.mark.parametrize('ttl', [{'fortnights': 1}, {'days': -1}])
def test_a_wrong_ttl_is_refused(ttl):
    with pytest.raises(ValueError, match='ttl'):
        results.normalize_ttl(ttl)


def test_only_the_results_layout_names_portal_granules():
    assert results.granule_of('ingested/3413_P/g') == ('3413_P', 'g')
    assert results.granule_of('elsewhere/3413_P/g') is None
    assert results.granule_of('ingested/../g') is None
    # A dataset with a data group is one folder deeper (syntool_ingestor/__init__.py).
    assert results.granule_of('ingested/3413_P/group/g') == ('3413_P', 'g')


@pytest.mark.django_db
def test_recording_twice_updates_the_record():
    dataset = make_dataset()
    results.record_results(dataset.id, ['ingested/P/g'], {'days': 1})
    results.record_results(dataset.id, ['ingested/P/g'], timedelta(days=3))
    record = ProcessingResult.objects.get()
    assert (record.type, record.ttl, record.dataset_id) == (
        'syntool',
        timedelta(days=3),
        dataset.id,
    )
    assert results.recorded_results(dataset.id) == ['ingested/P/g']


@pytest.mark.django_db
@pytest.mark.service('mariadb')
def test_cleanup_ingested_removes_files_rows_and_records_before_the_date(
    real_syntool_tools, portal_database, results_dir
):
    dataset = make_dataset()
    old = [ingest(results_dir, '3413_P', 'old'), ingest(results_dir, '3413_P', EVIL_NAME)]
    new = ingest(results_dir, '3413_P', 'new')
    portal.insert_metadata([results_dir / path / 'metadata.json' for path in [*old, new]])
    results.record_results(dataset.id, [*old, new])
    for path in old:
        set_created(path, datetime(2022, 3, 1, tzinfo=UTC))
    (results_dir / old[0] / 'metadata.json').unlink()  # partly gone already: not an error

    assert sorted(results.cleanup_ingested('2022-03-04')) == sorted(old)

    assert [row[0] for row in portal_rows(portal_database, 'product_3413_P')] == ['new']
    assert not (results_dir / old[0]).exists() and not (results_dir / old[1]).exists()
    assert (results_dir / new / 'metadata.json').is_file()
    assert results.recorded_results(dataset.id) == [new]
    assert results.cleanup_ingested('2022-03-04') == []  # twice: harmless


@pytest.mark.django_db
@pytest.mark.service('mariadb')
def test_cleanup_by_criteria_and_of_expired_results(
    real_syntool_tools, portal_database, results_dir
):
    first, second = make_dataset('first'), make_dataset('second')
    kept = ingest(results_dir, '3413_P', 'kept')
    by_criteria = ingest(results_dir, '3413_P', 'by_criteria')
    expired = ingest(results_dir, '3413_Q', 'expired')
    portal.insert_metadata(
        [results_dir / p / 'metadata.json' for p in (kept, by_criteria, expired)]
    )
    results.record_results(first.id, [kept], {'days': 30})
    results.record_results(second.id, [by_criteria])
    results.record_results(first.id, [expired], {'hours': 1})
    set_created(expired, datetime.now(UTC) - timedelta(hours=2))

    assert results.cleanup({'dataset__entry_id': 'second'}) == [by_criteria]
    assert results.remove_expired() == [expired]

    assert [row[0] for row in portal_rows(portal_database, 'product_3413_P')] == ['kept']
    assert portal_rows(portal_database, 'product_3413_Q') == []
    assert sorted(ProcessingResult.objects.values_list('path', flat=True)) == [kept]
    assert not (results_dir / 'ingested' / '3413_Q').exists()  # empty product folder removed


@pytest.mark.django_db
def test_an_invalid_product_id_removes_nothing(results_dir):
    dataset = make_dataset()
    path = ingest(results_dir, '3413_P', 'g')
    bad = 'ingested/3413_P` WHERE 1; --/g'
    results.record_results(dataset.id, [path, bad])
    with pytest.raises(portal.SyntoolPortalError, match='not a valid Syntool product ID'):
        results.cleanup({'dataset': dataset.id})
    assert (results_dir / path).is_dir() and ProcessingResult.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.service('mariadb')
def test_cleanup_of_a_dataset_crossing_the_antimeridian_removes_both_rows(
    real_syntool_tools, portal_database, results_dir
):
    dataset = make_dataset()
    crossing = ingest(results_dir, '3857_P', 'crossing', crosses_antimeridian=True)
    kept = ingest(results_dir, '3857_P', 'kept')
    portal.insert_metadata([results_dir / p / 'metadata.json' for p in (crossing, kept)])
    results.record_results(dataset.id, [crossing])
    assert results.cleanup({'dataset_id': dataset.id}) == [crossing]
    assert [row[0] for row in portal_rows(portal_database, 'product_3857_P')] == ['kept']


def test_the_results_directory_defaults_to_the_work_directory(tmp_path, monkeypatch):
    monkeypatch.delenv('GEOSPAAS_PROCESSING_SYNTOOL_RESULTS_DIR', raising=False)
    monkeypatch.setenv('GEOSPAAS_PROCESSING_WORK_DIR', str(tmp_path / 'work'))
    assert results.results_dir() == tmp_path / 'work'
    monkeypatch.setenv('GEOSPAAS_PROCESSING_SYNTOOL_RESULTS_DIR', str(tmp_path / 'portal'))
    assert results.results_dir() == tmp_path / 'portal'


def test_the_tools_are_found_in_the_source_tree_by_their_default_names(monkeypatch):
    from geospaas_processing.converters.syntool.commands import command

    tools = require_real_tools()
    monkeypatch.delenv('GEOSPAAS_PROCESSING_SYNTOOL_INGESTOR', raising=False)
    assert command('GEOSPAAS_PROCESSING_SYNTOOL_INGESTOR') == [str(tools / 'syntool-ingestor')]
    stand_in = STAND_INS / 'syntool-ingestor'
    monkeypatch.setenv('GEOSPAAS_PROCESSING_SYNTOOL_INGESTOR', str(stand_in))
    assert command('GEOSPAAS_PROCESSING_SYNTOOL_INGESTOR') == [str(stand_in)]
