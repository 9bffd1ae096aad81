"""JSON over HTTP for the providers: authentication, a request rate, bounded retries with backoff.

Only temporary failures are retried (connection errors, timeouts and the statuses of
:data:`geospaas_processing.httpclient.TEMPORARY_STATUSES`, honouring a bounded
``Retry-After``); any other error status fails at once. After the last retry the failure
becomes a :class:`ProviderError` naming the URL (without credentials) and the status.
The session comes from the package's one HTTP layer (:mod:`geospaas_processing.httpclient`).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import requests

from geospaas_processing.harvesting.config import ProviderConfig
from geospaas_processing.harvesting.errors import ProviderError
from geospaas_processing.httpclient import TEMPORARY_STATUSES, new_session, retry_after_seconds
from geospaas_processing.redaction import redact_url, register_secrets

logger = logging.getLogger(__name__)

#: The URL without credentials, fit for messages and logs (the package's one redaction).
public_url = redact_url
#: The longest in-process wait a provider's Retry-After may impose between two attempts.
RETRY_AFTER_MAX = 300.0


class ProviderHTTPClient:
    """A requests session bound to one provider's settings.

    Args:
        provider_config: gives the credentials (``token`` as a bearer token, or
            ``username``/``password`` for basic authentication), ``timeout``,
            ``max_retries``, ``backoff`` and ``requests_per_second``.
    """

    def __init__(self, provider_config: ProviderConfig) -> None:
        self.config = provider_config
        self.session = new_session()
        register_secrets(provider_config.token, provider_config.password)
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
                retry_after = response.headers.get('Retry-After')
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
                if failure.status is not None:
                    delay = max(delay, retry_after_seconds(retry_after, RETRY_AFTER_MAX) or 0.0)
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
