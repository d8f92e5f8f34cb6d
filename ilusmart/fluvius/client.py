"""HTTP client for the Fluvius data-access API v3 (the real one, its sandbox, or our simulator).

One client works against all three by changing base URL and credentials (fluvius-api.md).

- Token: OAuth2 client credentials with a client secret. Tokens are cached in the Django cache
  (Redis) under a key derived from token URL, client id and scope, until ``expires_in − 60 s``,
  so every worker shares one token. A short ``cache.add`` lock keeps workers from all fetching
  a new token at once; if the lock holder is slow, a worker fetches its own (races are harmless).
- Certificate auth (JWT client assertion, production) needs an RSA signature, which the Python
  standard library cannot make; it would need the ``cryptography`` package, which is not a
  dependency. Configuring it raises ``FluviusConfigurationError`` with that explanation.
- Retries follow the contract: 429/503 wait ``Retry-After`` (capped); 5xx, timeouts, connection
  errors and 200 answers that are not JSON back off exponentially with jitter; a 401 for the
  bearer token refreshes the token and retries once; a 401 for the subscription key, and 400,
  403 and 404, raise at once.

This module knows nothing about our database. Its operations for the portal return the typed
values of ``types.py`` (read and checked by ``payloads.py``), never JSON, so no caller outside this
package reads a Fluvius payload (tests/test_layering.py holds the apps to that); only
``mandate_mock``, for the sandbox and tests, hands back Fluvius's answer as sent.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from ilusmart import clock

from .errors import (
    FluviusBadRequest,
    FluviusConfigurationError,
    FluviusError,
    FluviusMandateNotActive,
    FluviusNotFound,
    FluviusPayloadError,
    FluviusUnavailable,
)
from .payloads import parse_energy, parse_energy_days, parse_mandates, parse_short_url
from .slots import MISSING
from .types import DayReadings, MandateList, QuarterHourValue

logger = logging.getLogger("ilusmart.fluvius")

MAX_WINDOW = timedelta(days=184)
TOKEN_EXPIRY_MARGIN_SECONDS = 60
TOKEN_LOCK_SECONDS = 30
_REFERENCE_RE = re.compile(r"[A-Za-z0-9]{1,32}")
# Statuses that are worth another try with back-off; 429 and 503 honour Retry-After first.
_RETRY_AFTER_STATUSES = frozenset({429, 503})
_BACKOFF_STATUSES = frozenset({500, 502, 503, 504})


class _Transient(Exception):
    """A failure worth retrying; ``retry_after`` is the server's hint in seconds, if any."""

    def __init__(self, reason: str, *, status_code: int | None = None, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code
        self.retry_after = retry_after


def format_utc(value: datetime | date) -> str:
    """Format as ``YYYY-MM-DDTHH:MM:SSZ``. A date means midnight UTC; naive datetimes are refused."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("Fluvius timestamps must be timezone-aware datetimes")
        value = value.astimezone(UTC)
    else:
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def split_window(
    start: datetime, end: datetime, max_window: timedelta = MAX_WINDOW
) -> list[tuple[datetime, datetime]]:
    """Split ``[start, end)`` into consecutive, non-overlapping chunks of at most ``max_window``."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware datetimes")
    if start >= end:
        raise ValueError(f"start ({start}) must be before end ({end})")
    chunks = []
    chunk_start = start
    while chunk_start < end:
        chunk_end = min(chunk_start + max_window, end)
        chunks.append((chunk_start, chunk_end))
        chunk_start = chunk_end
    return chunks


def _parse_retry_after(value: str | None) -> float | None:
    """Retry-After in seconds: a number, or an HTTP date (RFC 9110); None when absent or junk."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _decode_json(response: requests.Response) -> Any:
    """Decode a body as JSON with numbers as Decimal (energy must never pass through float)."""
    return json.loads(response.content.decode(response.encoding or "utf-8"), parse_float=Decimal)


def _error_fields(body: Any) -> tuple[str | None, str]:
    """(code, message) of an API error ``{"Type","Code","Message"}`` or a gateway error."""
    if not isinstance(body, dict):
        return None, ""
    lowered = {str(k).lower(): v for k, v in body.items()}
    code = lowered.get("code")
    message = lowered.get("message") or lowered.get("type") or ""
    return (str(code) if code is not None else None), str(message)


def _cache():
    from django.core.cache import cache

    return cache


class FluviusClient:
    """A Fluvius API client over one ``requests.Session``; see the module docstring.

    Use ``FluviusClient.from_settings()`` in the portal; pass arguments directly in tests or
    scripts. ``sleep`` is called for every back-off (inject a recorder in tests);
    ``backoff_base`` is the first back-off in seconds, doubled each retry up to ``backoff_max``.
    A ``requests.Session`` is not guaranteed thread-safe: use one client per thread or task.
    """

    def __init__(
        self,
        *,
        base_url: str,
        token_url: str,
        client_id: str,
        client_secret: str = "",
        scope: str,
        subscription_key: str,
        data_access_contract_number: str = "",
        cert_path: str = "",
        key_path: str = "",
        cert_thumbprint: str = "",
        timeout: float = 30.0,
        max_retries: int = 5,
        retry_after_cap: float = 60.0,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
        cache: Any = None,
    ) -> None:
        if cert_path or key_path or cert_thumbprint:
            raise FluviusConfigurationError(
                "Certificate authentication (FLUVIUS_CERT_PATH, FLUVIUS_KEY_PATH, "
                "FLUVIUS_CERT_THUMBPRINT) needs an RS256 JWT client assertion, which requires the "
                "'cryptography' package; it is not installed. Use a client secret, or add "
                "'cryptography' to requirements.txt and implement the assertion."
            )
        if not client_secret:
            raise FluviusConfigurationError("FLUVIUS_CLIENT_SECRET is empty: no way to obtain a token.")
        self.base_url = base_url.rstrip("/")
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.scope = scope
        self.subscription_key = subscription_key
        self.data_access_contract_number = data_access_contract_number
        self.timeout = timeout
        self.max_retries = max(0, int(max_retries))
        self.retry_after_cap = float(retry_after_cap)
        self.backoff_base = float(backoff_base)
        self.backoff_max = float(backoff_max)
        self.sleep = sleep
        self.session = session or requests.Session()
        self._cache = cache
        # Fallback when the shared cache is down: the token lives in this instance only.
        self._local_token: tuple[str, float] | None = None
        digest = hashlib.sha256(f"{token_url}|{client_id}|{scope}".encode()).hexdigest()[:32]
        self.token_cache_key = f"fluvius:token:{digest}"
        self._token_lock_key = f"fluvius:token-lock:{digest}"

    @classmethod
    def from_settings(cls, **overrides: Any) -> FluviusClient:
        """Build a client from the ``FLUVIUS_*`` settings (read now, so test overrides apply).

        ``FLUVIUS_BACKOFF_BASE_SECONDS`` (default 1.0) is read if it exists.
        """
        from django.conf import settings

        kwargs: dict[str, Any] = {
            "base_url": settings.FLUVIUS_BASE_URL,
            "token_url": settings.FLUVIUS_TOKEN_URL,
            "client_id": settings.FLUVIUS_CLIENT_ID,
            "client_secret": settings.FLUVIUS_CLIENT_SECRET,
            "scope": settings.FLUVIUS_SCOPE,
            "subscription_key": settings.FLUVIUS_SUBSCRIPTION_KEY,
            "data_access_contract_number": settings.FLUVIUS_DATA_ACCESS_CONTRACT_NUMBER,
            "cert_path": getattr(settings, "FLUVIUS_CERT_PATH", ""),
            "key_path": getattr(settings, "FLUVIUS_KEY_PATH", ""),
            "cert_thumbprint": getattr(settings, "FLUVIUS_CERT_THUMBPRINT", ""),
            "timeout": settings.FLUVIUS_TIMEOUT_SECONDS,
            "max_retries": settings.FLUVIUS_MAX_RETRIES,
            "retry_after_cap": settings.FLUVIUS_RETRY_AFTER_CAP_SECONDS,
            "backoff_base": getattr(settings, "FLUVIUS_BACKOFF_BASE_SECONDS", 1.0),
        }
        kwargs.update(overrides)
        return cls(**kwargs)

    def close(self) -> None:
        """Close the underlying HTTP session."""
        self.session.close()

    def __enter__(self) -> FluviusClient:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # --- retry machinery ----------------------------------------------------------------------

    def _backoff_delay(self, retry_index: int) -> float:
        """Exponential back-off with 'equal jitter': half fixed, half random, so workers spread."""
        delay = min(self.backoff_max, self.backoff_base * (2**retry_index))
        return delay / 2 + random.uniform(0, delay / 2)

    def _with_retries(self, what: str, attempt_once: Callable[[], Any]) -> Any:
        """Run ``attempt_once`` until it returns, raising ``FluviusUnavailable`` when retries run out.

        ``attempt_once`` raises ``_Transient`` for failures worth retrying; anything else passes.
        """
        retry_index = 0
        while True:
            try:
                return attempt_once()
            except _Transient as transient:
                attempts = retry_index + 1
                if retry_index >= self.max_retries:
                    logger.error(
                        "Fluvius %s: giving up after %d attempts; last failure: %s",
                        what,
                        attempts,
                        transient.reason,
                    )
                    raise FluviusUnavailable(
                        f"Fluvius did not answer usefully after {attempts} attempts: {transient.reason}",
                        status_code=transient.status_code,
                        attempts=attempts,
                        path=what,
                    ) from transient
                if transient.retry_after is not None:
                    delay = min(transient.retry_after, self.retry_after_cap)
                else:
                    delay = self._backoff_delay(retry_index)
                logger.warning(
                    "Fluvius %s: %s; retry %d of %d in %.2f s",
                    what,
                    transient.reason,
                    retry_index + 1,
                    self.max_retries,
                    delay,
                )
                self.sleep(delay)
                retry_index += 1

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """One HTTP request; timeouts, connection errors and retryable statuses become ``_Transient``."""
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout as exc:
            raise _Transient(f"no answer within {self.timeout} s ({type(exc).__name__})") from exc
        except requests.ConnectionError as exc:
            raise _Transient(f"connection failed ({exc})") from exc
        status = response.status_code
        if status in _RETRY_AFTER_STATUSES or status in _BACKOFF_STATUSES:
            retry_after = (
                _parse_retry_after(response.headers.get("Retry-After"))
                if status in _RETRY_AFTER_STATUSES
                else None
            )
            raise _Transient(f"HTTP {status}", status_code=status, retry_after=retry_after)
        return response

    def _json_success(self, response: requests.Response, what: str) -> dict[str, Any]:
        """Decode a 2xx body; invalid JSON is transient (like a 5xx), a non-object is a payload error."""
        try:
            body = _decode_json(response)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _Transient(f"HTTP {response.status_code} with a body that is not valid JSON") from exc
        if not isinstance(body, dict):
            raise FluviusPayloadError(
                f"Fluvius answered {what} with JSON that is not an object ({type(body).__name__}).",
                status_code=response.status_code,
                path=what,
            )
        return body

    # --- token ----------------------------------------------------------------------------------

    def _cache_get(self) -> str | None:
        try:
            cached = (self._cache or _cache()).get(self.token_cache_key)
        except Exception:
            # Redis down: fall back to this instance's own token. Only then: a miss in a working
            # cache may mean another worker dropped a refused token, which we must not reuse.
            logger.warning("Fluvius token cache unavailable; using a per-process token", exc_info=True)
            if self._local_token and self._local_token[1] > time.monotonic():
                return self._local_token[0]
            return None
        return str(cached) if cached else None

    def _cache_set(self, token: str, lifetime: float) -> None:
        self._local_token = (token, time.monotonic() + lifetime)
        try:
            (self._cache or _cache()).set(self.token_cache_key, token, timeout=int(lifetime))
        except Exception:
            logger.warning("Fluvius token cache unavailable; token kept in this process only", exc_info=True)

    def invalidate_token(self, token: str | None = None) -> None:
        """Drop the cached token (only if it is still ``token``, so a fresh one is not thrown away)."""
        if self._local_token and (token is None or self._local_token[0] == token):
            self._local_token = None
        try:
            cache = self._cache or _cache()
            if token is None or cache.get(self.token_cache_key) == token:
                cache.delete(self.token_cache_key)
        except Exception:
            logger.warning("Fluvius token cache unavailable while dropping a token", exc_info=True)

    def get_token(self) -> str:
        """Return a valid access token, from the shared cache or freshly requested."""
        token = self._cache_get()
        if token:
            return token
        cache = self._cache or _cache()
        try:
            have_lock = cache.add(self._token_lock_key, "1", timeout=TOKEN_LOCK_SECONDS)
        except Exception:
            have_lock = True  # no cache, no lock: just fetch
        if not have_lock:
            # Another worker is fetching; wait a little for its token rather than asking too.
            deadline = time.monotonic() + min(self.timeout, 10.0)
            while time.monotonic() < deadline:
                time.sleep(0.05)
                token = self._cache_get()
                if token:
                    return token
        try:
            token, lifetime = self._fetch_token()
            if lifetime > 0:
                self._cache_set(token, lifetime)
            return token
        finally:
            if have_lock:
                try:
                    cache.delete(self._token_lock_key)
                except Exception:
                    logger.debug("could not release the Fluvius token lock", exc_info=True)

    def _fetch_token(self) -> tuple[str, float]:
        """POST the client-credentials grant; return (token, seconds it may be cached)."""
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "scope": self.scope,
        }

        def attempt() -> tuple[str, float]:
            response = self._send("POST", self.token_url, data=form, headers={"Accept": "application/json"})
            if response.status_code in (400, 401, 403):
                body = self._safe_json(response)
                raise FluviusConfigurationError(
                    "The token endpoint refused our client credentials: "
                    f"{(body or {}).get('error_description') or (body or {}).get('error') or response.text[:200]}",
                    status_code=response.status_code,
                    body=body,
                    path=self.token_url,
                )
            if not 200 <= response.status_code < 300:
                raise FluviusError(
                    f"Unexpected answer from the token endpoint: {response.text[:200]}",
                    status_code=response.status_code,
                    path=self.token_url,
                )
            body = self._json_success(response, "token")
            token = body.get("access_token")
            if not token or not isinstance(token, str):
                raise FluviusPayloadError(
                    "The token endpoint answered without an access_token.", path="token"
                )
            try:
                expires_in = float(body.get("expires_in", 3599))
            except (TypeError, ValueError):
                expires_in = 3599.0
            return token, expires_in - TOKEN_EXPIRY_MARGIN_SECONDS

        logger.info("Fluvius: requesting a new access token from %s", self.token_url)
        return self._with_retries("token", attempt)

    @staticmethod
    def _safe_json(response: requests.Response) -> Any:
        try:
            return _decode_json(response)
        except (ValueError, UnicodeDecodeError):
            return None

    # --- API calls ------------------------------------------------------------------------------

    def _request_json(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
    ) -> dict[str, Any]:
        """Call ``{base_url}{path}`` with auth headers and the retry policy; return the JSON object."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        state = {"refreshed": False}
        body_bytes = None
        headers = {
            "Accept": "application/json",
            "Ocp-Apim-Subscription-Key": self.subscription_key,
        }
        if json_body is not None:
            # Serialised here (not via requests' json=) so datetimes in a body become UTC strings.
            body_bytes = json.dumps(json_body, default=_json_default).encode()
            headers["Content-Type"] = "application/json"

        def attempt() -> dict[str, Any]:
            while True:
                token = self.get_token()
                response = self._send(
                    method,
                    url,
                    params=params,
                    data=body_bytes,
                    headers={**headers, "Authorization": f"Bearer {token}"},
                )
                if response.status_code == 401:
                    body = self._safe_json(response)
                    _code, message = _error_fields(body)
                    if "subscription" in message.lower():
                        raise FluviusConfigurationError(
                            f"Fluvius refused our subscription key: {message}",
                            status_code=401,
                            body=body,
                            path=path,
                        )
                    if state["refreshed"]:
                        raise FluviusConfigurationError(
                            f"Fluvius refused a freshly issued token: {message}",
                            status_code=401,
                            body=body,
                            path=path,
                        )
                    logger.warning(
                        "Fluvius %s: token refused (%s); refreshing it and retrying once", path, message
                    )
                    state["refreshed"] = True
                    self.invalidate_token(token)
                    continue
                return self._handle(response, path)

        return self._with_retries(path, attempt)

    def _handle(self, response: requests.Response, path: str) -> dict[str, Any]:
        status = response.status_code
        if 200 <= status < 300:
            return self._json_success(response, path)
        body = self._safe_json(response)
        code, message = _error_fields(body)
        kwargs = {"status_code": status, "code": code, "body": body, "path": path}
        if status == 400:
            messages = []
            if isinstance(body, dict):
                for key, value in body.items():
                    if str(key).lower() == "validationerrormessages" and isinstance(value, list):
                        messages = value
            logger.error(
                "Fluvius %s: request rejected as invalid (a defect on our side): %s %s",
                path,
                message,
                messages,
            )
            raise FluviusBadRequest(
                message or "Fluvius rejected the request.", validation_errors=messages, **kwargs
            )
        if status == 403:
            raise FluviusMandateNotActive(message or "The mandate is not active for this request.", **kwargs)
        if status == 404:
            raise FluviusNotFound(message or "Fluvius does not know this EAN or mandate.", **kwargs)
        raise FluviusError(message or f"Unexpected HTTP {status} from Fluvius.", **kwargs)

    # --- public operations --------------------------------------------------------------------

    def short_url_create(
        self,
        *,
        reference_number: str,
        ean_count: int = 1,
        data_period_from: datetime | date,
        data_period_to: datetime | date,
        return_url_success: str,
        return_url_failed: str,
        data_service_type: str = "VH_kwartier_uur",
        flow: str = "B2C",
        sso: bool = True,
    ) -> tuple[str, datetime | None]:
        """Start a mandate request; return ``(shortUrlIdentifier, validTo)``.

        Send the homeowner to ``FLUVIUS_PORTAL_URL + short_id``.
        """
        _check_reference(reference_number)
        body = {
            "dataAccessContractNumber": self.data_access_contract_number,
            "referenceNumber": reference_number,
            "flow": flow,
            "numberOfEans": ean_count,
            "sso": sso,
            "dataServices": [
                {
                    "dataServiceType": data_service_type,
                    "dataPeriodFrom": format_utc(data_period_from),
                    "dataPeriodTo": format_utc(data_period_to),
                }
            ],
            "returnUrlSuccess": return_url_success,
            "returnUrlFailed": return_url_failed,
        }
        return parse_short_url(self._request_json("POST", "/api/shortUrlIdentifier", json_body=body))

    def mandates_list(
        self,
        *,
        reference_number: str | None = None,
        ean: str | None = None,
        status: str | None = None,
        last_updated_from: datetime | date | None = None,
        last_updated_to: datetime | date | None = None,
        data_service_types: str | None = None,
        energy_type: str | None = None,
        renewal_status: str | None = None,
    ) -> MandateList:
        """The mandates matching the filters (``GET /api/mandate``) and their fetch time.

        An empty list is normal. ``fetched_at`` is Fluvius's ``_meta.fetchTime`` (or the project
        clock at receipt when the answer has none): the next incremental poll starts there.
        Raises ``FluviusPayloadError`` when the answer's structure cannot be read.
        """
        params = {
            "referenceNumber": reference_number,
            "ean": ean,
            "status": status,
            "lastUpdatedFrom": format_utc(last_updated_from) if last_updated_from else None,
            "lastUpdatedTo": format_utc(last_updated_to) if last_updated_to else None,
            "dataServiceTypes": data_service_types,
            "energyType": energy_type,
            "renewalStatus": renewal_status,
        }
        params = {k: v for k, v in params.items() if v is not None}
        payload = self._request_json("GET", "/api/mandate", params=params)
        return parse_mandates(payload, received_at=clock.now())

    def _energy_fetch_raw(
        self,
        *,
        ean: str,
        reference_number: str,
        start: datetime,
        end: datetime,
        period_type: str = "readTime",
        granularity: str = "daily,hourly_quarterhourly",
    ) -> dict[str, Any]:
        """One ``GET /api/mandate/energy`` for ``[start, end)`` (at most 184 days); the raw JSON."""
        if end - start > MAX_WINDOW:
            raise ValueError("one energy request may span at most 184 days; use energy_fetch")
        params = {
            "ean": ean,
            "periodType": period_type,
            "referenceNumber": reference_number,
            "granularity": granularity,
            "from": format_utc(start),
            "to": format_utc(end),
        }
        return self._request_json("GET", "/api/mandate/energy", params=params)

    def energy_fetch(
        self,
        *,
        ean: str,
        reference_number: str,
        start: datetime,
        end: datetime,
        period_type: str = "readTime",
    ) -> list[QuarterHourValue]:
        """Quarter-hour values for ``[start, end)``, fetched in chunks of at most 184 days.

        Chunks are consecutive and non-overlapping (``to`` is exclusive); the results are
        concatenated in time order. Errors of any chunk propagate (nothing partial is returned).
        """
        values: list[QuarterHourValue] = []
        for payload in self._energy_payloads(ean, reference_number, start, end, period_type):
            values.extend(parse_energy(payload))
        return values

    def _energy_payloads(self, ean, reference_number, start, end, period_type):
        """One raw answer per chunk of at most 184 days, consecutive and non-overlapping."""
        for chunk_start, chunk_end in split_window(start, end):
            yield self._energy_fetch_raw(
                ean=ean,
                reference_number=reference_number,
                start=chunk_start,
                end=chunk_end,
                period_type=period_type,
            )

    def energy_fetch_days(
        self,
        *,
        ean: str,
        reference_number: str,
        start: datetime,
        end: datetime,
        period_type: str = "readTime",
    ) -> list[DayReadings]:
        """``energy_fetch`` as per-local-day arrays (``parse_energy_days``), sorted by day.

        The same requests in the same chunks; a local day cut by a chunk boundary comes back as
        one ``DayReadings`` (the chunks do not overlap, so their slots never compete).
        """
        days: dict[date, DayReadings] = {}
        for payload in self._energy_payloads(ean, reference_number, start, end, period_type):
            for readings in parse_energy_days(payload):
                earlier = days.get(readings.day)
                days[readings.day] = readings if earlier is None else _fill_missing(earlier, readings)
        return [days[day] for day in sorted(days)]

    def mandate_mock(
        self,
        *,
        reference_number: str,
        ean: str,
        data_period_from: datetime | date,
        data_period_to: datetime | date,
        data_service_type: str = "VH_kwartier_uur",
        status: str = "Approved",
        mandate_expiration_date: datetime | date | None = None,
        renewal_status: str | None = None,
    ) -> dict[str, Any]:
        """Create a mandate directly (sandbox and simulator only: ``POST /api/mandate/mock``).

        Returns the response's ``data`` object as sent.
        """
        _check_reference(reference_number)
        body: dict[str, Any] = {
            "referenceNumber": reference_number,
            "ean": ean,
            "dataServiceType": data_service_type,
            "dataPeriodFrom": format_utc(data_period_from),
            "dataPeriodTo": format_utc(data_period_to),
            "status": status,
        }
        if mandate_expiration_date is not None:
            body["mandateExpirationDate"] = format_utc(mandate_expiration_date)
        if renewal_status is not None:
            body["renewalStatus"] = renewal_status
        response = self._request_json("POST", "/api/mandate/mock", json_body=body)
        data = response.get("data", {})
        return data if isinstance(data, dict) else {"data": data}


def _fill_missing(first: DayReadings, second: DayReadings) -> DayReadings:
    """``first`` with its missing slots filled from ``second`` (the first value wins)."""
    columns = []
    for whs, quality, more_whs, more_quality in (
        (first.offtake_wh, first.offtake_quality, second.offtake_wh, second.offtake_quality),
        (first.injection_wh, first.injection_quality, second.injection_wh, second.injection_quality),
    ):
        whs, codes = list(whs), list(quality)
        for slot, code in enumerate(more_quality):
            if code != MISSING and codes[slot] == MISSING:
                whs[slot], codes[slot] = more_whs[slot], code
        columns.append((whs, "".join(codes)))
    (off_wh, off_q), (inj_wh, inj_q) = columns
    return DayReadings(first.day, off_wh, inj_wh, off_q, inj_q)


def _check_reference(reference_number: str) -> None:
    if not isinstance(reference_number, str) or not _REFERENCE_RE.fullmatch(reference_number):
        raise ValueError("referenceNumber must be 1 to 32 letters or digits ([A-Za-z0-9]{1,32})")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return format_utc(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
