"""Pack files into tar.gz archives and extract tar, zip and gz archives safely.

Errors::

    GeospaasProcessingError
    └── ArchiveError                the archive could not be written or read
        ├── UnsafeArchiveError      a member would land outside the extraction directory
        ├── UnsupportedArchiveError a member cannot be read (encrypted, unknown compression)
        └── CorruptedArchiveError   the archive is damaged (it has been removed: download it again)

Both operations are all-or-nothing: the result is written under a temporary name next
to its final place and renamed once complete, so a crash or an error never leaves a
half-written archive or a half-extracted directory behind.
"""

from __future__ import annotations

import copy
import gzip
import lzma
import os
import posixpath
import shutil
import tarfile
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from geospaas_processing.errors import GeospaasProcessingError
from geospaas_processing.storage import move_into_place

# Longest first: '.tar.gz' must win over '.gz'.
TAR_SUFFIXES = ('.tar.gz', '.tar.bz2', '.tar.xz', '.tgz', '.tbz2', '.txz', '.tar')
ZIP_SUFFIXES = ('.zip',)
GZIP_SUFFIXES = ('.gz',)
ARCHIVE_SUFFIXES = TAR_SUFFIXES + ZIP_SUFFIXES + GZIP_SUFFIXES
_MAX_LINK_HOPS = 40


class ArchiveError(GeospaasProcessingError, RuntimeError):
    """An archive could not be written or read (a RuntimeError, as upstream raised it)."""


class _MemberError(ArchiveError):
    """An error about one member of an archive; nothing of the archive was extracted."""

    _verb = 'cannot extract'

    def __init__(self, archive: str | os.PathLike, member: str, reason: str) -> None:
        super().__init__(archive, member, reason)
        self.archive = str(archive)
        self.member = member
        self.reason = reason

    def __str__(self) -> str:
        return (
            f'{self._verb} {self.archive}: member {self.member!r} {self.reason};'
            ' nothing was extracted'
        )


class UnsafeArchiveError(_MemberError):
    """A member of an archive would be written outside the extraction directory.

    Attributes:
        archive: the archive's path.
        member: the offending member's name as stored in the archive.
    """

    _verb = 'refusing to extract'


class UnsupportedArchiveError(_MemberError):
    """A member of an archive cannot be extracted: encrypted, or compressed by an unknown method.

    Attributes:
        archive: the archive's path.
        member: the member's name as stored in the archive.
    """


class CorruptedArchiveError(ArchiveError):
    """An archive is damaged; it has been deleted so that it can be downloaded again.

    Attributes:
        archive: the (now removed) archive's path.
        reason: what the decompressor reported.
    """

    def __init__(self, archive: str | os.PathLike, reason: str) -> None:
        super().__init__(archive, reason)
        self.archive = str(archive)
        self.reason = reason

    def __str__(self) -> str:
        return (
            f'{self.archive} is corrupted ({self.reason}); it has been removed:'
            ' download the dataset again'
        )


def archive_suffix(path: str | os.PathLike) -> str | None:
    """The archive suffix of a file name (``'.tar.gz'``, ``'.zip'``...), or None."""
    name = Path(path).name.lower()
    return next((suffix for suffix in ARCHIVE_SUFFIXES if name.endswith(suffix)), None)


def is_archive(path: str | os.PathLike) -> bool:
    """Whether the file name ends with a suffix this module can extract.

    The decision is made on the name only, so it is cheap and predictable; a file with an
    archive name but other contents is reported as corrupted by :func:`unarchive`.
    """
    return archive_suffix(path) is not None


def archive(path: str | os.PathLike) -> Path:
    """Pack a file or a directory into ``<name>.tar.gz`` next to it and remove the original.

    Files that already are archives (see :func:`is_archive`) are returned unchanged. The
    archive is written under a temporary name and renamed when complete (with the
    permissions of a newly made file: umask applied); only then is the original removed. An
    existing archive of the same name is replaced.

    Returns:
        The path of the archive.

    Raises:
        ArchiveError: the input does not exist or the archive could not be written (the
            original is then left untouched).
    """
    source = Path(path)
    if is_archive(source):
        return source
    if not source.exists():
        raise ArchiveError(f'cannot archive {source}: no such file or directory')
    target = source.with_name(f'{source.name}.tar.gz')
    descriptor, temporary = tempfile.mkstemp(
        dir=source.parent, prefix=f'.{source.name}.', suffix='.part'
    )
    os.close(descriptor)
    try:
        with tarfile.open(temporary, 'w:gz') as tar:
            tar.add(source, arcname=source.name)
        _fsync(temporary)
        move_into_place(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ArchiveError(f'cannot archive {source}: {exc}') from exc
    if source.is_dir() and not source.is_symlink():
        shutil.rmtree(source)
    else:
        source.unlink()
    return target


def extraction_directory(path: str | os.PathLike) -> Path:
    """Where :func:`unarchive` puts the contents of an archive: its name without the suffix."""
    source = Path(path)
    suffix = archive_suffix(source) or ''
    stem = source.name[: len(source.name) - len(suffix)] or 'extracted'
    return source.with_name(stem)


def unarchive(path: str | os.PathLike) -> Path | None:
    """Extract an archive into a directory next to it, refusing members that would escape it.

    Supported: tar (plain, gzip, bzip2, xz: ``.tar``, ``.tar.gz``/``.tgz``,
    ``.tar.bz2``/``.tbz2``, ``.tar.xz``/``.txz``), ``.zip`` and single-file ``.gz``.
    The directory is named after the archive without its suffix (``a.tar.gz`` → ``a/``,
    ``b.nc.gz`` → ``b.nc/b.nc``) and replaces an existing directory of that name. The
    archive itself is kept.

    Every member is checked, in archive order, before anything is written: absolute names,
    ``..`` components, device files, symbolic or hard links that point (directly or through
    other links of the archive) outside the directory, members whose path goes through a
    symbolic link an earlier member made, and names that occur again with another type are
    refused. The result has the permissions of a newly made directory (umask applied).

    Returns:
        The extraction directory, or None when ``path`` is not an archive.

    Raises:
        UnsafeArchiveError: a member would land outside the directory (nothing extracted).
        UnsupportedArchiveError: a zip member is encrypted or compressed by an unsupported
            method (nothing extracted).
        CorruptedArchiveError: the archive is damaged; it has been removed.
        ArchiveError: any other failure (e.g. disk full); nothing is left half-extracted.
    """
    source = Path(path)
    suffix = archive_suffix(source)
    if suffix is None:
        return None
    if not source.is_file():
        raise ArchiveError(f'cannot extract {source}: no such file')
    target = extraction_directory(source)
    # Created by the extraction only once every member has been checked.
    staging = source.with_name(f'.{target.name}.{uuid.uuid4().hex[:12]}.part')
    try:
        if suffix in TAR_SUFFIXES:
            _extract_tar(source, staging)
        elif suffix in ZIP_SUFFIXES:
            _extract_zip(source, staging)
        else:
            _extract_gzip(source, staging / target.name)
        move_into_place(staging, target)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, ArchiveError):
            raise
        if _is_corruption(exc):
            source.unlink(missing_ok=True)
            raise CorruptedArchiveError(source, str(exc) or type(exc).__name__) from exc
        if isinstance(exc, OSError):
            raise ArchiveError(f'cannot extract {source}: {exc}') from exc
        raise
    return target


def _is_corruption(exc: BaseException) -> bool:
    data_errors = (tarfile.ReadError, tarfile.HeaderError, EOFError, zlib.error)
    data_errors += (lzma.LZMAError, zipfile.BadZipFile, gzip.BadGzipFile)
    if isinstance(exc, data_errors):
        return True
    # bz2 and gzip report bad data as OSError without an errno; real I/O errors have one.
    return isinstance(exc, OSError) and exc.errno is None


def _fsync(path: str | os.PathLike) -> None:
    with open(path, 'rb') as stream:
        os.fsync(stream.fileno())


# --- tar -------------------------------------------------------------------------------


def _extract_tar(source: Path, destination: Path) -> None:
    with tarfile.open(source, 'r:*') as tar:
        members = tar.getmembers()
        check_members(source, members)
        safe_members = [_without_privileges(member) for member in members]
        destination.mkdir()
        try:
            if hasattr(tarfile, 'data_filter'):
                # A second line of defence where Python has it (3.11.4+).
                tar.extractall(destination, members=safe_members, filter='data')
            else:
                tar.extractall(destination, members=safe_members)
        except _TAR_FILTER_ERRORS as exc:
            member = getattr(getattr(exc, 'tarinfo', None), 'name', '?')
            raise UnsafeArchiveError(source, member, f'was refused by tarfile ({exc})') from exc


# tarfile.FilterError (Python 3.11.4+) and its subclasses (LinkOutsideDestinationError...).
_TAR_FILTER_ERRORS: tuple[type[BaseException], ...] = tuple(
    error for error in (getattr(tarfile, 'FilterError', None),) if error is not None
)


def _without_privileges(member: tarfile.TarInfo) -> tarfile.TarInfo:
    # Extracted files belong to the user running the extraction, without setuid bits.
    safe = copy.copy(member)
    safe.mode &= 0o777
    safe.uid, safe.gid, safe.uname, safe.gname = os.getuid(), os.getgid(), '', ''
    return safe


def check_members(archive_path: str | os.PathLike, members: Iterable[tarfile.TarInfo]) -> None:
    """Raise UnsafeArchiveError if extracting these tar members could write outside the directory.

    Members are checked in archive order against the tree the archive has built so far,
    as an extraction would create it: a member whose path goes through a symbolic link
    made by an earlier member, a name that occurs again with another type (a link
    replacing a directory, a file becoming a directory), links pointing outside (directly
    or through other links), absolute names, ``..`` components and device files are all
    refused. Every symbolic link is checked again against the final tree.
    """
    members = list(members)
    tree = _Tree(archive_path)
    for member in members:
        _check_name(archive_path, member.name)
        tree.add(member)
    tree.check_final_links()


_DIRECTORY, _FILE, _SYMLINK = 'directory', 'file', 'symbolic link'


class _Tree:
    """The paths an archive creates, in order: each path's type and each symlink's target."""

    def __init__(self, archive_path: str | os.PathLike) -> None:
        self.archive_path = archive_path
        self.kinds: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.link_members: dict[str, str] = {}

    def refuse(self, member: tarfile.TarInfo, reason: str) -> UnsafeArchiveError:
        return UnsafeArchiveError(self.archive_path, member.name, reason)

    def add(self, member: tarfile.TarInfo) -> None:
        if member.ischr() or member.isblk() or member.isfifo():
            raise self.refuse(member, 'is a device or FIFO')
        name = posixpath.normpath(member.name)
        parts = [part for part in name.split('/') if part not in ('', '.')]
        for depth in range(1, len(parts)):
            self._enter_directory(member, '/'.join(parts[:depth]))
        if not parts:
            return  # the extraction directory itself ('./')
        kind = _DIRECTORY if member.isdir() else _SYMLINK if member.issym() else _FILE
        self._claim(member, name, kind)
        if member.issym():
            self._add_symlink(member, name)
        elif member.islnk():
            self._check_hard_link(member)

    def _enter_directory(self, member: tarfile.TarInfo, directory: str) -> None:
        known = self.kinds.get(directory)
        if known == _SYMLINK:
            raise self.refuse(
                member, f'goes through {directory!r}, a symbolic link an earlier member created'
            )
        if known == _FILE:
            raise self.refuse(member, f'needs {directory!r} as a directory but it is a file')
        self.kinds[directory] = _DIRECTORY

    def _claim(self, member: tarfile.TarInfo, name: str, kind: str) -> None:
        known = self.kinds.get(name)
        if known is not None and known != kind:
            raise self.refuse(member, f'occurs twice, as a {known} and as a {kind}')
        self.kinds[name] = kind

    def _add_symlink(self, member: tarfile.TarInfo, name: str) -> None:
        if member.linkname.startswith('/'):
            raise self.refuse(member, 'is a link to an absolute path')
        self.links[name] = posixpath.join(posixpath.dirname(name), member.linkname)
        self.link_members[name] = member.name
        if _resolve(self.links[name], self.links) is None:
            raise self.refuse(member, 'would be written or point outside the directory')

    def _check_hard_link(self, member: tarfile.TarInfo) -> None:
        if member.linkname.startswith('/'):
            raise self.refuse(member, 'is a link to an absolute path')
        target = posixpath.normpath(member.linkname)
        parts = target.split('/')
        if '..' in parts or _resolve(target, {}) is None:
            raise self.refuse(member, 'would be written or point outside the directory')
        for depth in range(1, len(parts)):
            if self.kinds.get('/'.join(parts[:depth])) == _SYMLINK:
                raise self.refuse(member, 'is a hard link through a symbolic link')
        if self.kinds.get(target) != _FILE:
            raise self.refuse(member, f'is a hard link to {member.linkname!r}, not an earlier file')

    def check_final_links(self) -> None:
        for name, target in self.links.items():
            if _resolve(target, self.links) is None:
                raise UnsafeArchiveError(
                    self.archive_path,
                    self.link_members[name],
                    'would be written or point outside the directory',
                )


def _check_name(archive_path: str | os.PathLike, name: str) -> None:
    if not name or name.startswith(('/', '\\')) or os.path.isabs(name):
        raise UnsafeArchiveError(archive_path, name, 'has an absolute path')
    if '..' in name.replace('\\', '/').split('/'):
        raise UnsafeArchiveError(archive_path, name, 'contains a ".." component')


def _resolve(relative: str, links: dict[str, str]) -> list[str] | None:
    """Components of a path inside the archive after following its links; None if it leaves."""
    resolved: list[str] = []
    pending = relative.split('/')
    hops = 0
    while pending:
        part = pending.pop(0)
        if part in ('', '.'):
            continue
        if part == '..':
            if not resolved:
                return None
            resolved.pop()
            continue
        resolved.append(part)
        link_target = links.get('/'.join(resolved))
        if link_target is not None:
            hops += 1
            if hops > _MAX_LINK_HOPS or link_target.startswith('/'):
                return None
            resolved = []
            pending = link_target.split('/') + pending
    return resolved


# --- zip and gz ----------------------------------------------------------------------------

_SYMLINK_MODE = 0o120000
_ZIP_METHODS = {
    zipfile.ZIP_STORED: 'stored',
    zipfile.ZIP_DEFLATED: 'deflate',
    zipfile.ZIP_BZIP2: 'bzip2',
    zipfile.ZIP_LZMA: 'lzma',
}


def _extract_zip(source: Path, destination: Path) -> None:
    with zipfile.ZipFile(source) as archive_file:
        members = archive_file.infolist()
        kinds: dict[str, bool] = {}
        for member in members:
            _check_zip_member(source, archive_file, member, kinds)
        destination.mkdir()
        archive_file.extractall(destination, members=members)


def _check_zip_member(
    source: Path, archive_file: zipfile.ZipFile, member: zipfile.ZipInfo, kinds: dict[str, bool]
) -> None:
    _check_name(source, member.filename)
    if member.flag_bits & 0x1:
        raise UnsupportedArchiveError(
            source, member.filename, 'is encrypted (password-protected members are not supported)'
        )
    if member.compress_type not in _ZIP_METHODS:
        raise UnsupportedArchiveError(
            source,
            member.filename,
            f'uses compression method {member.compress_type}, which is not supported '
            f'(supported: {", ".join(_ZIP_METHODS.values())})',
        )
    name = posixpath.normpath(member.filename.replace('\\', '/'))
    is_directory = member.is_dir()
    parts = name.split('/')
    for depth in range(1, len(parts)):
        if kinds.setdefault('/'.join(parts[:depth]), True) is not True:
            raise UnsafeArchiveError(source, member.filename, 'needs a file as a directory')
    if kinds.setdefault(name, is_directory) is not is_directory:
        raise UnsafeArchiveError(
            source, member.filename, 'occurs twice, as a file and as a directory'
        )
    if (member.external_attr >> 16) & 0o170000 == _SYMLINK_MODE:
        # zipfile writes links as small files holding their target; refuse the ones
        # that another tool (unzip) would turn into links pointing out.
        target = archive_file.read(member).decode(errors='replace')
        link = posixpath.join(posixpath.dirname(member.filename), target)
        if target.startswith('/') or _resolve(link, {}) is None:
            raise UnsafeArchiveError(source, member.filename, 'is a link pointing outside')


def _extract_gzip(source: Path, destination: Path) -> None:
    destination.parent.mkdir()
    with gzip.open(source, 'rb') as compressed, open(destination, 'wb') as output:
        shutil.copyfileobj(compressed, output, length=1024 * 1024)
