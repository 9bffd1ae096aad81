"""Auxiliary files some converters need (coefficients, look-up tables), fetched on first need.

Each :class:`AuxiliaryFile` names its source (a URL) and version. Its local copy
lives at ``<GEOSPAAS_PROCESSING_AUXILIARY_PATH>/<name>/<version>/<file_name>``
(:func:`geospaas_processing.config.auxiliary_dir`). :func:`ensure` returns that
path, downloading the file over HTTP(S) the first time it is needed; nothing is
fetched at import. When ``GEOSPAAS_PROCESSING_AUXILIARY_URL`` is set, files are
fetched from that mirror at ``<mirror>/<name>/<version>/<file_name>`` instead of
their own URL (for sites without outside access, and for the tests).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from geospaas_processing import config
from geospaas_processing.converters.errors import AuxiliaryFileError
from geospaas_processing.redaction import redact_url

_CHUNK_SIZE = 1 << 20
_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class AuxiliaryFile:
    """One auxiliary file: where it comes from and which version is wanted.

    Attributes:
        name: identifier, also the folder of its local copies.
        file_name: name of the file on disk (what the converter is given).
        version: version of the file; each version has its own folder.
        url: where to download it; ``None`` when it must be put in place by hand
            or served by the mirror.
        sha256: expected checksum of the download, checked when given.
        description: what it is, for error messages.
    """

    name: str
    file_name: str
    version: str
    url: str | None = None
    sha256: str | None = None
    description: str = ''

    def local_path(self, directory: Path | None = None) -> Path:
        """Where the file is (or will be) stored under ``directory`` (default: the config's)."""
        root = directory if directory is not None else config.auxiliary_dir()
        return root / self.name / self.version / self.file_name

    def source_url(self) -> str | None:
        """The URL it is downloaded from: the mirror's when one is configured, else its own."""
        mirror = config.get('GEOSPAAS_PROCESSING_AUXILIARY_URL')
        if mirror:
            return f'{mirror.rstrip("/")}/{self.name}/{self.version}/{self.file_name}'
        return self.url


# Files the packaged parameter files refer to. No public URL is known for them: put them
# in place by hand or serve them from the mirror (GEOSPAAS_PROCESSING_AUXILIARY_URL).
AUXILIARY_FILES: dict[str, AuxiliaryFile] = {
    aux.name: aux
    for aux in (
        AuxiliaryFile(
            'slstr_sst_coefficients',
            'slstr_sst_coefficients.txt',
            '1',
            description='SLSTR N2 split-window SST coefficients used by idf-converter '
            '(sentinel3/slstr/L1/bt sst_coeffs_path)',
        ),
        AuxiliaryFile(
            'olci_rayleigh_lut',
            'olci_rayleigh_lut.txt',
            '1',
            description='OLCI Rayleigh scattering look-up table used by idf-converter '
            '(sentinel3/olci/L1 atmospheric_correction_LUT_path)',
        ),
    )
}


def get(name: str) -> AuxiliaryFile:
    """The packaged description of an auxiliary file.

    Raises:
        AuxiliaryFileError: no auxiliary file has this name.
    """
    try:
        return AUXILIARY_FILES[name]
    except KeyError:
        known = ', '.join(sorted(AUXILIARY_FILES))
        raise AuxiliaryFileError(f'unknown auxiliary file {name!r} (known: {known})') from None


def ensure(auxiliary: AuxiliaryFile | str, directory: Path | None = None) -> Path:
    """The local path of an auxiliary file, downloading it first if it is not there yet.

    Concurrent callers never see a partial file: the download goes to a
    temporary file in the same folder, renamed into place when complete.

    Args:
        auxiliary: the file, or the name of a packaged one.
        directory: root of the local copies (default: GEOSPAAS_PROCESSING_AUXILIARY_PATH).

    Raises:
        AuxiliaryFileError: it is missing and has no source, or the download
            failed; the message names the file, where it was looked for and
            where it was fetched from.
    """
    aux_file = get(auxiliary) if isinstance(auxiliary, str) else auxiliary
    path = aux_file.local_path(directory)
    if path.is_file():
        return path
    url = aux_file.source_url()
    what = f'auxiliary file {aux_file.name} version {aux_file.version}'
    if aux_file.description:
        what += f' ({aux_file.description})'
    if url is None:
        raise AuxiliaryFileError(
            f'{what} is missing: it was looked for at {path} and has no download source; '
            'put it there, or set GEOSPAAS_PROCESSING_AUXILIARY_URL to a server holding '
            f'{aux_file.name}/{aux_file.version}/{aux_file.file_name}'
        )
    try:
        _download(url, path, aux_file.sha256)
    except (OSError, ValueError) as exc:
        raise AuxiliaryFileError(
            f'{what} is missing at {path} and could not be fetched from {redact_url(url)}: {exc}'
        ) from exc
    return path


def _download(url: str, path: Path, sha256: str | None) -> None:
    import requests

    from geospaas_processing.httpclient import new_session

    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, partial_name = tempfile.mkstemp(prefix=f'.{path.name}.', dir=path.parent)
    partial = Path(partial_name)
    digest = hashlib.sha256()
    try:
        with os.fdopen(descriptor, 'wb') as output:
            try:
                with (
                    new_session() as session,
                    session.get(url, stream=True, timeout=_TIMEOUT_SECONDS) as response,
                ):
                    if response.status_code != 200:
                        raise ValueError(f'HTTP status {response.status_code}')
                    for chunk in response.iter_content(_CHUNK_SIZE):
                        output.write(chunk)
                        digest.update(chunk)
            except requests.RequestException as exc:
                raise OSError(type(exc).__name__) from exc
            output.flush()
            os.fsync(output.fileno())
        if sha256 is not None and digest.hexdigest() != sha256.lower():
            raise ValueError(f'checksum {digest.hexdigest()} differs from the expected {sha256}')
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
