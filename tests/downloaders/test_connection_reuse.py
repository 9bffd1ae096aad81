"""HTTP connections are kept alive and reused per thread, against a real nginx on loopback.

nginx numbers each client connection (``$connection``, nginx documentation, module
ngx_http_core_module, "Embedded Variables") and logs it per request, so the log says how
many connections the downloads opened. nginx keeps a connection open between requests
(``keepalive_timeout``, default 75 s, same module) unless the client closes it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from geospaas_processing.downloaders import _transfer
from geospaas_processing.downloaders.http import HTTPDownloader
from geospaas_processing.downloaders.provider_settings import ProviderSettings

NGINX = shutil.which('nginx') or shutil.which('nginx', path='/usr/sbin')
CONFIG = """
{user}
daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 64; }}
http {{
    log_format connections '$connection $request_method $uri $status';
    access_log {work}/access.log connections;
    client_body_temp_path {work}/tmp;
    proxy_temp_path {work}/tmp;
    fastcgi_temp_path {work}/tmp;
    uwsgi_temp_path {work}/tmp;
    scgi_temp_path {work}/tmp;
    server {{ listen 127.0.0.1:{port}; root {data}; }}
}}
"""

pytestmark = pytest.mark.skipif(NGINX is None, reason='nginx is not installed (nginx-light)')


@pytest.fixture
def nginx(tmp_path):
    """nginx serving tmp_path/data; yields (base URL, access log path)."""
    work, data = tmp_path / 'nginx', tmp_path / 'data'
    (work / 'tmp').mkdir(parents=True)
    data.mkdir()
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    # Started by root, nginx's workers would run as nobody, who cannot read pytest's folders.
    user = 'user root;' if os.geteuid() == 0 else ''
    (work / 'nginx.conf').write_text(CONFIG.format(user=user, work=work, data=data, port=port))
    process = subprocess.Popen(
        [NGINX, '-c', str(work / 'nginx.conf'), '-p', str(work), '-e', str(work / 'error.log')]
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(('127.0.0.1', port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f'http://127.0.0.1:{port}', data, work / 'access.log'
    finally:
        process.terminate()
        process.wait()


def logged_requests(log: Path, count: int) -> list[list[str]]:
    """The access log's lines once ``count`` are written (nginx writes after responding)."""
    for _ in range(200):
        lines = log.read_text().split('\n')[:-1] if log.exists() else []
        if len(lines) >= count:
            return [line.split() for line in lines]
        time.sleep(0.05)
    raise AssertionError(f'nginx logged {len(lines)} requests, expected {count}')


def test_sequential_downloads_and_heads_share_one_connection(nginx, tmp_path):
    base, data, log = nginx
    contents = {f'{index}.nc': os.urandom(300_000 + index) for index in range(4)}
    for name, content in contents.items():
        (data / name).write_bytes(content)
    with HTTPDownloader(ProviderSettings()) as downloader:
        for name, content in contents.items():
            assert downloader.size(f'{base}/{name}') == len(content)
            path, _ = _transfer.fetch(downloader, f'{base}/{name}', tmp_path / 'out' / name)
            assert path.read_bytes() == content
    requests = logged_requests(log, 2 * len(contents))
    assert [(method, status) for _, method, _, status in requests] == [
        ('HEAD', '200'),
        ('GET', '200'),
    ] * len(contents)
    assert {connection for connection, *_ in requests} == {requests[0][0]}, requests


def test_a_transfer_stopped_early_does_not_leave_its_connection_to_the_next(nginx, tmp_path):
    base, data, log = nginx
    (data / 'big.nc').write_bytes(os.urandom(3_000_000))
    (data / 'small.nc').write_bytes(b'small')
    with HTTPDownloader(ProviderSettings()) as downloader:
        remote = downloader.open(f'{base}/big.nc')
        next(iter(remote.chunks))  # the caller gives up after the first chunk
        remote.close()
        path, size = _transfer.fetch(downloader, f'{base}/small.nc', tmp_path)
    assert path.read_bytes() == b'small' and size == 5
    first, second = logged_requests(log, 2)
    assert first[0] != second[0]  # half-read body: that connection cannot carry another request
