"""Exceptions raised by the Fluvius client and payload parsing.

Callers decide per class what to do (see the error catalogue in fluvius-api.md):

- ``FluviusConfigurationError``: our credentials or settings are wrong; alarm an operator.
- ``FluviusBadRequest``: we sent something Fluvius rejects (a defect on our side); no retry.
- ``FluviusMandateNotActive``: suspend fetching for that mandate and poll its status.
- ``FluviusNotFound``: the EAN or the mandate is unknown to Fluvius; mark the mandate invalid.
- ``FluviusUnavailable``: Fluvius did not answer usefully after every retry; try again later.
- ``FluviusPayloadError``: a 200 answer whose JSON we cannot use; a contract change or a bug.

Every class derives from ``FluviusError`` so a caller can catch them all at once.
"""

from __future__ import annotations

from typing import Any


class FluviusError(Exception):
    """Base class of every Fluvius error.

    ``status_code`` is the HTTP status when there was an answer, ``code`` the API's ``Code``
    field when it sent one, and ``body`` the decoded JSON body (or ``None``).
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        body: Any = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code
        self.body = body
        self.path = path

    def __str__(self) -> str:
        parts = [self.message]
        if self.status_code is not None:
            parts.append(f"(HTTP {self.status_code}{', ' + self.code if self.code else ''})")
        if self.path:
            parts.append(f"[{self.path}]")
        return " ".join(parts)


class FluviusConfigurationError(FluviusError):
    """Our side is misconfigured: a rejected subscription key, client id/secret or certificate."""


class FluviusBadRequest(FluviusError):
    """HTTP 400: Fluvius rejected the request. ``validation_errors`` lists its messages."""

    def __init__(self, message: str, *, validation_errors: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.validation_errors: list[Any] = list(validation_errors or [])

    def __str__(self) -> str:
        base = super().__str__()
        if self.validation_errors:
            return f"{base}: {'; '.join(str(m) for m in self.validation_errors)}"
        return base


class FluviusShortUrlFailed(FluviusBadRequest):
    """The short-URL request came back 200 but with ``status: "failed"``."""


class FluviusMandateNotActive(FluviusError):
    """HTTP 403: the mandate for (reference, EAN) is not Approved, or the period is outside it."""


class FluviusNotFound(FluviusError):
    """HTTP 404: the EAN is unknown or there is no mandate at all for this provider."""


class FluviusUnavailable(FluviusError):
    """Retries exhausted on 429, 5xx, timeouts, connection errors or malformed bodies.

    ``attempts`` is how many requests were made in total.
    """

    def __init__(self, message: str, *, attempts: int = 0, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.attempts = attempts


class FluviusPayloadError(FluviusError):
    """A successful answer whose JSON structure we cannot use."""
