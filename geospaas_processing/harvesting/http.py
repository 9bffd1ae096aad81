"""JSON over HTTP for the providers: authentication, a request rate, bounded retries with backoff.

Only temporary failures are retried (connection errors, timeouts, 429 and 5xx);
any other error status fails at once. After the last retry the failure becomes a
:class:`ProviderError` naming the URL (without credentials) and the status.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from geospaas_processing import __version__
from geospaas_processing.harvesting.config import ProviderConfig
from geospaas_processing.harvesting.errors import ProviderError

logger = logging.getLogger(__name__)

TEMPORARY_STATUSES = frozenset({429, 500, 502, 503, 504})


def public_url(url: str) -> str:
    """The URL without user name and password, fit for messages and logs."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ''
    netloc = f'{host}:{parts.port}' if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class ProviderHTTPClient:
    """A requests session bound to one provider's settings.

    Args:
        provider_config: gives the credentials (``token`` as a bearer token, or
            ``username``/``password`` for basic authentication), ``timeout``,
            ``max_retries``, ``backoff`` and ``requests_per_second``.
    """

    def __init__(self, provider_config: ProviderConfig) -> None:
        self.config = provider_config
        self.session = requests.Session()
        self.session.headers['User-Agent'] = f'geospaas_processing/{__version__}'
        if provider_config.token:
            self.session.headers['Authorization'] = f'Bearer {provider_config.token}'
        elif provider_config.username:
            self.session.auth = (provider_config.username, provider_config.password or '')
        self._interval = (
            1.0 / provider_config.requests_per_second
            if provider_config.requests_per_second
            else 0.0
        )
        self._last_request = 0.0
        self._lock = threading.Lock()

    def get_json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``url`` and return its JSON body; ProviderError when it fails for good."""
        return self._request('GET', url, params=params)

    def post_json(self, url: str, body: Any) -> Any:
        """POST a JSON body to ``url`` and return the JSON answer; ProviderError on failure."""
        return self._request('POST', url, json=body)

    def close(self) -> None:
        """Close the underlying connections."""
        self.session.close()

    def _request(self, method: str, url: str, **kwargs: Any) -> Any:
        attempts = self.config.max_retries + 1
        for attempt in range(attempts):
            self._wait_for_rate()
            try:
                response = self.session.request(method, url, timeout=self.config.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                failure = ProviderError(
                    f'{self.config.name}: {method} {public_url(url)} failed: {type(exc).__name__}',
                    public_url(url),
                )
            else:
                if response.status_code < 400:
                    return self._json(response, url)
                failure = ProviderError(
                    f'{self.config.name}: {method} {public_url(response.url)} answered '
                    f'HTTP {response.status_code} {response.reason}',
                    public_url(response.url),
                    response.status_code,
                )
                if response.status_code not in TEMPORARY_STATUSES:
                    raise failure
            if attempt + 1 < attempts:
                delay = self.config.backoff * 2**attempt
                logger.warning('%s; retrying in %.1f s', failure, delay)
                time.sleep(delay)
        raise ProviderError(
            f'{failure} (gave up after {attempts} attempts)', failure.url, failure.status
        )

    def _json(self, response: requests.Response, url: str) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise ProviderError(
                f'{self.config.name}: {public_url(url)} did not answer JSON', public_url(url)
            ) from exc

    def _wait_for_rate(self) -> None:
        if not self._interval:
            return
        with self._lock:
            wait = self._last_request + self._interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last_request = time.monotonic()
