"""An OpenSSH server on loopback for the SFTP and publication tests (fixture ``sshd_server``).

The server runs ``/usr/sbin/sshd`` (Debian package ``openssh-server``) in the foreground as
the current user, with a host key and a client key generated for the session. It accepts only
that client key. Files are exchanged under ``root``, an ordinary local directory: the server
uses absolute paths, so clients should write under ``str(sshd_server.root)``.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import free_port

SSHD = '/usr/sbin/sshd'
PRIVILEGE_SEPARATION_DIR = Path('/run/sshd')
HOST_ALIAS = 'geospaas-test-sshd'


@dataclass(frozen=True)
class SSHServer:
    """Where the test SSH server listens and how to log in to it."""

    host: str
    port: int
    username: str
    client_key_path: Path
    host_key_path: Path
    known_hosts_path: Path
    ssh_config_path: Path
    root: Path
    alias: str = HOST_ALIAS


def _ensure_privilege_separation_dir() -> None:
    # Debian's sshd refuses to start without it; the package's init script normally creates it.
    if not PRIVILEGE_SEPARATION_DIR.is_dir() and os.geteuid() == 0:
        PRIVILEGE_SEPARATION_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)


def _keygen(path: Path) -> None:
    subprocess.run(
        ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'geospaas-test', '-f', str(path)],
        check=True,
        capture_output=True,
    )


def _write_sshd_config(directory: Path, port: int, host_key: Path, authorized_keys: Path) -> Path:
    config = directory / 'sshd_config'
    config.write_text(
        '\n'.join(
            [
                'ListenAddress 127.0.0.1',
                f'Port {port}',
                f'HostKey {host_key}',
                f'AuthorizedKeysFile {authorized_keys}',
                f'PidFile {directory / "sshd.pid"}',
                'PasswordAuthentication no',
                'KbdInteractiveAuthentication no',
                'PubkeyAuthentication yes',
                'PermitRootLogin prohibit-password',
                'StrictModes no',
                'UsePAM no',
                'Subsystem sftp internal-sftp',
                'LogLevel ERROR',
                '',
            ]
        )
    )
    return config


def _write_client_files(directory: Path, server: dict) -> tuple[Path, Path]:
    public_host_key = Path(f'{server["host_key_path"]}.pub').read_text().split()
    known_hosts = directory / 'known_hosts'
    known_hosts.write_text(
        f'[127.0.0.1]:{server["port"]} {public_host_key[0]} {public_host_key[1]}\n'
    )
    ssh_config = directory / 'ssh_config'
    ssh_config.write_text(
        f'Host {HOST_ALIAS}\n'
        f'    HostName 127.0.0.1\n'
        f'    Port {server["port"]}\n'
        f'    User {server["username"]}\n'
        f'    IdentityFile {server["client_key_path"]}\n'
        f'    UserKnownHostsFile {known_hosts}\n'
        f'    StrictHostKeyChecking yes\n'
    )
    return known_hosts, ssh_config


def _wait_until_listening(
    process: subprocess.Popen, port: int, log: Path, timeout: float = 10.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f'sshd exited with status {process.returncode}: {log.read_text()}')
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError(f'sshd did not listen on 127.0.0.1:{port} within {timeout} s')


@pytest.fixture(scope='session')
def sshd_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SSHServer]:
    """An OpenSSH server on 127.0.0.1 accepting the generated client key for the current user."""
    if not Path(SSHD).exists() or shutil.which('ssh-keygen') is None:
        pytest.skip(f'{SSHD} or ssh-keygen missing: apt-get install openssh-server')
    _ensure_privilege_separation_dir()
    directory = tmp_path_factory.mktemp('sshd')
    host_key, client_key = directory / 'host_key', directory / 'client_key'
    _keygen(host_key)
    _keygen(client_key)
    authorized_keys = directory / 'authorized_keys'
    shutil.copyfile(f'{client_key}.pub', authorized_keys)
    port = free_port()
    config = _write_sshd_config(directory, port, host_key, authorized_keys)
    server = {
        'port': port,
        'username': getpass.getuser(),
        'client_key_path': client_key,
        'host_key_path': host_key,
    }
    known_hosts, ssh_config = _write_client_files(directory, server)
    root = directory / 'root'
    root.mkdir()
    # sshd insists on being started with its absolute path.
    log = directory / 'sshd.log'
    with log.open('wb') as log_file:
        process = subprocess.Popen(
            [SSHD, '-D', '-e', '-f', str(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
    try:
        _wait_until_listening(process, port, log)
        yield SSHServer(
            host='127.0.0.1',
            known_hosts_path=known_hosts,
            ssh_config_path=ssh_config,
            root=root,
            **server,
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
