"""Publishing in place and over SSH to the loopback sshd (tests/servers/sshd.py)."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from geospaas_processing.errors import ConfigurationError
from geospaas_processing.ops.publish import (
    PublishError,
    RemoteSpaceError,
    publish,
    publish_in_place,
    publish_over_ssh,
)
from geospaas_processing.storage import NotEnoughSpaceError, StorageError
from tests.helpers import mounted_tmpfs
from tests.servers.sshd import SSHServer


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A work directory holding ``foo/dataset_180.nc``."""
    path = tmp_path / 'work' / 'foo' / 'dataset_180.nc'
    path.parent.mkdir(parents=True)
    path.write_bytes(os.urandom(50_000))
    return tmp_path / 'work'


@pytest.fixture
def ftp_root(sshd_server: SSHServer) -> Iterator[Path]:
    """A fresh FTP root on the SSH server's disk."""
    root = sshd_server.root / uuid.uuid4().hex[:8]
    root.mkdir()
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob('*') if path.is_file())


# --- in place ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ('relative', 'prefix', 'url'),
    [
        (
            './foo/dataset_180.nc',
            'https://data.example/work',
            'https://data.example/work/foo/dataset_180.nc',
        ),
        (
            'foo//a b#1.nc',
            'https://data.example/work/',
            'https://data.example/work/foo/a%20b%231.nc',
        ),
        ('dataset.nc', 'http://h/', 'http://h/dataset.nc'),
    ],
)
def test_publish_in_place_joins_and_quotes(relative: str, prefix: str, url: str) -> None:
    assert publish_in_place(relative, prefix) == url


@pytest.mark.parametrize('relative', ['../etc/passwd', '/etc/passwd', '.', 'a/../../b'])
def test_publish_refuses_paths_outside_the_root(relative: str) -> None:
    with pytest.raises(PublishError, match='expected a path inside the root'):
        publish_in_place(relative, 'https://data.example/work')


def test_publish_in_place_without_a_prefix_gives_the_path_from_the_work_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Upstream's publish task: os.getenv('GEOSPAAS_PROCESSING_PUBLISH_PREFIX', '') and
    # f"{prefix.rstrip('/')}/{path}" (django-geo-spaas-processing, commit f7362a4).
    monkeypatch.delenv('GEOSPAAS_PROCESSING_PUBLISH_PREFIX', raising=False)
    assert publish('./foo/x 1.nc') == '/foo/x%201.nc'
    monkeypatch.setenv('GEOSPAAS_PROCESSING_PUBLISH_PREFIX', '')
    assert publish('x.nc') == '/x.nc'


def test_publish_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('GEOSPAAS_PROCESSING_PUBLISH_PREFIX', 'https://data.example/work')
    assert publish('./x.nc') == 'https://data.example/work/x.nc'

    with pytest.raises(ConfigurationError) as raised:
        publish('./x.nc', 'ftp')
    for name in ('FTP_HOST', 'FTP_ROOT', 'FTP_PATH'):
        assert f'GEOSPAAS_PROCESSING_{name}' in str(raised.value)
    with pytest.raises(PublishError, match="unknown publish mode 'scp'"):
        publish('./x.nc', 'scp')


# --- over SSH ----------------------------------------------------------------------------


def test_publish_over_ssh_puts_the_file_under_root_and_path(
    sshd_server: SSHServer, ftp_root: Path, work: Path
) -> None:
    url = publish_over_ssh(
        work,
        './foo/dataset_180.nc',
        sshd_server.alias,
        str(ftp_root),
        'project',
        ssh_config_path=sshd_server.ssh_config_path,
    )

    assert url == f'ftp://{sshd_server.alias}/project/foo/dataset_180.nc'
    published = ftp_root / 'project' / 'foo' / 'dataset_180.nc'
    assert published.read_bytes() == (work / 'foo' / 'dataset_180.nc').read_bytes()
    assert _files(ftp_root) == ['project/foo/dataset_180.nc'], 'no temporary file left'


def test_publish_honours_the_users_ssh_config_and_the_environment(
    sshd_server: SSHServer, ftp_root: Path, work: Path, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    home = tmp_path / 'home'
    (home / '.ssh').mkdir(parents=True)
    shutil.copy(sshd_server.ssh_config_path, home / '.ssh' / 'config')
    monkeypatch.setenv('HOME', str(home))
    monkeypatch.setenv('GEOSPAAS_PROCESSING_WORK_DIR', str(work))
    monkeypatch.setenv('GEOSPAAS_PROCESSING_FTP_HOST', sshd_server.alias)
    monkeypatch.setenv('GEOSPAAS_PROCESSING_FTP_ROOT', str(ftp_root))
    monkeypatch.setenv('GEOSPAAS_PROCESSING_FTP_PATH', 'project')

    url = publish('foo/dataset_180.nc', 'ftp')

    assert url == f'ftp://{sshd_server.alias}/project/foo/dataset_180.nc'
    assert (ftp_root / 'project' / 'foo' / 'dataset_180.nc').is_file()


def _config_with_known_hosts(sshd_server: SSHServer, tmp_path: Path, known_hosts: str) -> Path:
    known_hosts_path = tmp_path / 'known_hosts'
    known_hosts_path.write_text(known_hosts)
    config = sshd_server.ssh_config_path.read_text().replace(
        str(sshd_server.known_hosts_path), str(known_hosts_path)
    )
    path = tmp_path / 'ssh_config'
    path.write_text(config)
    return path


def test_publish_refuses_an_unknown_host_key(
    sshd_server: SSHServer, ftp_root: Path, work: Path, tmp_path: Path
) -> None:
    config = _config_with_known_hosts(sshd_server, tmp_path, '')

    with pytest.raises(PublishError, match='host key is unknown: add it.*ssh-keyscan') as raised:
        publish_over_ssh(
            work,
            'foo/dataset_180.nc',
            sshd_server.alias,
            str(ftp_root),
            'p',
            ssh_config_path=config,
        )
    assert f'ssh-keyscan -p {sshd_server.port} 127.0.0.1' in str(raised.value)
    assert isinstance(raised.value.__cause__, StorageError)
    assert _files(ftp_root) == []


def test_publish_refuses_a_changed_host_key(
    sshd_server: SSHServer, ftp_root: Path, work: Path, tmp_path: Path
) -> None:
    other_key = tmp_path / 'other'
    subprocess.run(
        ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', str(other_key)], check=True
    )
    key_type, key = Path(f'{other_key}.pub').read_text().split()[:2]
    config = _config_with_known_hosts(
        sshd_server, tmp_path, f'[127.0.0.1]:{sshd_server.port} {key_type} {key}\n'
    )

    with pytest.raises(PublishError, match='does not match the known hosts'):
        publish_over_ssh(
            work,
            'foo/dataset_180.nc',
            sshd_server.alias,
            str(ftp_root),
            'p',
            ssh_config_path=config,
        )
    assert _files(ftp_root) == []


def test_publish_reports_a_missing_local_file(sshd_server: SSHServer, work: Path) -> None:
    with pytest.raises(PublishError, match='no such file'):
        publish_over_ssh(work, 'nothing.nc', sshd_server.alias, '/srv', 'p')


# --- remote free space -------------------------------------------------------------------


@pytest.fixture
def small_ftp_root(ftp_root: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs as the FTP root, so that the remote free space is small and exact."""
    with mounted_tmpfs(ftp_root, '1m') as mounted:
        yield mounted


def _old_file(path: Path, size: int, age_days: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'x' * size)
    moment = time.time() - age_days * 86400
    os.utime(path, (moment, moment))
    return path


def test_publish_checks_remote_space_and_frees_the_oldest_files(
    sshd_server: SSHServer, small_ftp_root: Path, work: Path
) -> None:
    project = small_ftp_root / 'project'
    oldest = _old_file(project / 'a' / 'oldest.nc', 400_000, 30)
    older = _old_file(project / 'older.nc', 400_000, 20)
    recent = _old_file(project / 'recent.nc', 100_000, 1)
    big = work / 'big.nc'
    big.write_bytes(os.urandom(300_000))
    arguments = (work, 'big.nc', sshd_server.alias, str(small_ftp_root), 'project')

    with pytest.raises(RemoteSpaceError, match='not enough space.*300000 bytes needed') as raised:
        publish_over_ssh(*arguments, ssh_config_path=sshd_server.ssh_config_path)
    assert 'free_oldest=True' in str(raised.value), 'says how to make room'
    assert isinstance(raised.value.__cause__, NotEnoughSpaceError)
    assert oldest.exists() and older.exists(), 'nothing is deleted unless asked'

    url = publish_over_ssh(
        *arguments, ssh_config_path=sshd_server.ssh_config_path, free_oldest=True
    )

    assert url.endswith('/project/big.nc')
    assert not oldest.exists()
    assert older.exists() and recent.exists(), 'only what was needed is deleted'
    assert (project / 'big.nc').read_bytes() == big.read_bytes()


def test_publish_frees_the_oldest_files_when_the_environment_says_so(
    sshd_server: SSHServer,
    small_ftp_root: Path,
    work: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    home = tmp_path / 'home'
    (home / '.ssh').mkdir(parents=True)
    shutil.copy(sshd_server.ssh_config_path, home / '.ssh' / 'config')
    monkeypatch.setenv('HOME', str(home))
    for name, value in (
        ('WORK_DIR', str(work)),
        ('FTP_HOST', sshd_server.alias),
        ('FTP_ROOT', str(small_ftp_root)),
        ('FTP_PATH', 'project'),
    ):
        monkeypatch.setenv(f'GEOSPAAS_PROCESSING_{name}', value)
    oldest = _old_file(small_ftp_root / 'project' / 'oldest.nc', 800_000, 30)
    (work / 'big.nc').write_bytes(os.urandom(300_000))
    with pytest.raises(RemoteSpaceError):
        publish('big.nc', 'ftp')
    monkeypatch.setenv('GEOSPAAS_PROCESSING_FTP_FREE_OLDEST', 'true')
    assert publish('big.nc', 'ftp').endswith('/project/big.nc')
    assert not oldest.exists()


def test_publish_errors_survive_pickling() -> None:
    for error in (PublishError('cannot connect to h'), RemoteSpaceError('not enough space on h')):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)
