"""Pack files into tar.gz archives and extract tar, zip and gz archives safely.

Errors::

    GeospaasProcessingError
    └── ArchiveError                the archive could not be written or read
        ├── UnsafeArchiveError      a member would land outside the extraction directory
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
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from geospaas_processing.errors import GeospaasProcessingError

# Longest first: '.tar.gz' must win over '.gz'.
TAR_SUFFIXES = ('.tar.gz', '.tar.bz2', '.tar.xz', '.tgz', '.tbz2', '.txz', '.tar')
ZIP_SUFFIXES = ('.zip',)
GZIP_SUFFIXES = ('.gz',)
ARCHIVE_SUFFIXES = TAR_SUFFIXES + ZIP_SUFFIXES + GZIP_SUFFIXES
_MAX_LINK_HOPS = 40


class ArchiveError(GeospaasProcessingError, RuntimeError):
    """An archive could not be written or read (a RuntimeError, as upstream raised it)."""


class UnsafeArchiveError(ArchiveError):
    """A member of an archive would be written outside the extraction directory.

    Attributes:
        archive: the archive's path.
        member: the offending member's name as stored in the archive.
    """

    def __init__(self, archive: str | os.PathLike, member: str, reason: str) -> None:
        super().__init__(archive, member, reason)
        self.archive = str(archive)
        self.member = member
        self.reason = reason

    def __str__(self) -> str:
        return (
            f'refusing to extract {self.archive}: member {self.member!r} {self.reason};'
            ' nothing was extracted'
        )


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
    archive is written under a temporary name and renamed when complete; only then is the
    original removed. An existing archive of the same name is replaced.

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
        os.replace(temporary, target)
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

    Every member is checked before anything is written: absolute names, ``..``
    components, device files, and symbolic or hard links that point (directly or through
    other links of the archive) outside the directory are refused.

    Returns:
        The extraction directory, or None when ``path`` is not an archive.

    Raises:
        UnsafeArchiveError: a member would land outside the directory (nothing extracted).
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
    staging = Path(tempfile.mkdtemp(dir=source.parent, prefix=f'.{target.name}.', suffix='.part'))
    try:
        if suffix in TAR_SUFFIXES:
            _extract_tar(source, staging)
        elif suffix in ZIP_SUFFIXES:
            _extract_zip(source, staging)
        else:
            _extract_gzip(source, staging / target.name)
        _move_into_place(staging, target)
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


def _move_into_place(staging: Path, target: Path) -> None:
    if target.exists() or target.is_symlink():
        previous = target.with_name(f'.{target.name}.{os.getpid()}.old')
        os.replace(target, previous)
        os.replace(staging, target)
        if previous.is_dir() and not previous.is_symlink():
            shutil.rmtree(previous, ignore_errors=True)
        else:
            previous.unlink(missing_ok=True)
    else:
        os.replace(staging, target)


def _fsync(path: str | os.PathLike) -> None:
    with open(path, 'rb') as stream:
        os.fsync(stream.fileno())


# --- tar -------------------------------------------------------------------------------


def _extract_tar(source: Path, destination: Path) -> None:
    with tarfile.open(source, 'r:*') as tar:
        members = tar.getmembers()
        check_members(source, members)
        safe_members = [_without_privileges(member) for member in members]
        if hasattr(tarfile, 'data_filter'):
            # A second line of defence where Python has it (3.11.4+).
            tar.extractall(destination, members=safe_members, filter='data')
        else:
            tar.extractall(destination, members=safe_members)


def _without_privileges(member: tarfile.TarInfo) -> tarfile.TarInfo:
    # Extracted files belong to the user running the extraction, without setuid bits.
    safe = copy.copy(member)
    safe.mode &= 0o777
    safe.uid, safe.gid, safe.uname, safe.gname = os.getuid(), os.getgid(), '', ''
    return safe


def check_members(archive_path: str | os.PathLike, members: Iterable[tarfile.TarInfo]) -> None:
    """Raise UnsafeArchiveError if any tar member would land outside the extraction directory.

    Links are followed as the archive would create them, so a chain of links that are
    each harmless on their own but lead out together is refused too.
    """
    members = list(members)
    for member in members:
        _check_name(archive_path, member.name)
    links = {
        posixpath.normpath(member.name): posixpath.join(
            posixpath.dirname(posixpath.normpath(member.name)), member.linkname
        )
        for member in members
        if member.issym()
    }
    for member in members:
        _check_tar_member(archive_path, member, links)


def _check_name(archive_path: str | os.PathLike, name: str) -> None:
    if not name or name.startswith(('/', '\\')) or os.path.isabs(name):
        raise UnsafeArchiveError(archive_path, name, 'has an absolute path')
    if '..' in name.replace('\\', '/').split('/'):
        raise UnsafeArchiveError(archive_path, name, 'contains a ".." component')


def _check_tar_member(
    archive_path: str | os.PathLike, member: tarfile.TarInfo, links: dict[str, str]
) -> None:
    name = posixpath.normpath(member.name)
    if member.ischr() or member.isblk() or member.isfifo():
        raise UnsafeArchiveError(archive_path, member.name, 'is a device or FIFO')
    if member.issym():
        if member.linkname.startswith('/'):
            raise UnsafeArchiveError(archive_path, member.name, 'is a link to an absolute path')
        checked = [posixpath.dirname(name), links[name]]
    elif member.islnk():
        if member.linkname.startswith('/'):
            raise UnsafeArchiveError(archive_path, member.name, 'is a link to an absolute path')
        checked = [name, member.linkname]
    else:
        checked = [name]
    for relative in checked:
        if _resolve(relative, links) is None:
            raise UnsafeArchiveError(
                archive_path, member.name, 'would be written or point outside the directory'
            )


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


def _extract_zip(source: Path, destination: Path) -> None:
    with zipfile.ZipFile(source) as archive_file:
        members = archive_file.infolist()
        for member in members:
            _check_name(source, member.filename)
            if (member.external_attr >> 16) & 0o170000 == _SYMLINK_MODE:
                # zipfile writes links as small files holding their target; refuse the ones
                # that another tool (unzip) would turn into links pointing out.
                target = archive_file.read(member).decode(errors='replace')
                link = posixpath.join(posixpath.dirname(member.filename), target)
                if target.startswith('/') or _resolve(link, {}) is None:
                    raise UnsafeArchiveError(source, member.filename, 'is a link pointing outside')
        archive_file.extractall(destination, members=members)


def _extract_gzip(source: Path, destination: Path) -> None:
    with gzip.open(source, 'rb') as compressed, open(destination, 'wb') as output:
        shutil.copyfileobj(compressed, output, length=1024 * 1024)
