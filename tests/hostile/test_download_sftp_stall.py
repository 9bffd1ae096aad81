"""Hostile cases (issue 17 item 23): an SFTP server that stalls or drops mid-transfer.

The real OpenSSH server on loopback; its session processes are stopped (SIGSTOP: the host
stalls, as an overloaded or half-dead server does) or killed (SIGKILL: the connection
drops) in the middle of a transfer. SFTP gets the same bounded waits and retriable errors as
HTTP and FTP: the download fails retriably within the low-speed time, keeps its partial file
and resumes on the next attempt.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

import pytest

from geospaas_processing.downloaders import DownloadStatus, RetriableDownloadError
from geospaas_processing.downloaders.jobs import DownloadJob
from geospaas_processing.downloaders.progress import TransferProgress
from geospaas_processing.downloaders.provider_settings import ProviderSettingsRegistry, parse
from geospaas_processing.downloaders.transfers import Transfers
from tests.downloaders.test_contract_sftp import (  # noqa: F401 - ssh_home is a fixture
    ssh_home,
    sshd_session_processes,
)

CONTENT = os.urandom(24_000_000)  # far more than an SSH channel window (2 MiB)


class SignalServerOnFirstBlock(TransferProgress):
    """Sends a signal to the server's session processes once the first block is written."""

    def __init__(self, sshd_server, signal_number: int) -> None:
        self.sshd_server = sshd_server
        self.signal_number = signal_number
        self.signalled: list[int] = []

    def advance(self, key, count: int) -> None:
        if not self.signalled:
            self.signalled = sshd_session_processes(self.sshd_server)
            for pid in self.signalled:
                os.kill(pid, self.signal_number)


def transfers(directory, progress) -> Transfers:
    settings = parse({'sftp://': {'low_speed_limit': 1000, 'low_speed_time': 2}})
    return Transfers(directory, ProviderSettingsRegistry(settings, 'test'), progress=progress)


def source_url(sshd_server, name: str) -> str:
    source = sshd_server.root / name
    source.write_bytes(CONTENT)
    return f'sftp://{sshd_server.alias}{source}'


def resume_and_check(directory, url: str) -> None:
    with transfers(directory, None) as session:
        [outcome] = session.download([DownloadJob.for_urls(url)])
    assert outcome.status is DownloadStatus.DOWNLOADED, outcome.reason
    assert (directory / outcome.path).read_bytes() == CONTENT


def partial_size(directory: Path) -> int:
    return sum(
        path.stat().st_size
        for path in directory.rglob('.download-*.part')
        if not path.name.endswith('.resume.part')
    )


@pytest.mark.usefixtures('ssh_home')
def test_a_stalled_sftp_server_fails_retriably_and_the_download_resumes(sshd_server, tmp_path):
    url = source_url(sshd_server, 'stalled.nc')
    stopper = SignalServerOnFirstBlock(sshd_server, signal.SIGSTOP)
    try:
        with transfers(tmp_path, stopper) as session:
            [outcome] = session.download([DownloadJob.for_urls(url)])
    finally:
        for pid in stopper.signalled:  # this session is dead to the client anyway
            with contextlib.suppress(ProcessLookupError):  # gone with its killed parent
                os.kill(pid, signal.SIGKILL)
    assert stopper.signalled and outcome.status is DownloadStatus.FAILED
    assert isinstance(outcome.error, RetriableDownloadError), outcome.reason
    assert 0 < partial_size(tmp_path) < len(CONTENT)
    resume_and_check(tmp_path, url)


@pytest.mark.usefixtures('ssh_home')
def test_a_dropped_sftp_connection_fails_retriably_and_the_download_resumes(sshd_server, tmp_path):
    url = source_url(sshd_server, 'dropped.nc')
    killer = SignalServerOnFirstBlock(sshd_server, signal.SIGKILL)
    with transfers(tmp_path, killer) as session:
        [outcome] = session.download([DownloadJob.for_urls(url)])
    assert killer.signalled and outcome.status is DownloadStatus.FAILED
    assert isinstance(outcome.error, RetriableDownloadError), outcome.reason
    assert 'Traceback' not in outcome.reason
    resume_and_check(tmp_path, url)
