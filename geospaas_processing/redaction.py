"""Keeping credentials out of messages and logs: one URL redaction and one logging filter.

Every protocol (HTTP for downloads and harvesting, FTP, SFTP) goes through these: URLs are
shown with :func:`redact_url`, secrets met at run time (passwords, tokens) are registered
with :func:`register_secrets`, and :func:`install_log_filter` hides them in the records of
the client libraries' loggers.
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SECRET_PARAMETER = re.compile(
    r'(token|key|secret|password|passwd|pwd|signature|sig|auth|credential)', re.IGNORECASE
)
_secrets: set[str] = set()
_secrets_lock = threading.Lock()
REDACTED = '***'
#: The loggers of the client libraries, which may log URLs (urllib3 logs each request line).
CLIENT_LOGGERS = ('urllib3.connectionpool', 'urllib3.util.retry', 'requests', 'paramiko')


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
_install_lock = threading.Lock()


def install_log_filter() -> None:
    """Attach :class:`RedactingFilter` to every client library's logger (once per process)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        for name in CLIENT_LOGGERS:
            logging.getLogger(name).addFilter(RedactingFilter())
        _installed = True
