"""Parsing the HTTP response headers the downloader relies on (RFC 6266, 7233, 3230, 9530)."""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import unquote

_PARAMETER = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
_CONTENT_RANGE = re.compile(r'^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$', re.IGNORECASE)
_DIGEST_ALGORITHMS = {
    'md5': 'md5',
    'sha': 'sha1',
    'sha-1': 'sha1',
    'sha-256': 'sha256',
    'sha-512': 'sha512',
}


def content_disposition_filename(value: str | None) -> str | None:
    """The file name of a ``Content-Disposition`` header; ``filename*`` wins over ``filename``.

    The result is what the server sent, decoded: it may contain separators and must be
    reduced to a bare name before use.
    """
    if not value:
        return None
    parameters = {}
    for name, raw in _PARAMETER.findall(value):
        raw = raw.strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = re.sub(r'\\(.)', r'\1', raw[1:-1])
        parameters.setdefault(name.lower(), raw)
    extended = parameters.get('filename*')
    if extended:
        decoded = _decode_extended_value(extended)
        if decoded:
            return decoded
    return parameters.get('filename') or None


def _decode_extended_value(value: str) -> str | None:
    """Decode an RFC 8187 ``charset'language'percent-encoded`` value."""
    charset, quote, rest = value.partition("'")
    if not quote:
        return None
    _language, quote, encoded = rest.partition("'")
    if not quote:
        return None
    try:
        return unquote(encoded, encoding=charset or 'utf-8', errors='strict')
    except (LookupError, UnicodeDecodeError):
        return None


def content_range(value: str | None) -> tuple[int, int | None] | None:
    """``(first byte, complete length or None)`` of a ``Content-Range`` header, or None."""
    match = _CONTENT_RANGE.match(value or '')
    if not match:
        return None
    total = match.group(3)
    return int(match.group(1)), None if total == '*' else int(total)


def checksums(headers, *, whole_body: bool) -> dict[str, bytes]:
    """Digests of the whole file the server sent, by hashlib name.

    ``Repr-Digest`` and ``Digest`` describe the whole representation; ``Content-MD5``
    describes the message body, so it is used only when ``whole_body`` (a 200 answer).
    """
    digests: dict[str, bytes] = {}
    for item in _split(headers.get('Digest')):
        algorithm, _, encoded = item.partition('=')
        _add(digests, algorithm, encoded)
    for item in _split(headers.get('Repr-Digest')):
        algorithm, _, encoded = item.partition('=')
        _add(digests, algorithm, encoded.strip().strip(':'))
    if whole_body and headers.get('Content-MD5'):
        _add(digests, 'md5', headers['Content-MD5'])
    return digests


def _split(value: str | None) -> list[str]:
    return [item.strip() for item in (value or '').split(',') if item.strip()]


def _add(digests: dict[str, bytes], algorithm: str, encoded: str) -> None:
    name = _DIGEST_ALGORITHMS.get(algorithm.strip().lower())
    if name is None:
        return
    try:
        digests[name] = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return


def strong_validator(headers) -> str | None:
    """A validator usable in ``If-Range``: a strong ETag, else Last-Modified, else None."""
    etag = headers.get('ETag')
    if etag and not etag.startswith('W/'):
        return etag
    return headers.get('Last-Modified')
