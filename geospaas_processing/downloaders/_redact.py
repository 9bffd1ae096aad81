"""Keeping credentials out of messages and logs: URL redaction and a logging filter."""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SECRET_PARAMETER = re.compile(
    r'(token|key|secret|password|passwd|pwd|signature|sig|auth|credential)', re.IGNORECASE
)
_IP_ADDRESS = re.compile(r'^[0-9.]+$|:')
_MULTI_PART_SUFFIXES = {'ac', 'co', 'com', 'edu', 'gov', 'net', 'org', 'ne', 'or', 'go'}
_secrets: set[str] = set()
_secrets_lock = threading.Lock()
REDACTED = '***'


def redact_url(url: str) -> str:
    """``url`` without user info and with secret-looking query values replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    netloc = parts.netloc.rpartition('@')[2]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [
                (name, REDACTED if _SECRET_PARAMETER.search(name) else value)
                for name, value in pairs
            ],
            safe='*',
        )
    return redact_text(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


def register_secrets(*values: str | None) -> None:
    """Remember secret values (passwords, tokens) so that :func:`redact_text` hides them."""
    with _secrets_lock:
        _secrets.update(value for value in values if value and len(value) >= 4)


def redact_text(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def registered_domain(host: str | None) -> str:
    """Approximately the registrable domain of ``host``: ``a.b.example.org`` -> ``example.org``.

    Without a public-suffix list: the last two labels, or three when the second-level label
    is a common registry suffix such as ``co.uk``. IP addresses are their own domain.
    """
    host = (host or '').lower().rstrip('.')
    if _IP_ADDRESS.search(host):
        return host
    labels = host.split('.')
    keep = 3 if len(labels) >= 3 and labels[-2] in _MULTI_PART_SUFFIXES else 2
    return '.'.join(labels[-keep:])


class RedactingFilter(logging.Filter):
    """A logging filter hiding registered secrets in a record's message (urllib3 logs URLs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        with _secrets_lock:
            has_secrets = bool(_secrets)
        if has_secrets:
            message = record.getMessage()
            redacted = redact_text(message)
            if redacted != message:
                record.msg, record.args = redacted, None
        return True


_installed = False


def install_log_filter() -> None:
    """Attach :class:`RedactingFilter` to the HTTP client loggers (once per process)."""
    global _installed
    if _installed:
        return
    for name in ('urllib3.connectionpool', 'urllib3.util.retry', 'requests', 'paramiko'):
        logging.getLogger(name).addFilter(RedactingFilter())
    _installed = True
