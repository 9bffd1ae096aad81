"""DownloadManager on a catalog: selection, layout, outcomes, presence, save_path, removal."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from geospaas_processing.catalog.models import DatasetURI
from geospaas_processing.downloaders import (
    DatasetDownloadError,
    DownloadManager,
    DownloadStatus,
    ObsoleteURLError,
    RetriableDatasetDownloadError,
    RetriableDownloadError,
    SelectionError,
)

pytestmark = pytest.mark.django_db
HTTP = 'HTTPServer'
CONTENT = os.urandom(100_000)


def test_documented_calls_download_into_a_directory_per_dataset(
    http_server, make_dataset, tmp_path, monkeypatch
):
    dataset = make_dataset('ds-1', [(http_server.add_file('/a/file.nc', CONTENT), HTTP)])
    monkeypatch.chdir(tmp_path)
    assert DownloadManager(id=dataset.id).download() == ['ds-1/file.nc']
    assert (tmp_path / 'ds-1' / 'file.nc').read_bytes() == CONTENT
    target = tmp_path / 'elsewhere'
    assert DownloadManager(download_directory=target, id=dataset.id).download() == ['ds-1/file.nc']


def test_strftime_placeholders_resolved_per_dataset(http_server, make_dataset, tmp_path):
    make_dataset(
        'march',
        [(http_server.add_file('/m.nc', CONTENT), HTTP)],
        datetime(2024, 3, 5, tzinfo=UTC),
    )
    make_dataset(
        'june', [(http_server.add_file('/j.nc', CONTENT), HTTP)], datetime(2023, 6, 7, tzinfo=UTC)
    )
    manager = DownloadManager(str(tmp_path / '%Y' / '%m' / '%d'), entry_id__in=['march', 'june'])
    assert sorted(manager.download()) == ['2023/06/07/june/j.nc', '2024/03/05/march/m.nc']
    assert (tmp_path / '2024' / '03' / '05' / 'march' / 'm.nc').is_file()


@pytest.mark.parametrize('entry_id', ['../../escape', '/etc/passwd', '..', 'a/../../b'])
def test_entry_ids_cannot_make_files_land_outside(http_server, make_dataset, tmp_path, entry_id):
    from geospaas_processing.catalog.models import Dataset

    dataset = make_dataset('placeholder', [(http_server.add_file('/x.nc', CONTENT), HTTP)])
    Dataset.objects.filter(id=dataset.id).update(entry_id=entry_id)  # bypasses the validator
    root = tmp_path / 'root'
    [path] = DownloadManager(root, id=dataset.id).download()
    assert (root / path).resolve().is_relative_to(root.resolve())
    assert [p.name for p in tmp_path.iterdir()] == ['root']
    assert len(list(root.iterdir())) == 1


def test_uris_tried_in_order_and_outcomes_report_each_dataset(http_server, make_dataset, tmp_path):
    good = make_dataset(
        'good',
        [(http_server.url('/gone.nc'), HTTP), (http_server.add_file('/ok.nc', CONTENT), HTTP)],
    )
    bad = make_dataset('bad', [(http_server.url('/gone2.nc'), HTTP)])
    busy = make_dataset(
        'busy', [(http_server.add_file('/b.nc', CONTENT, statuses=[503], retry_after='7'), HTTP)]
    )
    outcomes = DownloadManager(tmp_path, entry_id__in=['good', 'bad', 'busy']).download_report()
    assert [(o.dataset_id, o.status) for o in outcomes] == [
        (good.id, DownloadStatus.DOWNLOADED),
        (bad.id, DownloadStatus.FAILED),
        (busy.id, DownloadStatus.FAILED),
    ]
    assert outcomes[0].path == 'good/ok.nc' and outcomes[0].size == len(CONTENT)
    assert isinstance(outcomes[1].error, DatasetDownloadError)
    assert isinstance(outcomes[1].error.errors[0][1], ObsoleteURLError)
    assert 'gone2.nc' in outcomes[1].reason and '404' in outcomes[1].reason
    assert isinstance(outcomes[2].error, RetriableDownloadError)
    assert outcomes[2].error.retry_after == 7


def test_single_dataset_failure_is_raised_by_download(http_server, make_dataset, tmp_path):
    busy = make_dataset(
        'busy', [(http_server.add_file('/b.nc', CONTENT, statuses=[429], retry_after='9'), HTTP)]
    )
    with pytest.raises(RetriableDatasetDownloadError) as raised:
        DownloadManager(tmp_path, id=busy.id).download()
    assert raised.value.retry_after == 9 and raised.value.dataset_id == busy.id


def test_complete_file_is_not_fetched_again_but_a_stray_file_is_not_enough(
    http_server, make_dataset, tmp_path
):
    dataset = make_dataset('ds', [(http_server.add_file('/f.nc', CONTENT), HTTP)])
    (tmp_path / 'ds').mkdir()
    (tmp_path / 'ds' / 'stray.nc').write_bytes(b'not the dataset')
    first = DownloadManager(tmp_path, id=dataset.id).download_report()
    assert first[0].status is DownloadStatus.DOWNLOADED
    requests_before = len(http_server.requests)
    again = DownloadManager(tmp_path, id=dataset.id).download_report()
    assert again[0].status is DownloadStatus.PRESENT and again[0].path == 'ds/f.nc'
    assert len(http_server.requests) == requests_before
    (tmp_path / 'ds' / 'f.nc').write_bytes(b'truncated')
    third = DownloadManager(tmp_path, id=dataset.id).download_report()
    assert third[0].status is DownloadStatus.DOWNLOADED
    assert (tmp_path / 'ds' / 'f.nc').read_bytes() == CONTENT


def test_selection_errors(make_dataset, tmp_path):
    for index in range(3):
        make_dataset(f'd{index}', [])
    with pytest.raises(SelectionError, match='no dataset matches'):
        DownloadManager(tmp_path, entry_id='nothing').download()
    with pytest.raises(SelectionError, match='3 datasets match') as raised:
        DownloadManager(tmp_path, max_downloads=2, entry_id__startswith='d').download()
    assert (raised.value.count, raised.value.limit) == (3, 2)
    with pytest.raises(SelectionError, match='not_a_field'):
        DownloadManager(tmp_path, not_a_field=3)
    assert list(tmp_path.iterdir()) == []


def test_save_path_records_the_local_copy_once_and_remove_deletes_it(
    http_server, make_dataset, tmp_path
):
    dataset = make_dataset('ds', [(http_server.add_file('/f.nc', CONTENT), HTTP)])
    for _ in range(2):
        DownloadManager(tmp_path, save_path=True, id=dataset.id).download()
    local = DatasetURI.objects.filter(dataset=dataset, service='local')
    assert [uri.uri for uri in local] == [str(tmp_path / 'ds' / 'f.nc')]
    assert DownloadManager(tmp_path, id=dataset.id).remove() == ['ds/f.nc']
    assert not (tmp_path / 'ds').exists() and not local.all().exists()


def test_parallel_downloads_keep_dataset_order_and_report_progress(
    http_server, make_dataset, tmp_path
):
    ids = [
        make_dataset(f'p{index:02d}', [(http_server.add_file(f'/p{index}.nc', CONTENT), HTTP)]).id
        for index in range(12)
    ]
    seen: dict[int, list] = {}
    manager = DownloadManager(
        tmp_path,
        max_workers=4,
        progress=lambda dataset_id, done, total: seen.setdefault(dataset_id, []).append(
            (done, total)
        ),
        entry_id__startswith='p',
    )
    assert manager.download() == [f'p{index:02d}/p{index}.nc' for index in range(12)]
    assert sorted(seen) == ids
    assert all(values[-1] == (len(CONTENT), len(CONTENT)) for values in seen.values())


def test_provider_limit_holds_within_one_manager(
    http_server, make_dataset, tmp_path, settings_file
):
    settings = settings_file({http_server.base_url: {'max_parallel_downloads': 2}})
    for index in range(6):
        url = http_server.add_file(f'/s{index}.nc', CONTENT, rate=1_000_000)
        make_dataset(f's{index}', [(url, HTTP)])
    manager = DownloadManager(tmp_path, settings, max_workers=6, entry_id__startswith='s')
    assert len(manager.download()) == 6
    assert http_server.max_active_transfers == 2


def test_dry_run_lists_uris_and_sizes_without_writing(http_server, make_dataset, tmp_path):
    url = http_server.add_file('/f.nc', CONTENT)
    dataset = make_dataset('ds', [(url, HTTP), ('ftp://127.0.0.1:9/f.nc', 'ftp')])
    [catalog_only] = DownloadManager(tmp_path, id=dataset.id).plan()
    assert catalog_only.uris == (url, 'ftp://127.0.0.1:9/f.nc') and catalog_only.size is None
    [probed] = DownloadManager(tmp_path, id=dataset.id).plan(probe_sizes=True)
    assert probed.size == len(CONTENT) and probed.directory == 'ds' and not probed.present
    assert {record.method for record in http_server.requests} == {'HEAD'}
    assert list(tmp_path.iterdir()) == []


def test_local_and_ftp_uris_through_the_manager(ftp_server, make_dataset, tmp_path, settings_file):
    (ftp_server.root / 'f.nc').write_bytes(CONTENT)
    source = tmp_path / 'src.nc'
    source.write_bytes(CONTENT)
    settings = settings_file(
        {
            f'ftp://{ftp_server.host}:{ftp_server.port}': {
                'username': ftp_server.username,
                'password': ftp_server.password,
            }
        }
    )
    make_dataset('ftp', [(ftp_server.url('f.nc'), 'ftp')])
    make_dataset('local', [(str(source), 'local')])
    paths = DownloadManager(tmp_path / 'out', settings, entry_id__in=['ftp', 'local']).download()
    assert paths == ['ftp/f.nc', 'local/src.nc']
    assert all((tmp_path / 'out' / path).read_bytes() == CONTENT for path in paths)


def test_download_with_no_uri_is_a_dataset_error(make_dataset, tmp_path):
    dataset = make_dataset('empty', [])
    with pytest.raises(DatasetDownloadError, match='no URI'):
        DownloadManager(tmp_path, id=dataset.id).download()
    assert Path(tmp_path).exists()


def test_plan_with_strftime_placeholders_resolves_each_dataset_directory(
    http_server, make_dataset, tmp_path
):
    # issue 13 item 2: DownloadManager('/x/%Y', id=1).plan() crashed; the plan, the download
    # and the removal now compute a dataset's directory in one place.
    dataset = make_dataset(
        'dated', [(http_server.add_file('/d.nc', CONTENT), HTTP)], datetime(2024, 3, 5, tzinfo=UTC)
    )
    manager = DownloadManager(str(tmp_path / '%Y' / '%m'), id=dataset.id)
    [planned] = manager.plan(probe_sizes=True)
    assert planned.directory == '2024/03/dated' and planned.size == len(CONTENT)
    assert not planned.present and list(tmp_path.iterdir()) == []
    [path] = manager.download()
    assert path == '2024/03/dated/d.nc'
    assert manager.plan()[0].present
    assert manager.remove() == ['2024/03/dated/d.nc']


def test_a_directory_made_by_the_original_package_is_adopted_and_removable(
    http_server, make_dataset, tmp_path
):
    # issue 12 item 14: <download dir>/<entry_id>/<file> without a manifest, as the original
    # geospaas_processing left it, is present when its size is the provider's.
    dataset = make_dataset('legacy', [(http_server.add_file('/l.nc', CONTENT), HTTP)])
    (tmp_path / 'legacy').mkdir()
    (tmp_path / 'legacy' / 'l.nc').write_bytes(CONTENT)
    manager = DownloadManager(tmp_path, id=dataset.id)
    assert manager.plan()[0].present
    [outcome] = manager.download_report()
    assert outcome.status is DownloadStatus.PRESENT and outcome.path == 'legacy/l.nc'
    assert [request.method for request in http_server.requests] == ['HEAD']
    assert (tmp_path / 'legacy' / '.geospaas_download.json').is_file()
    assert DownloadManager(tmp_path, id=dataset.id).remove() == ['legacy/l.nc']
    assert not (tmp_path / 'legacy').exists()


def test_remove_deletes_an_unadopted_legacy_directory_too(make_dataset, tmp_path):
    dataset = make_dataset('old', [('https://gone.invalid/o.nc', HTTP)])
    (tmp_path / 'old').mkdir()
    (tmp_path / 'old' / 'o.nc').write_bytes(b'downloaded long ago')
    assert DownloadManager(tmp_path, id=dataset.id).remove() == ['old/o.nc']
    assert not (tmp_path / 'old').exists()


def test_cancel_starts_no_transfer_and_keeps_nothing_half_written(
    http_server, make_dataset, tmp_path
):
    dataset = make_dataset('later', [(http_server.add_file('/c.nc', CONTENT), HTTP)])
    manager = DownloadManager(tmp_path, id=dataset.id)
    manager.cancel.set()
    assert manager.download_report() == []
    assert http_server.requests == [] and list(tmp_path.iterdir()) == []
