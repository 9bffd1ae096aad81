"""The contract every protocol downloader follows, and the registry that picks one for a URI."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urlsplit

from geospaas_processing.downloaders.errors import DownloadError
from geospaas_processing.downloaders.provider_settings import ProviderSettings
from geospaas_processing.redaction import install_log_filter, redact_url
from geospaas_processing.registry import Registry as NamedRegistry

LOGGER = logging.getLogger(__name__)
#: Seconds a read may wait for data when the provider turns the low-speed check off.
READ_TIMEOUT = 120.0


@dataclass(frozen=True)
class ResumePoint:
    """Where an interrupted transfer stopped: bytes already on disk and the version they came from.

    ``validator`` is what :attr:`RemoteFile.validator` was when the transfer began (an ETag,
    a modification time...); a downloader resumes only if the remote file still matches it.
    """

    offset: int
    validator: str


@dataclass
class RemoteFile:
    """An open transfer of one remote file.

    Attributes:
        chunks: the bytes of the file from ``offset`` on, as bytes-like chunks (a chunk is
            valid until the next one is asked for).
        offset: where ``chunks`` start: 0, or the resume point's offset when the downloader
            could resume.
        size: the size of the whole file when the server told it, else None.
        name: the file name the server suggests (untrusted, may be a path), else None.
        validator: a token identifying this version of the file for a later resume, else None.
        checksums: digests of the whole file the server sent, by hashlib algorithm name.
        abort_callback: optional, called from another thread to stop the transfer at once
            (cut its connection): a read waiting for data, even from a server that sends
            nothing, then returns the end or raises; see :meth:`abort`.
        readinto: optional, the same bytes as ``chunks`` read into a caller's buffer:
            ``readinto(buffer)`` puts the next bytes that have arrived (at least one, at
            most ``len(buffer)``, without waiting for a full buffer, so that a trickling
            server is noticed) at its start and returns their number, 0 at the end; raises
            like ``chunks``. When set, the transfer uses it instead of
            ``chunks`` (no allocation per chunk).
    """

    chunks: Iterator[bytes]
    offset: int = 0
    size: int | None = None
    name: str | None = None
    validator: str | None = None
    checksums: dict[str, bytes] = field(default_factory=dict)
    close_callback: object = None
    readinto: Callable[[memoryview], int] | None = None
    abort_callback: Callable[[], None] | None = None
    aborted: bool = False

    def abort(self) -> None:
        """Cut the transfer from another thread (cancel); :attr:`aborted` is then True.

        A read in progress or to come ends early (end of data or an error): the reader
        tells a cancelled transfer from a failed one by :attr:`aborted`.
        """
        self.aborted = True
        if self.abort_callback is not None:
            try:
                self.abort_callback()
            except Exception:  # the connection was already gone: nothing left to cut
                LOGGER.debug('aborting a transfer failed', exc_info=True)

    def close(self) -> None:
        """Release the connection behind the transfer (done by the caller, also on errors)."""
        if callable(self.close_callback):
            self.close_callback()


class Downloader(ABC):
    """A protocol downloader: fetches the bytes of a URL with a provider's settings.

    What a downloader must do:

    - :meth:`open` starts the transfer of ``url`` and returns a :class:`RemoteFile`; when
      given a :class:`ResumePoint` and the server can send the rest of the same version of
      the file, the chunks start at its offset, otherwise at 0. It authenticates with the
      provider's settings and never puts credentials in errors or logs.
    - It raises :class:`ObsoleteURLError` when the server says the file is gone,
      :class:`RetriableDownloadError` for temporary failures (also from the chunk iterator
      when the connection drops), :class:`AuthenticationError` when credentials are refused
      and :class:`DownloadError` otherwise, each chained to the underlying exception.
    - The :class:`RemoteFile` sets ``abort_callback`` when a read can wait on the network:
      called from another thread on cancel, it cuts the connection so that the read ends
      at once (HTTP and FTP shut their sockets down, SFTP closes its channel).
    - :meth:`size` returns the size of the remote file without transferring it, or None.
    - A read waits at most :meth:`read_timeout` seconds for data, then raises
      :class:`RetriableDownloadError` (a stalled server never holds a slot for ever); the
      low-speed limit itself is checked by the transfer loop.
    - It does not write files: the transfer side writes, checks and renames them.

    Instances may be used from several threads; :meth:`close` releases their connections.
    """

    def __init__(self, settings: ProviderSettings) -> None:
        self.settings = settings
        install_log_filter()

    def read_timeout(self) -> float:
        """Seconds a read may wait for data: the low-speed time when that check is on."""
        if self.settings.low_speed_limit > 0:
            return min(READ_TIMEOUT, float(self.settings.low_speed_time))
        return READ_TIMEOUT

    @abstractmethod
    def open(self, url: str, resume: ResumePoint | None = None) -> RemoteFile:
        """Start transferring ``url``; see the class docstring for what to raise."""

    def size(self, url: str) -> int | None:
        """The size of the remote file in bytes, or None when the server does not tell."""
        return None

    def close(self) -> None:  # noqa: B027 - most downloaders hold nothing between transfers
        """Release the connections this downloader holds."""

    def __enter__(self) -> Downloader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f'<{type(self).__name__} for {self.settings.prefix or "(no provider settings)"}>'


class Registry:
    """Downloader classes by URL scheme, and the DatasetURI services they serve.

    Two :class:`geospaas_processing.registry.Registry` tables of lazy ``module:Class``
    entries, so that a heavy backend (paramiko) is only imported when a URI needs it, and a
    missing optional dependency is reported with the extra to install. Registering a
    service or scheme twice is refused.
    """

    def __init__(self) -> None:
        self.services: NamedRegistry[Downloader] = NamedRegistry('DatasetURI service')
        self.schemes: NamedRegistry[Downloader] = NamedRegistry('URL scheme', str.lower)

    def register(
        self,
        target: str,
        *,
        services: tuple[str, ...] = (),
        schemes: tuple[str, ...] = (),
        requires: tuple[str, ...] = (),
        extra: str | None = None,
    ) -> None:
        """Register ``target`` (``'package.module:Class'``) for services and URL schemes.

        Args:
            requires: modules the downloader needs beyond the plain install.
            extra: the extra of geospaas_processing that installs them.

        Raises:
            ValueError: a service or scheme is already registered.
        """
        for table, names in ((self.services, services), (self.schemes, schemes)):
            for name in names:
                if name in table:
                    raise ValueError(f'{name!r} is already served by {table.entry(name).path()}')
        for table, names in ((self.services, services), (self.schemes, schemes)):
            for name in names:
                table.register(name, target, requires=requires, extra=extra)

    def downloader_class(self, url: str, service: str | None = None) -> type[Downloader]:
        """The downloader class for a URI, chosen by its URL scheme.

        A URI whose service is given but not registered (``WMS``, say) is not downloadable.

        Raises:
            DownloadError: no downloader serves this service or scheme.
            MissingDependencyError: the downloader's optional dependency is not installed
                (the message names the extra to install).
        """
        scheme = urlsplit(url).scheme.lower()
        if len(scheme) == 1:  # a Windows drive letter, not a scheme
            scheme = ''
        if scheme not in self.schemes or (service is not None and service not in self.services):
            raise DownloadError(
                f'no downloader for service {service!r} and URL scheme {scheme!r} '
                f'(known services: {", ".join(self.services.names())}; '
                f'schemes: {", ".join(self.schemes.names())})',
                url=redact_url(url),
            )
        return self.schemes.load(scheme)


registry = Registry()
_PACKAGE = 'geospaas_processing.downloaders'
registry.register(
    f'{_PACKAGE}.http:HTTPDownloader',
    services=('HTTPServer', 'OPENDAP'),
    schemes=('http', 'https'),
)
registry.register(f'{_PACKAGE}.ftp:FTPDownloader', services=('ftp',), schemes=('ftp',))
registry.register(
    f'{_PACKAGE}.sftp:SFTPDownloader',
    services=('sftp',),
    schemes=('sftp',),
    requires=('paramiko',),
    extra='sftp',
)
registry.register(f'{_PACKAGE}.local:LocalDownloader', services=('local',), schemes=('', 'file'))
