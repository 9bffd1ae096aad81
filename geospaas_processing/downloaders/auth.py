"""HTTP authentication for providers: Basic, and OAuth2 password grant with optional TOTP.

OAuth2 tokens are cached per provider account: in the process, and in Redis when
``GEOSPAAS_PROCESSING_REDIS_HOST`` is set so that every process and host shares one token.
A token is requested under a lock named after the account, after looking again in the
cache, so concurrent processes make one token request, not one each. The Redis entry
expires (by the Redis server's clock) a margin before the token does, so a token is
renewed shortly before it expires. A 401 answer is retried once with a fresh token.

Credentials (the header, or a token placed in the URL) follow a redirect only to the same
origin or to the provider's ``redirect_hosts``: the rule is
:func:`geospaas_processing.httpclient.credentials_may_follow`, applied by the sessions of
:func:`geospaas_processing.httpclient.new_session`.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from geospaas_processing import locks
from geospaas_processing.downloaders.errors import (
    AuthenticationError,
    DownloadError,
    RetriableDownloadError,
)
from geospaas_processing.downloaders.provider_settings import ProviderSettings
from geospaas_processing.httpclient import (
    TEMPORARY_STATUSES,
    credentials_may_follow,
    new_session,
    retry_after_seconds,
)
from geospaas_processing.redaction import redact_url, register_secrets

#: A token is renewed this many seconds before it expires (less for short-lived tokens).
RENEWAL_MARGIN = 60.0
TOKEN_LOCK_WAIT = 30.0
TOKEN_REQUEST_TIMEOUT = (10, 30)


def session_for(settings: ProviderSettings) -> requests.Session:
    """A new session for downloads from the provider of ``settings``, its credentials set."""
    token_parameter = (
        settings.token_parameter_name
        if settings.authentication_type == 'oauth2' and settings.token_placement == 'url'
        else None
    )
    session = new_session(
        allowed_hosts=settings.redirect_hosts,
        token_parameter=token_parameter,
        identity_encoding=True,
    )
    session.auth = for_settings(settings)
    return session


def for_settings(settings: ProviderSettings) -> AuthBase | None:
    """The requests authentication for a provider's settings, or None when it has none."""
    register_secrets(*settings.secrets())
    if settings.authentication_type == 'oauth2':
        return OAuth2Auth(settings, token_provider(settings))
    if settings.username:
        return _BasicAuth(settings.username, settings.password or '')
    return None


class _BasicAuth(HTTPBasicAuth):
    def __repr__(self) -> str:
        return '<BasicAuth (credentials hidden)>'


class OAuth2Auth(AuthBase):
    """Puts the provider's OAuth2 token in the header or the URL; answers one 401 by renewing it."""

    def __init__(self, settings: ProviderSettings, tokens: TokenProvider) -> None:
        self._settings = settings
        self._tokens = tokens

    def __repr__(self) -> str:
        return f'<OAuth2Auth for {self._settings.prefix} (token hidden)>'

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        token = self._tokens.get()
        self._apply(request, token)
        request.register_hook('response', self._renew_on_401)
        return request

    def _apply(self, request: requests.PreparedRequest, token: str) -> None:
        request._geospaas_token = token  # which token a 401 refused
        if self._settings.token_placement == 'url':
            parts = urlsplit(request.url)
            name = self._settings.token_parameter_name
            query = [(key, value) for key, value in parse_qsl(parts.query) if key != name]
            query.append((name, token))
            request.url = urlunsplit(parts._replace(query=urlencode(query)))
        else:
            request.headers['Authorization'] = f'Bearer {token}'

    def _renew_on_401(self, response: requests.Response, **kwargs) -> requests.Response:
        request = response.request
        if response.status_code != 401 or getattr(request, '_geospaas_retried', False):
            return response
        if not credentials_may_follow(
            self._settings.prefix, request.url, self._settings.redirect_hosts
        ):
            return response
        stale = getattr(request, '_geospaas_token', None)
        response.close()
        fresh = self._tokens.get(stale=stale)
        retry = request.copy()
        self._apply(retry, fresh)
        retry._geospaas_retried = True
        new_response = response.connection.send(retry, **kwargs)
        new_response.history.append(response)
        new_response.request = retry
        return new_response


class TokenProvider:
    """The OAuth2 token of one provider account, cached in the process and in Redis.

    Thread-safe; one instance per account and process (see :func:`token_provider`).
    """

    def __init__(self, settings: ProviderSettings) -> None:
        self._settings = settings
        account = '\n'.join(
            str(value) for value in (settings.token_url, settings.client_id, settings.username)
        )
        self.key = hashlib.sha256(account.encode()).hexdigest()[:24]
        self._lock = threading.Lock()
        self._token: str | None = None
        self._valid_until = 0.0
        #: How many tokens this process requested from the token endpoint.
        self.requests_made = 0

    def __repr__(self) -> str:
        return f'<TokenProvider {redact_url(self._settings.token_url or "")} (token hidden)>'

    def get(self, stale: str | None = None) -> str:
        """A valid token; ``stale`` is a token the server refused, never returned again.

        Raises:
            AuthenticationError: the token endpoint refused the credentials.
            RetriableDownloadError: the token endpoint or the lock service is unavailable.
        """
        with self._lock:
            if self._usable(self._token, stale) and time.monotonic() < self._valid_until:
                return self._token
            cached = self._from_shared_cache()
            if cached and self._usable(cached[0], stale):
                return self._keep(*cached)
            return self._renew(stale)

    @staticmethod
    def _usable(token: str | None, stale: str | None) -> bool:
        return token is not None and token != stale

    def _keep(self, token: str, lifetime: float) -> str:
        self._token, self._valid_until = token, time.monotonic() + lifetime
        register_secrets(token)
        return token

    def _renew(self, stale: str | None) -> str:
        try:
            with locks.named_lock(
                f'oauth2-token:{self.key}', expiry=TOKEN_LOCK_WAIT, blocking_timeout=TOKEN_LOCK_WAIT
            ):
                cached = self._from_shared_cache()
                if cached and self._usable(cached[0], stale):
                    return self._keep(*cached)
                token, lifetime = self._request_token()
                self._to_shared_cache(token, lifetime)
                return self._keep(token, lifetime)
        except locks.LockError as exc:
            raise RetriableDownloadError(
                f'could not take the token lock of {self._settings.prefix}: {exc}',
                url=redact_url(self._settings.token_url or ''),
            ) from exc

    def _redis_key(self) -> str:
        return f'geospaas_processing:oauth2-token:{self.key}'

    def _from_shared_cache(self) -> tuple[str, float] | None:
        client = locks.redis_client()
        if client is None:
            return None
        try:
            pipeline = client.pipeline()
            pipeline.get(self._redis_key())
            pipeline.pttl(self._redis_key())
            value, ttl_ms = pipeline.execute()
        except Exception as exc:  # redis.RedisError; redis is an optional dependency
            raise RetriableDownloadError(
                f'Redis is unavailable for the token cache: {exc}'
            ) from exc
        if value is None or ttl_ms is None or ttl_ms <= 0:
            return None
        return json.loads(value)['access_token'], ttl_ms / 1000

    def _to_shared_cache(self, token: str, lifetime: float) -> None:
        client = locks.redis_client()
        if client is None or lifetime <= 0:
            return
        try:
            client.set(
                self._redis_key(),
                json.dumps({'access_token': token}),
                px=max(1, int(lifetime * 1000)),
            )
        except Exception as exc:  # redis.RedisError
            raise RetriableDownloadError(
                f'Redis is unavailable for the token cache: {exc}'
            ) from exc

    def _request_token(self) -> tuple[str, float]:
        """Ask the token endpoint for a token; returns it and how long to use it (seconds)."""
        settings = self._settings
        if not settings.username or settings.password is None:
            raise AuthenticationError(
                f'provider {settings.prefix} uses oauth2 but its username or password is not set '
                '(check the !ENV variables of the provider settings file)'
            )
        data = {
            'grant_type': 'password',
            'client_id': settings.client_id,
            'username': settings.username,
            'password': settings.password,
        }
        if settings.totp_secret:
            data['totp'] = _totp(settings)
        response = self._post(data)
        self.requests_made += 1
        token, expires_in = self._parse_token(response)
        return token, max(0.0, expires_in - min(RENEWAL_MARGIN, expires_in / 10))

    def _post(self, data: dict) -> requests.Response:
        url = redact_url(self._settings.token_url)
        try:
            with new_session() as session:
                session.trust_env = False
                response = session.post(
                    self._settings.token_url, data=data, timeout=TOKEN_REQUEST_TIMEOUT
                )
        except requests.RequestException as exc:
            raise RetriableDownloadError(
                f'token request to {url} failed: {type(exc).__name__}', url=url
            ) from exc
        if response.status_code in TEMPORARY_STATUSES:
            raise RetriableDownloadError(
                f'token endpoint {url} answered HTTP {response.status_code}; retry later',
                url=url,
                status_code=response.status_code,
                retry_after=retry_after_seconds(response.headers.get('Retry-After')),
            )
        if response.status_code in (400, 401, 403):
            raise AuthenticationError(
                f'token endpoint {url} refused the credentials of provider '
                f'{self._settings.prefix} (HTTP {response.status_code}); check its username, '
                'password and totp_secret',
                url=url,
                status_code=response.status_code,
            )
        if response.status_code != 200:
            raise DownloadError(f'token endpoint {url} answered HTTP {response.status_code}')
        return response

    def _parse_token(self, response: requests.Response) -> tuple[str, float]:
        try:
            body = response.json()
            token = str(body['access_token'])
            expires_in = float(body.get('expires_in', 300))
        except (ValueError, KeyError, TypeError):
            raise DownloadError(
                f'token endpoint {redact_url(self._settings.token_url)} answered without an '
                'access_token'
            ) from None
        register_secrets(token, body.get('refresh_token'))
        return token, expires_in


def _totp(settings: ProviderSettings) -> str:
    try:
        import pyotp
    except ImportError as exc:
        raise DownloadError(
            "totp_secret is set but pyotp is missing: pip install 'geospaas_processing[oauth2]'"
        ) from exc
    try:
        return pyotp.TOTP(settings.totp_secret).now()
    except (ValueError, TypeError):
        # pyotp's message is safe, but the secret must not travel in a chained traceback
        raise AuthenticationError(
            f'the totp_secret of provider {settings.prefix} is not a valid base32 secret of at '
            'least 112 bits'
        ) from None


_token_providers: dict[str, TokenProvider] = {}
_token_providers_lock = threading.Lock()


def token_provider(settings: ProviderSettings) -> TokenProvider:
    """The process-wide token provider of the account in ``settings``."""
    candidate = TokenProvider(settings)
    with _token_providers_lock:
        return _token_providers.setdefault(candidate.key, candidate)
