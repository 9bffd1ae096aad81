"""Issue 13 item 2: ``geospaas-download --dry-run`` with a strftime destination, as a command."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from geospaas_processing.catalog import services
from geospaas_processing.catalog.records import DatasetRecord, create_dataset
from tests.helpers import catalog_environment, run_command


@pytest.mark.django_db(transaction=True)
def test_dry_run_with_a_dated_destination_lists_each_dataset_directory(http_server, tmp_path):
    for day in (1, 2):
        create_dataset(
            DatasetRecord(
                f'day-{day}',
                datetime(2024, 3, day, tzinfo=UTC),
                datetime(2024, 3, day, 12, tzinfo=UTC),
                'POLYGON((0 60,10 60,10 70,0 70,0 60))',
                uris=[(http_server.add_file(f'/d{day}.nc', b'x' * 100), services.HTTP_SERVICE)],
            )
        )
    destination = tmp_path / 'data' / '%Y' / '%m' / '%d'
    result = run_command(
        [
            'geospaas_processing.cli.download',
            '-d',
            str(destination),
            '-b',
            '2024-03-01',
            '-e',
            '2024-03-02T23:59:59Z',
            '--dry-run',
        ],
        catalog_environment(),
    )
    assert result.returncode == 0, result.stderr
    assert 'Traceback' not in result.stderr
    assert 'day-1  ->  2024/03/01/day-1' in result.stdout
    assert 'day-2  ->  2024/03/02/day-2' in result.stdout
    assert not (tmp_path / 'data').exists() or not any((tmp_path / 'data').rglob('*.nc'))
