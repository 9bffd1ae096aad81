"""GELF logging reaches Graylog over TCP by default, as the original package sent it.

The original (django-geo-spaas-processing, ``tasks/__init__.py``) used graypy's
GELFTCPHandler. Graylog's GELF TCP input reads uncompressed JSON messages ended by a null
byte, its UDP input JSON datagrams, possibly GZIP- or ZLIB-compressed (Graylog documentation,
"GELF", sections "GELF via TCP" and "GELF via UDP"); loopback sockets stand in for the inputs.
"""

from __future__ import annotations

import json
import logging
import socket
import zlib

import pytest

pytest.importorskip('graypy')
pytest.importorskip('celery')

from geospaas_processing.errors import ConfigurationError  # noqa: E402
from geospaas_processing.tasks import _add_graylog_handler  # noqa: E402


@pytest.fixture
def graylog_logger(unique_name):
    logger = logging.getLogger(unique_name)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger
    for handler in list(logger.handlers):
        handler.close()
        logger.removeHandler(handler)


def test_gelf_goes_over_tcp_by_default(graylog_logger, monkeypatch):
    with socket.create_server(('127.0.0.1', 0)) as server:
        server.settimeout(30)
        monkeypatch.setenv('GEOSPAAS_PROCESSING_LOGGING_HOST', '127.0.0.1')
        monkeypatch.setenv('GEOSPAAS_PROCESSING_LOGGING_PORT', str(server.getsockname()[1]))
        _add_graylog_handler(graylog_logger)
        graylog_logger.info('over tcp')
        connection, _ = server.accept()
        with connection:
            connection.settimeout(30)
            received = b''
            while not received.endswith(b'\0'):
                received += connection.recv(65536)
    assert json.loads(received[:-1])['short_message'] == 'over tcp'


def test_gelf_goes_over_udp_when_asked(graylog_logger, monkeypatch):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(('127.0.0.1', 0))
        server.settimeout(30)
        monkeypatch.setenv('GEOSPAAS_PROCESSING_LOGGING_HOST', '127.0.0.1')
        monkeypatch.setenv('GEOSPAAS_PROCESSING_LOGGING_PORT', str(server.getsockname()[1]))
        monkeypatch.setenv('GEOSPAAS_PROCESSING_LOGGING_PROTOCOL', 'udp')
        _add_graylog_handler(graylog_logger)
        graylog_logger.info('over udp')
        datagram = server.recv(65536)
    assert json.loads(zlib.decompress(datagram))['short_message'] == 'over udp'


def test_an_unknown_gelf_protocol_is_named(graylog_logger, monkeypatch):
    monkeypatch.setenv('GEOSPAAS_PROCESSING_LOGGING_HOST', '127.0.0.1')
    monkeypatch.setenv('GEOSPAAS_PROCESSING_LOGGING_PROTOCOL', 'http')
    with pytest.raises(ConfigurationError, match='GEOSPAAS_PROCESSING_LOGGING_PROTOCOL'):
        _add_graylog_handler(graylog_logger)
