"""Moved to :mod:`geospaas_processing.redaction`, the one redaction of every protocol.

Kept so that code written against the earlier private path still imports.
"""

from geospaas_processing.redaction import (
    REDACTED,
    RedactingFilter,
    install_log_filter,
    redact_text,
    redact_url,
    register_secrets,
)

__all__ = [
    'REDACTED',
    'RedactingFilter',
    'install_log_filter',
    'redact_text',
    'redact_url',
    'register_secrets',
]
