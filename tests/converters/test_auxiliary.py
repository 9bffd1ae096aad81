"""Auxiliary files: fetched over HTTP on first need, from a loopback server here."""

from __future__ import annotations

import hashlib
import http.server
import pickle
import threading

import pytest

from geospaas_processing import config
from geospaas_processing.converters import auxiliary
from geospaas_processing.converters.auxiliary import AuxiliaryFile
from geospaas_processing.converters.errors import AuxiliaryFileError, ConversionError
from tests.helpers import free_port

CONTENT = b'# a b c\n0.1 0.2 0.3\n'


@pytest.fixture
def file_server(tmp_path):
    """A threaded HTTP server on loopback serving tmp_path/served; yields (base URL, requests)."""
    served = tmp_path / 'served'
    served.mkdir()
    requests_seen: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(served), **kwargs)

        def do_GET(self):
            requests_seen.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.server_port}', served, requests_seen
    finally:
        server.shutdown()
        server.server_close()


def test_fetched_on_first_need_only_and_kept_per_version(file_server):
    base_url, served, requests_seen = file_server
    (served / 'lut.txt').write_bytes(CONTENT)
    aux = AuxiliaryFile('lut', 'lut.txt', '2', url=f'{base_url}/lut.txt')
    expected = config.auxiliary_dir() / 'lut' / '2' / 'lut.txt'
    assert not expected.exists()

    first = auxiliary.ensure(aux)
    second = auxiliary.ensure(aux)

    assert first == second == expected
    assert expected.read_bytes() == CONTENT
    assert requests_seen == ['/lut.txt']
    assert [p.name for p in expected.parent.iterdir()] == ['lut.txt']


def test_the_mirror_setting_replaces_the_source(file_server, monkeypatch):
    base_url, served, _ = file_server
    (served / 'slstr_sst_coefficients' / '1').mkdir(parents=True)
    (served / 'slstr_sst_coefficients' / '1' / 'slstr_sst_coefficients.txt').write_bytes(CONTENT)
    monkeypatch.setenv('GEOSPAAS_PROCESSING_AUXILIARY_URL', base_url + '/')

    path = auxiliary.ensure('slstr_sst_coefficients')

    assert path.read_bytes() == CONTENT
    assert path.is_relative_to(config.auxiliary_dir())


def test_missing_without_source_names_the_file_and_where_it_was_looked_for():
    with pytest.raises(AuxiliaryFileError) as caught:
        auxiliary.ensure('slstr_sst_coefficients')
    message = str(caught.value)
    expected = config.auxiliary_dir() / 'slstr_sst_coefficients' / '1'
    assert 'slstr_sst_coefficients' in message and str(expected) in message
    assert 'GEOSPAAS_PROCESSING_AUXILIARY_URL' in message


def test_a_file_put_in_place_by_hand_is_used_without_a_source():
    aux = auxiliary.get('slstr_sst_coefficients')
    path = aux.local_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(CONTENT)
    assert auxiliary.ensure(aux) == path


def test_unfetchable_names_the_url_and_leaves_nothing_behind(file_server):
    base_url, _, _ = file_server
    aux = AuxiliaryFile('lut', 'lut.txt', '1', url=f'{base_url}/nowhere/lut.txt')
    with pytest.raises(AuxiliaryFileError, match='HTTP status 404') as caught:
        auxiliary.ensure(aux)
    assert f'{base_url}/nowhere/lut.txt' in str(caught.value)
    assert not any(config.auxiliary_dir().rglob('*lut.txt*'))
    assert isinstance(pickle.loads(pickle.dumps(caught.value)), ConversionError)


def test_the_message_keeps_the_sources_credentials_out(file_server):
    base_url, _, _ = file_server
    scheme, rest = base_url.split('://', 1)
    url = f'{scheme}://reader:pa55word@{rest}/nowhere/lut.txt?token=s3cret'
    with pytest.raises(AuxiliaryFileError, match='HTTP status 404') as caught:
        auxiliary.ensure(AuxiliaryFile('lut', 'lut.txt', '1', url=url))
    assert 'pa55word' not in str(caught.value) and 's3cret' not in str(caught.value)


def test_a_refused_connection_is_an_auxiliary_file_error(unused_port):
    aux = AuxiliaryFile('lut', 'lut.txt', '1', url=f'http://127.0.0.1:{unused_port}/lut.txt')
    with pytest.raises(AuxiliaryFileError, match='could not be fetched'):
        auxiliary.ensure(aux)


def test_a_wrong_checksum_is_refused(file_server):
    base_url, served, _ = file_server
    (served / 'lut.txt').write_bytes(CONTENT)
    good = hashlib.sha256(CONTENT).hexdigest()
    bad = AuxiliaryFile('lut', 'lut.txt', '1', url=f'{base_url}/lut.txt', sha256='0' * 64)
    with pytest.raises(AuxiliaryFileError, match='checksum'):
        auxiliary.ensure(bad)
    assert not bad.local_path().exists()
    fine = AuxiliaryFile('lut', 'lut.txt', '1', url=f'{base_url}/lut.txt', sha256=good)
    assert auxiliary.ensure(fine).read_bytes() == CONTENT


def test_unknown_names_are_refused_with_the_known_ones():
    with pytest.raises(AuxiliaryFileError, match='slstr_sst_coefficients'):
        auxiliary.get('no_such_file')


@pytest.fixture
def unused_port() -> int:
    return free_port()


def test_nothing_is_fetched_or_made_at_import(tmp_path):
    import os

    from tests.helpers import run_python

    env = dict(os.environ, GEOSPAAS_PROCESSING_AUXILIARY_PATH=str(tmp_path / 'aux'))
    env['GEOSPAAS_PROCESSING_AUXILIARY_URL'] = 'http://127.0.0.1:9/'
    done = run_python('import geospaas_processing.converters.idf.converter', env)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / 'aux').exists()
