"""Local storage on a small dedicated tmpfs, remote storage over a real sshd on loopback."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from geospaas_processing import storage
from geospaas_processing.storage import (
    PARTIAL_SUFFIX,
    LocalStorage,
    NotEnoughSpaceError,
    RemoteStorage,
    StorageError,
    is_partial_file,
    partial_path,
)
from tests.helpers import mounted_tmpfs

KIB = 1024
FILESYSTEM_SIZE = 2048 * KIB


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A fresh 2 MiB tmpfs, so that free space is exact and ours alone."""
    yield from _mounted_tmpfs(tmp_path / 'disk')


def _mounted_tmpfs(mount_point: Path) -> Iterator[Path]:
    mount_point.mkdir()
    with mounted_tmpfs(mount_point, str(FILESYSTEM_SIZE)) as mounted:
        yield mounted


def _write(path: Path, size: int, age: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'x' * size)
    moment = time.time() - age
    os.utime(path, (moment, moment))
    return path


def _record(path: Path, dataset_id: int | None) -> Path:
    """Write the manifest that names ``path`` as its directory's completed download."""
    manifest = {'file': path.name, 'size': path.stat().st_size}
    if dataset_id is not None:
        manifest['dataset_id'] = dataset_id
    (path.parent / storage.DOWNLOAD_RECORD_NAME).write_text(json.dumps(manifest))
    return path


def _fill_downloads(root: Path) -> dict[str, Path]:
    """:func:`_fill`, each dataset directory with the manifest of its completed download."""
    files = _fill(root)
    for index in range(6):
        _record(files[f'old{index}'], index)
    _record(files['young'], 8)
    return files


def _fill(root: Path) -> dict[str, Path]:
    """Six old dataset files (256 KiB each, oldest first), a partial and a young file."""
    files = {
        f'old{index}': _write(
            root / f'dataset_{index}' / f'file_{index}.nc', 256 * KIB, age=10_000 - index * 100
        )
        for index in range(6)
    }
    files['partial'] = _write(partial_path(root / 'dataset_9' / 'file_9.nc'), 256 * KIB, 20_000)
    files['young'] = _write(root / 'dataset_8' / 'fresh.nc', 128 * KIB, age=5)
    return files


def test_partial_file_names() -> None:
    assert PARTIAL_SUFFIX == '.part'
    assert partial_path('/data/d1/file.nc') == Path('/data/d1/.file.nc.part')
    assert is_partial_file(partial_path('/data/d1/file.nc'))
    assert is_partial_file('file.nc.part')
    assert not is_partial_file('/data/d1/file.nc')
    assert not is_partial_file('/data/file.part.nc')


def test_errors_survive_pickling() -> None:
    error = NotEnoughSpaceError('no room', needed=10, available=3)
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), str(copy), copy.needed, copy.available) == (
        NotEnoughSpaceError,
        'no room',
        10,
        3,
    )
    assert isinstance(copy, StorageError)


def test_free_space_deletes_oldest_files_until_enough(small_disk: Path) -> None:
    files = _fill_downloads(small_disk)
    local = LocalStorage(small_disk)
    needed = local.get_free_space() + 400 * KIB

    deleted = local.free_space(needed)

    assert deleted == [files['old0'], files['old1']]
    assert local.get_free_space() >= needed
    assert not files['old0'].exists() and not (small_disk / 'dataset_0').exists()
    for kept in ('old2', 'old3', 'old4', 'old5', 'partial', 'young'):
        assert files[kept].exists(), kept


def test_free_space_with_room_enough_deletes_nothing(small_disk: Path) -> None:
    files = _fill_downloads(small_disk)
    local = LocalStorage(small_disk)
    assert local.free_space(local.get_free_space()) == []
    assert local.free_space(0) == []
    assert all(path.exists() for path in files.values())


def test_free_space_impossible_deletes_nothing(small_disk: Path) -> None:
    files = _fill_downloads(small_disk)
    local = LocalStorage(small_disk)
    # The partial and the young file (384 KiB) can never be deleted.
    needed = FILESYSTEM_SIZE - 300 * KIB
    with pytest.raises(NotEnoughSpaceError, match=str(small_disk)) as caught:
        local.free_space(needed)
    assert caught.value.needed == needed
    assert caught.value.available < needed
    assert all(path.exists() for path in files.values())


def test_unmanaged_storage_never_deletes(small_disk: Path) -> None:
    files = _fill_downloads(small_disk)
    local = LocalStorage(small_disk, managed=False)
    with pytest.raises(NotEnoughSpaceError, match='not managed'):
        local.free_space(local.get_free_space() + KIB)
    assert all(path.exists() for path in files.values())


def test_symlinks_and_young_files_are_kept(small_disk: Path, tmp_path: Path) -> None:
    outside = _write(tmp_path / 'outside' / 'precious.nc', 256 * KIB, age=50_000)
    (small_disk / 'link').mkdir()
    (small_disk / 'link' / 'precious.nc').symlink_to(outside)
    os.symlink(outside.parent, small_disk / 'linked_dir')
    young = _record(_write(small_disk / 'young' / 'young.nc', 1024 * KIB, age=0), 1)
    _record(small_disk / 'link' / 'precious.nc', 2)
    local = LocalStorage(small_disk, min_age=60)
    with pytest.raises(NotEnoughSpaceError):
        local.free_space(local.get_free_space() + 100 * KIB)
    assert outside.exists() and young.exists()
    assert LocalStorage(small_disk, min_age=0).free_space(local.get_free_space() + 100 * KIB) == [
        young
    ]
    assert outside.exists()


FREE_SPACE_SCRIPT = """
import json, sys, time
from geospaas_processing.storage import LocalStorage
root, needed, start = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
while time.time() < start:
    time.sleep(0.002)
print(json.dumps([str(path) for path in LocalStorage(root).free_space(needed)]))
"""


def test_two_processes_freeing_space_delete_only_what_is_needed(small_disk: Path) -> None:
    files = _fill_downloads(small_disk)
    needed = LocalStorage(small_disk).get_free_space() + 400 * KIB
    start = time.time() + 0.8
    processes = [
        subprocess.Popen(
            [sys.executable, '-c', FREE_SPACE_SCRIPT, str(small_disk), str(needed), str(start)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    deleted = [json.loads(process.communicate(timeout=30)[0]) for process in processes]
    assert sorted(deleted, key=len) == [[], [str(files['old0']), str(files['old1'])]]
    assert files['old2'].exists()


def test_free_space_keeps_downloads_whose_dataset_is_locked(small_disk: Path) -> None:
    from geospaas_processing import locks

    files = _fill_downloads(small_disk)
    local = LocalStorage(small_disk)
    needed = local.get_free_space() + 400 * KIB

    with locks.dataset_lock(0):
        deleted = local.free_space(needed)

    assert deleted == [files['old1'], files['old2']]
    assert (
        files['old0'].exists()
        and (small_disk / 'dataset_0' / storage.DOWNLOAD_RECORD_NAME).exists()
    )


def test_free_space_deletes_only_completed_downloads(small_disk: Path) -> None:
    files = _fill(small_disk)  # old files, but no manifest says they are complete downloads
    _record(files['old3'], 3)
    local = LocalStorage(small_disk)

    with pytest.raises(NotEnoughSpaceError):
        local.free_space(local.get_free_space() + 400 * KIB)
    assert local.free_space(local.get_free_space() + 100 * KIB) == [files['old3']]
    assert not (small_disk / 'dataset_3').exists(), 'the manifest and the directory go too'
    assert all(files[name].exists() for name in ('old0', 'old1', 'old2', 'old4', 'old5'))


def test_free_space_without_dataset_id_waits_for_every_dataset_lock(small_disk: Path) -> None:
    from geospaas_processing import locks

    files = _fill(small_disk)
    _record(files['old0'], None)
    local = LocalStorage(small_disk)

    with locks.dataset_lock(77), pytest.raises(NotEnoughSpaceError):
        local.free_space(local.get_free_space() + 100 * KIB)
    assert files['old0'].exists()
    assert local.free_space(local.get_free_space() + 100 * KIB) == [files['old0']]


def test_local_paths_stay_under_the_root(tmp_path: Path) -> None:
    local = LocalStorage(tmp_path / 'root')
    _write(tmp_path / 'root' / 'a' / 'b.nc', 10, age=0)
    _write(tmp_path / 'secret.txt', 5, age=0)
    assert local.listdir() == ['a']
    assert local.get_file_size('a/b.nc') == 10
    assert local.get_file_size('a') == 10
    with pytest.raises(StorageError, match='outside'):
        local.get_file_size('../secret.txt')
    with pytest.raises(StorageError, match='outside'):
        local.remove('../secret.txt')
    with pytest.raises(StorageError, match='root'):
        local.remove('.')
    local.remove('a')
    assert local.listdir() == []
    assert (tmp_path / 'secret.txt').exists()


def test_invalid_needed_bytes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match='needed_bytes'):
        LocalStorage(tmp_path).free_space(-1)


def test_public_names() -> None:
    assert sorted(storage.__all__) == sorted(
        [
            'ACTIVE_AGE',
            'DOWNLOAD_RECORD_NAME',
            'CompletedDownload',
            'LocalSourceNotAllowedError',
            'allowed_local_source',
            'completed_download',
            'creation_mode',
            'delete_download',
            'deleting_download',
            'is_deletable_download',
            'move_into_place',
            'MIN_AGE',
            'PARTIAL_SUFFIX',
            'LocalStorage',
            'NotEnoughSpaceError',
            'RemoteStorage',
            'StorageError',
            'is_partial_file',
            'partial_path',
        ]
    )


# Remote storage, over the tests' sshd (tests/servers/sshd.py)


@pytest.fixture
def remote_root(sshd_server, unique_name: str) -> Path:
    root = sshd_server.root / unique_name
    root.mkdir()
    return root


@pytest.fixture
def remote(sshd_server, remote_root: Path) -> Iterator[RemoteStorage]:
    with RemoteStorage(
        sshd_server.alias, str(remote_root), ssh_config_path=sshd_server.ssh_config_path
    ) as remote_storage:
        yield remote_storage


def test_put_creates_directories_and_never_shows_a_partial_file(
    remote: RemoteStorage, remote_root: Path, tmp_path: Path
) -> None:
    local = _write(tmp_path / 'dataset_180.nc', 300 * KIB, age=0)
    remote_path = remote.put(local, './foo/bar/dataset_180.nc')
    assert remote_path == f'{remote_root}/foo/bar/dataset_180.nc'
    assert (remote_root / 'foo' / 'bar' / 'dataset_180.nc').read_bytes() == local.read_bytes()
    assert remote.listdir('foo/bar') == ['dataset_180.nc']
    assert remote.get_file_size('foo/bar/dataset_180.nc') == 300 * KIB

    local.write_bytes(b'new content')
    remote.put(local, 'foo/bar/dataset_180.nc')
    assert (remote_root / 'foo' / 'bar' / 'dataset_180.nc').read_bytes() == b'new content'
    assert remote.listdir('foo/bar') == ['dataset_180.nc']


@pytest.mark.parametrize('bad_path', ['../escape.nc', '/etc/passwd', 'a/../../b.nc'])
def test_put_refuses_paths_outside_the_root(
    remote: RemoteStorage, tmp_path: Path, bad_path: str
) -> None:
    local = _write(tmp_path / 'file.nc', 10, age=0)
    with pytest.raises(StorageError, match='relative path inside'):
        remote.put(local, bad_path)


def test_remove_files_and_trees(remote: RemoteStorage, remote_root: Path, tmp_path: Path) -> None:
    local = _write(tmp_path / 'file.nc', 10, age=0)
    remote.put(local, 'a/b/file.nc')
    remote.put(local, 'c.nc')
    remote.remove('c.nc')
    remote.remove('a')
    remote.remove('missing')
    assert list(remote_root.iterdir()) == []
    with pytest.raises(StorageError, match='root'):
        remote.remove('.')


@pytest.fixture
def remote_disk(remote_root: Path) -> Iterator[Path]:
    """A fresh 2 MiB tmpfs under the SSH server's root."""
    yield from _mounted_tmpfs(remote_root / 'disk')


def _storage_on(sshd_server, root: Path, **options) -> RemoteStorage:
    return RemoteStorage(
        sshd_server.alias, str(root), ssh_config_path=sshd_server.ssh_config_path, **options
    )


def test_remote_free_space_is_the_remote_disk_s(sshd_server, remote_disk: Path) -> None:
    with _storage_on(sshd_server, remote_disk) as on_disk:
        assert on_disk.get_free_space() == shutil.disk_usage(remote_disk).free
        assert on_disk.get_free_space() == FILESYSTEM_SIZE


def test_remote_free_space_deletes_oldest_files(sshd_server, remote_disk: Path) -> None:
    files = _fill(remote_disk)
    with _storage_on(sshd_server, remote_disk) as on_disk:
        with pytest.raises(NotEnoughSpaceError):
            on_disk.free_space(FILESYSTEM_SIZE - 300 * KIB)
        assert all(path.exists() for path in files.values())

        needed = on_disk.get_free_space() + 400 * KIB
        deleted = on_disk.free_space(needed)
        assert deleted == [str(files['old0']), str(files['old1'])]
        assert shutil.disk_usage(remote_disk).free >= needed
        assert not (remote_disk / 'dataset_0').exists()
        for kept in ('old2', 'old3', 'old4', 'old5', 'partial', 'young'):
            assert files[kept].exists(), kept
        assert on_disk.free_space(needed) == []


def test_unmanaged_remote_storage_never_deletes(sshd_server, remote_disk: Path) -> None:
    files = _fill(remote_disk)
    with _storage_on(sshd_server, remote_disk, managed=False) as on_disk:
        with pytest.raises(NotEnoughSpaceError, match='not managed'):
            on_disk.free_space(on_disk.get_free_space() + KIB)
    assert all(path.exists() for path in files.values())


def test_unknown_host_key_is_refused(sshd_server, tmp_path: Path) -> None:
    empty_known_hosts = tmp_path / 'known_hosts'
    empty_known_hosts.write_text('')
    config = tmp_path / 'ssh_config'
    config.write_text(
        f'Host untrusted\n    HostName 127.0.0.1\n    Port {sshd_server.port}\n'
        f'    User {sshd_server.username}\n    IdentityFile {sshd_server.client_key_path}\n'
        f'    UserKnownHostsFile {empty_known_hosts}\n'
    )
    with RemoteStorage('untrusted', '/tmp', ssh_config_path=config) as untrusted:
        with pytest.raises(StorageError, match='not in the known-hosts') as caught:
            untrusted.get_free_space()
    assert f'127.0.0.1:{sshd_server.port}' in str(caught.value)
    assert f'ssh-keyscan -p {sshd_server.port} 127.0.0.1' in str(caught.value)
    assert str(empty_known_hosts) in str(caught.value), 'names the files it read'
    assert str(pickle.loads(pickle.dumps(caught.value))) == str(caught.value)


def test_changed_host_key_is_refused(sshd_server, tmp_path: Path) -> None:
    other_key = tmp_path / 'other_key'
    subprocess.run(
        ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', str(other_key)], check=True
    )
    key_type, key = Path(f'{other_key}.pub').read_text().split()[:2]
    known_hosts = tmp_path / 'known_hosts'
    known_hosts.write_text(f'[127.0.0.1]:{sshd_server.port} {key_type} {key}\n')
    config = tmp_path / 'ssh_config'
    config.write_text(
        sshd_server.ssh_config_path.read_text().replace(
            str(sshd_server.known_hosts_path), str(known_hosts)
        )
    )
    with RemoteStorage(sshd_server.alias, '/tmp', ssh_config_path=config) as remote:
        with pytest.raises(StorageError, match='host key differs') as caught:
            remote.get_free_space()
    assert f"ssh-keygen -R '[127.0.0.1]:{sshd_server.port}'" in str(caught.value)


def test_wrong_identity_is_a_clear_error(sshd_server, tmp_path: Path) -> None:
    other_key = tmp_path / 'other_key'
    subprocess.run(
        ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', str(other_key)], check=True
    )
    config = tmp_path / 'ssh_config'
    config.write_text(
        sshd_server.ssh_config_path.read_text().replace(
            str(sshd_server.client_key_path), str(other_key)
        )
    )
    with RemoteStorage(sshd_server.alias, '/tmp', ssh_config_path=config) as remote:
        with pytest.raises(StorageError, match='authentication failed') as caught:
            remote.get_free_space()
    assert f'{sshd_server.username}@127.0.0.1:{sshd_server.port}' in str(caught.value)


def test_missing_ssh_config_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match='does not exist'):
        RemoteStorage('somewhere', '/tmp', ssh_config_path=tmp_path / 'nope').get_free_space()
