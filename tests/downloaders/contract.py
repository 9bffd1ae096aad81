"""The contract every protocol downloader passes (modelled on fsspec's ``tests/abstract``).

A test module per protocol subclasses :class:`DownloaderContract` and provides a ``remote``
fixture: a :class:`Remote` in front of a real server on loopback (HTTP, FTP, sshd) or a
local directory. The contract: a plain file arrives whole; an interrupted transfer resumes
where it stopped; a file changed on the server is fetched again from the start; a missing
file is obsolete; wrong credentials are an authentication error; a connection cut by the
server is a retriable error and the next attempt completes the file; the size is probed
without a transfer; secrets never show in errors or logs.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from geospaas_processing.downloaders import _transfer
from geospaas_processing.downloaders._in_flight import InFlight
from geospaas_processing.downloaders.base import Downloader
from geospaas_processing.downloaders.errors import (
    AuthenticationError,
    DownloadCancelled,
    DownloadError,
    ObsoleteURLError,
    RetriableDownloadError,
)
from geospaas_processing.downloaders.progress import TransferProgress
from geospaas_processing.downloaders.provider_settings import ProviderSettings

#: Several transfer blocks (1 MiB each) and more than an SSH window or socket buffers hold.
CONTENT = os.urandom(12_000_000)
CHANGED = os.urandom(11_000_000)


@dataclass
class Remote:
    """A protocol's server as the contract sees it.

    Attributes:
        downloader_class: the downloader under test.
        publish: writes ``content`` under ``name`` on the server, returns its URL.
        settings: the provider settings with the right credentials.
        bad_settings: settings with wrong credentials (None: the protocol has none).
        secret: a secret of ``bad_settings`` that must never show.
        cut: severs the server side of the open connections (None: nothing to cut).
        stall: makes the server stop sending on its open connections without closing them
            (a hung server); returns what makes it send again (None: cannot stall it).
    """

    downloader_class: type[Downloader]
    publish: Callable[[str, bytes], str]
    settings: ProviderSettings
    bad_settings: ProviderSettings | None = None
    secret: str | None = None
    cut: Callable[[], None] | None = None
    stall: Callable[[], Callable[[], None]] | None = None


class OnFirstBlock(TransferProgress):
    """Runs ``action`` once, when the first block has been written; records start offsets."""

    def __init__(self, action: Callable[[], None] | None = None) -> None:
        self.action = action
        self.offsets: list[int] = []
        self._done = False

    def start(self, key, size, offset) -> None:
        self.offsets.append(offset)

    def advance(self, key, count) -> None:
        if not self._done and self.action is not None:
            self._done = True
            self.action()


def fetch(remote: Remote, url: str, directory: Path, settings=None, **options):
    with remote.downloader_class(settings or remote.settings) as downloader:
        return _transfer.fetch(downloader, url, directory, **options)


def wait_until_steady(measure: Callable[[], int], quiet: float = 1.0) -> None:
    """Wait until ``measure()`` has not changed for ``quiet`` seconds (at most a minute)."""
    deadline = time.monotonic() + 60
    value, since = measure(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        current = measure()
        if current != value:
            value, since = current, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
    raise AssertionError(f'{measure} kept changing for a minute')


def partial_size(directory: Path) -> int:
    return sum(
        path.stat().st_size
        for path in directory.glob('.download-*.part')
        if not path.name.endswith('.resume.part')
    )


class DownloaderContract:
    """The tests every downloader inherits; subclasses define the ``remote`` fixture."""

    def test_plain_file_arrives_whole_under_its_name(self, remote: Remote, tmp_path):
        url = remote.publish('plain.nc', CONTENT)
        path, size = fetch(remote, url, tmp_path)
        assert path == tmp_path / 'plain.nc' and size == len(CONTENT)
        assert path.read_bytes() == CONTENT
        assert sorted(p.name for p in tmp_path.iterdir()) == ['plain.nc']

    def test_an_interrupted_transfer_resumes_where_it_stopped(self, remote: Remote, tmp_path):
        url = remote.publish('resume.nc', CONTENT)
        cancel = threading.Event()
        with pytest.raises(DownloadCancelled):
            fetch(remote, url, tmp_path, progress=OnFirstBlock(cancel.set), cancel=cancel)
        kept = partial_size(tmp_path)
        assert 0 < kept < len(CONTENT)
        progress = OnFirstBlock()
        path, _ = fetch(remote, url, tmp_path, progress=progress)
        assert progress.offsets == [kept]
        assert path.read_bytes() == CONTENT

    def test_a_file_changed_on_the_server_is_fetched_again_from_the_start(
        self, remote: Remote, tmp_path
    ):
        url = remote.publish('changed.nc', CONTENT)
        cancel = threading.Event()
        with pytest.raises(DownloadCancelled):
            fetch(remote, url, tmp_path, progress=OnFirstBlock(cancel.set), cancel=cancel)
        assert partial_size(tmp_path) > 0
        remote.publish('changed.nc', CHANGED)
        progress = OnFirstBlock()
        path, _ = fetch(remote, url, tmp_path, progress=progress)
        assert progress.offsets == [0]
        assert path.read_bytes() == CHANGED

    def test_a_missing_file_is_obsolete(self, remote: Remote, tmp_path):
        url = remote.publish('present.nc', b'x')
        with pytest.raises(ObsoleteURLError):
            fetch(remote, url.replace('present.nc', 'absent.nc'), tmp_path)
        assert list(tmp_path.iterdir()) == []

    def test_wrong_credentials_are_an_authentication_error(self, remote: Remote, tmp_path):
        if remote.bad_settings is None:
            pytest.skip(f'{remote.downloader_class.__name__} uses no credentials')
        url = remote.publish('private.nc', CONTENT)
        with pytest.raises(AuthenticationError):
            fetch(remote, url, tmp_path, remote.bad_settings)
        assert partial_size(tmp_path) == 0

    def test_a_cancel_cuts_a_read_waiting_on_a_silent_server(self, remote: Remote, tmp_path):
        """Ctrl-C stops a transfer whose server went silent at once (issue 13 item 4).

        The low-speed time is an hour, so the read waits for data up to the downloader's
        read timeout (120 s): only the cut connection (InFlight) can end it within the
        30 s this test waits, and it ends as cancelled, keeping its partial file.
        """
        if remote.stall is None:
            pytest.skip(f'{remote.downloader_class.__name__} has no server to stall')
        url = remote.publish('stalled.nc', CONTENT)
        settings = dataclasses.replace(remote.settings, low_speed_time=3600)
        cancel, resumes, errors = threading.Event(), [], []

        def transfer() -> None:
            try:
                with InFlight(cancel) as in_flight:
                    fetch(
                        remote,
                        url,
                        tmp_path,
                        settings=settings,
                        progress=OnFirstBlock(lambda: resumes.append(remote.stall())),
                        cancel=cancel,
                        in_flight=in_flight,
                    )
            except BaseException as exc:  # noqa: BLE001 - handed to the test thread
                errors.append(exc)

        thread = threading.Thread(target=transfer, daemon=True)
        thread.start()
        try:
            wait_until_steady(lambda: partial_size(tmp_path))  # the read waits for data
            assert resumes and thread.is_alive()
            cancel.set()
            thread.join(30)
            assert not thread.is_alive(), 'the read waiting on the silent server was not cut'
        finally:
            for resume in resumes:
                resume()
        assert [type(error) for error in errors] == [DownloadCancelled]
        assert 0 < partial_size(tmp_path) < len(CONTENT)  # kept for the resume

    def test_a_cut_connection_is_retriable_and_the_next_attempt_completes(
        self, remote: Remote, tmp_path
    ):
        if remote.cut is None:
            pytest.skip(f'{remote.downloader_class.__name__} has no connection to cut')
        url = remote.publish('cut.nc', CONTENT)
        with pytest.raises(RetriableDownloadError):
            fetch(remote, url, tmp_path, progress=OnFirstBlock(remote.cut))
        path, _ = fetch(remote, url, tmp_path)
        assert path.read_bytes() == CONTENT

    def test_the_size_is_probed_without_a_transfer(self, remote: Remote, tmp_path):
        url = remote.publish('sized.nc', CONTENT)
        with remote.downloader_class(remote.settings) as downloader:
            assert downloader.size(url) == len(CONTENT)
        assert list(tmp_path.iterdir()) == []

    def test_secrets_never_show_in_errors_or_logs(self, remote: Remote, tmp_path, caplog):
        if remote.bad_settings is None or remote.secret is None:
            pytest.skip(f'{remote.downloader_class.__name__} uses no secrets')
        url = remote.publish('secret.nc', CONTENT)
        caplog.set_level(logging.DEBUG)
        with pytest.raises(DownloadError) as raised:
            fetch(remote, url, tmp_path, remote.bad_settings)
        shown = [str(raised.value), repr(raised.value), raised.value.url or '', caplog.text]
        shown += [repr(remote.bad_settings), repr(remote.downloader_class(remote.bad_settings))]
        assert not [text for text in shown if remote.secret in text]
