"""A database outage during ``geospaas-download`` (issue 17 item 25).

Before: a raw traceback and no summary. Now the run ends with a summary line naming the
database failure, and exit status 1. The outage is a TCP proxy of the test between the
command and PostgreSQL, cut while a file is being downloaded; the local path cannot be
recorded (``-a``) when the download ends.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from geospaas_processing.catalog import services
from tests import helpers
from tests.hostile import faults
from tests.hostile.faults import TcpProxy, sst_source
from tests.tasks.slow_server import SlowFileServer


@pytest.mark.django_db(transaction=True)
def test_db_outage_during_geospaas_download(tmp_path):
    proxy = TcpProxy(faults.postgis_port())
    source = sst_source(tmp_path / 'provider')
    env = helpers.catalog_environment({'GEOSPAAS_DB_PORT': str(proxy.port)})
    destination = tmp_path / 'out'
    destination.mkdir()
    try:
        with SlowFileServer(source.parent, bytes_per_second=8000) as server:
            helpers.make_dataset('db-outage', [(f'{server.url}sst.nc', services.HTTP_SERVICE)])
            command = subprocess.Popen(
                [
                    sys.executable,
                    '-m',
                    'geospaas_processing.cli.download',
                    '-d',
                    str(destination),
                    '-a',
                    '-q',
                    '{"entry_id": "db-outage"}',
                ],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert server.wait_for_request('/sst.nc', timeout=60)
            proxy.cut()
            stdout, stderr = command.communicate(timeout=120)
    finally:
        proxy.close()
    assert command.returncode == 1, stderr
    assert 'Traceback' not in stderr
    assert 'geospaas-download: error: the catalog database failed during the run' in stderr
    assert 'stopped: the catalog database failed' in stdout
    assert 'run the same command again' in stdout
