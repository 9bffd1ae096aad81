"""Harvesting tasks on a real worker, against the loopback STAC emulator."""

from __future__ import annotations

import pytest

from geospaas_processing.catalog.models import Dataset
from geospaas_processing.harvesting import HarvestConfigurationError
from geospaas_processing.tasks import harvesting
from tests.harvesting.servers import JSONServer, stac_item, stac_route
from tests.tasks.conftest import broker_url_for, start_worker, stop_worker

SEARCH_CONFIG = {
    'common': {'start_time': '2022-08-01', 'end_time': '2022-08-31T23:59:59Z'},
    'searches': [{'provider_name': 'stac', 'collections': ['sentinel-3-slstr-wst']}],
}


@pytest.fixture
def stac_config(tmp_path, monkeypatch, task_environment):
    with JSONServer(stac_route, [stac_item(index) for index in range(12)]) as server:
        path = tmp_path / 'harvest.yml'
        path.write_text(
            'providers:\n'
            f'  - {{name: stac, type: stac, url: "{server.url}", page_size: 5, backoff: 0.01}}\n'
        )
        monkeypatch.setenv('GEOSPAAS_PROCESSING_HARVEST_CONFIG', str(path))
        task_environment['GEOSPAAS_PROCESSING_HARVEST_CONFIG'] = str(path)
        yield server


def test_an_unknown_provider_fails_before_anything_is_sent(stac_config):
    with pytest.raises(HarvestConfigurationError, match='nowhere'):
        harvesting.start_harvest({'searches': [{'provider_name': 'nowhere'}]})


@pytest.mark.django_db(transaction=True)
def test_harvest_runs_in_process_without_a_broker(stac_config):
    started = harvesting.start_harvest.delay(SEARCH_CONFIG).get()
    assert [search['provider_name'] for search in started['searches']] == ['stac']
    assert Dataset.objects.filter(entry_id__startswith='S3A_SL_2_WST').count() == 12


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize('broker', ['rabbitmq', 'redis'])
def test_harvest_group_then_retry_on_a_worker(
    stac_config, broker, request, client_app, task_environment, tmp_path
):
    broker_url = broker_url_for(broker, request)
    app = client_app(broker_url)
    app.control.purge()
    process = start_worker(
        broker_url,
        task_environment,
        tmp_path / 'worker.log',
        queues='harvesting',
        app_module='geospaas_processing.tasks.harvesting',
    )
    try:
        started = harvesting.start_harvest.apply_async(args=(SEARCH_CONFIG,)).get(timeout=60)
        retried = app.AsyncResult(started['result_id']).get(timeout=60)
        vocabularies = harvesting.update_vocabularies.delay().get(timeout=60)
    finally:
        stop_worker(process)
    # The retry ran after the search group: nothing had failed, so nothing to retry.
    assert retried == {'retried': 0, 'succeeded': 0, 'failed': 0, 'errors': []}
    assert Dataset.objects.filter(entry_id__startswith='S3A_SL_2_WST').count() == 12
    assert vocabularies and all(isinstance(counts, dict) for counts in vocabularies.values())
