"""The downloader contract for SFTP, against OpenSSH's sshd on loopback."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
from pathlib import Path

import pytest

from geospaas_processing.downloaders.provider_settings import ProviderSettings
from geospaas_processing.downloaders.sftp import SFTPDownloader
from tests.downloaders.contract import DownloaderContract, Remote


def sshd_session_processes(sshd_server) -> list[int]:
    """The sshd processes serving connections (every descendant of the listening sshd)."""
    master = int((sshd_server.known_hosts_path.parent / 'sshd.pid').read_text())
    parents = {}
    for entry in Path('/proc').iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / 'stat').read_text().rsplit(')', 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [master]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found.extend(children)
        frontier.extend(children)
    return found


@pytest.fixture
def ssh_home(sshd_server, tmp_path_factory, monkeypatch) -> Path:
    """A HOME whose ~/.ssh/config reaches the test sshd under its alias."""
    home = tmp_path_factory.mktemp('home')
    (home / '.ssh').mkdir()
    shutil.copy(sshd_server.ssh_config_path, home / '.ssh' / 'config')
    monkeypatch.setenv('HOME', str(home))
    return home


@pytest.fixture
def remote(sshd_server, ssh_home) -> Remote:

    def publish(name: str, content: bytes) -> str:
        path = sshd_server.root / name
        path.write_bytes(content)
        return f'sftp://{sshd_server.alias}{path}'

    def cut() -> None:
        for pid in sshd_session_processes(sshd_server):
            os.kill(pid, signal.SIGKILL)

    def stall():
        # SIGSTOP: the session processes stop sending, their connections stay open.
        stopped = sshd_session_processes(sshd_server)
        for pid in stopped:
            os.kill(pid, signal.SIGSTOP)

        def resume() -> None:
            for pid in stopped:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)

        return resume

    return Remote(
        SFTPDownloader,
        publish,
        ProviderSettings(),
        # sshd accepts only the test key of the current user: another user is refused.
        bad_settings=ProviderSettings(username='nobody-here', password='wrong-secret-PW9'),
        secret='wrong-secret-PW9',
        cut=cut,
        stall=stall,
    )


class TestSFTPContract(DownloaderContract):
    """SFTP passes the contract."""


def established_connections(port: int) -> int:
    """TCP connections to ``port`` in state ESTABLISHED, from the kernel's table."""
    count = 0
    for line in Path('/proc/net/tcp').read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[2].split(':')[1], 16) == port and fields[3] == '01':
            count += 1
    return count


def test_one_connection_per_host_serves_every_transfer_and_size_probe(
    remote, sshd_server, tmp_path
):
    from geospaas_processing.downloaders import _transfer

    urls = [remote.publish(f'reuse{index}.nc', b'data' * 1000) for index in range(4)]
    with SFTPDownloader(remote.settings) as downloader:
        for index, url in enumerate(urls):
            assert downloader.size(url) == 4000
            _transfer.fetch(downloader, url, tmp_path / str(index))
        assert established_connections(sshd_server.port) == 1
