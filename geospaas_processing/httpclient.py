"""The one HTTP layer of the package: sessions, temporary statuses, Retry-After, credential rule.

Downloaders (:mod:`geospaas_processing.downloaders.http`) and harvesting providers
(:mod:`geospaas_processing.harvesting.http`) both build their sessions here, so that:

- the statuses worth retrying are :data:`TEMPORARY_STATUSES`, everywhere;
- a ``Retry-After`` header is read by :func:`retry_after_seconds`, bounded;
- credentials (the ``Authorization`` header, and a token placed in the URL) follow a redirect
  only to the same origin: same scheme, host and port, or ``http`` -> ``https`` on the same
  host with default ports (as requests does). A provider whose downloads legitimately
  redirect to another host lists that host in its ``redirect_hosts`` setting;
- URLs in messages go through :func:`geospaas_processing.redaction.redact_url` and the client
  loggers through its filter.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterable
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.sessions import merge_setting
from requests.utils import get_environ_proxies

from geospaas_processing import __version__
from geospaas_processing.redaction import install_log_filter

#: HTTP statuses meaning "try again later" (RFC 9110 408, 425, 429 (RFC 6585), 5xx gateways).
TEMPORARY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
#: The longest wait a ``Retry-After`` can ask for; longer ones are cut to this (seconds).
RETRY_AFTER_MAX = 3600.0
USER_AGENT = f'geospaas_processing/{__version__}'
_DEFAULT_PORTS = {'http': 80, 'https': 443}


def retry_after_seconds(
    value: str | None, maximum: float = RETRY_AFTER_MAX, now: float | None = None
) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds, between 0 and ``maximum``.

    Both forms of RFC 9110 section 10.2.3 are read: a number of seconds and an HTTP date.
    Absurd values (``1e20``, a date in year 9999) are cut to ``maximum``; an unreadable
    value gives None (the caller's own backoff then applies).
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        seconds = _seconds_until(value, time.time() if now is None else now)
    if seconds is None or math.isnan(seconds):
        return None
    return min(max(0.0, seconds), maximum)


def _seconds_until(http_date: str, now: float) -> float | None:
    try:
        moment = parsedate_to_datetime(http_date)
        return moment.timestamp() - now
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` of a URL, lower case, the scheme's default port made explicit."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or '').lower(), port


def credentials_may_follow(old_url: str, new_url: str, allowed_hosts: Iterable[str] = ()) -> bool:
    """Whether credentials sent to ``old_url`` may be sent to ``new_url`` (a redirect target).

    Yes for the same origin (scheme, host and port), for ``http`` -> ``https`` on the same
    host with default ports, and for a host listed in ``allowed_hosts`` (``host`` or
    ``host:port``); never from ``https`` to plain ``http``.
    """
    old_scheme, old_host, old_port = origin(old_url)
    new_scheme, new_host, new_port = origin(new_url)
    if old_scheme == 'https' and new_scheme != 'https':
        return False
    allowed = {host.lower() for host in allowed_hosts}
    if new_host in allowed or f'{new_host}:{new_port}' in allowed:
        return True
    if old_host != new_host:
        return False
    if old_scheme == new_scheme:
        return old_port == new_port
    return (old_scheme, old_port, new_scheme, new_port) == ('http', 80, 'https', 443)


def without_query_parameter(url: str, name: str) -> str:
    """``url`` without the query parameter ``name`` (a token placed in the URL)."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(key, value) for key, value in pairs if key != name]
    if len(kept) == len(pairs):
        return url
    return urlunsplit(parts._replace(query=urlencode(kept)))


class ProviderSession(requests.Session):
    """A requests session applying the package's credential rule on redirects.

    Args:
        allowed_hosts: other hosts credentials may follow a redirect to (``redirect_hosts``).
        token_parameter: the query parameter carrying a token placed in the URL; it is
            removed from a redirect target that credentials may not follow.

    The proxy settings from the environment (``HTTPS_PROXY``, ``NO_PROXY``...) are read once
    per scheme and host: requests reads the whole environment on every request, which cost a
    fifth of the CPU of a small file's download (benchmarks/many_files_tmpfs.py).
    """

    def __init__(self, allowed_hosts: Iterable[str] = (), token_parameter: str | None = None):
        super().__init__()
        self.allowed_hosts = tuple(allowed_hosts)
        self.token_parameter = token_parameter
        self._environment_proxies: dict[tuple[str, str], dict[str, str]] = {}

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        if not self.trust_env or (proxies and 'no_proxy' in proxies):
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        key = urlsplit(url)[:2]
        environment = self._environment_proxies.get(key)
        if environment is None:
            environment = self._environment_proxies[key] = get_environ_proxies(url)
        if verify is True or verify is None:
            verify = (
                os.environ.get('REQUESTS_CA_BUNDLE') or os.environ.get('CURL_CA_BUNDLE') or verify
            )
        return {  # as requests merges them
            'proxies': merge_setting({**environment, **(proxies or {})}, self.proxies),
            'stream': merge_setting(stream, self.stream),
            'verify': merge_setting(verify, self.verify),
            'cert': merge_setting(cert, self.cert),
        }

    def should_strip_auth(self, old_url: str, new_url: str) -> bool:
        return not credentials_may_follow(old_url, new_url, self.allowed_hosts)

    def rebuild_auth(
        self, prepared_request: requests.PreparedRequest, response: requests.Response
    ) -> None:
        if self.token_parameter and self.should_strip_auth(
            response.request.url, prepared_request.url
        ):
            prepared_request.url = without_query_parameter(
                prepared_request.url, self.token_parameter
            )
        super().rebuild_auth(prepared_request, response)


def new_session(
    *,
    allowed_hosts: Iterable[str] = (),
    token_parameter: str | None = None,
    identity_encoding: bool = False,
) -> ProviderSession:
    """A session for one provider: user agent, credential rule, secrets kept out of logs.

    Args:
        allowed_hosts: see :class:`ProviderSession`.
        token_parameter: see :class:`ProviderSession`.
        identity_encoding: ask for the body as stored (``Accept-Encoding: identity``), as a
            file download must, so that sizes, ranges and digests refer to the file.
    """
    install_log_filter()
    session = ProviderSession(allowed_hosts, token_parameter)
    session.headers['User-Agent'] = USER_AGENT
    if identity_encoding:
        session.headers['Accept-Encoding'] = 'identity'
    return session
