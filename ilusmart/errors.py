"""One application error: what a service raises when it refuses to do what it was asked.

Every service refusal is an ``ApplicationError`` (or a subclass) with a stable ``code`` for
programs and a ``message`` for people (translated where the caller shows it). Services know
nothing of HTTP: the ``kind`` says what sort of refusal it is, and views, admin and the API
translate it to a status with ``http_status`` — the one table below.
"""

from http import HTTPStatus

INVALID = "invalid"  # the input is wrong: the person can correct it
NOT_FOUND = "not_found"
FORBIDDEN = "forbidden"  # allowed to nobody in this situation (e.g. no mandate, no fetch)
CONFLICT = "conflict"  # the state does not allow it now (busy, already done)
GONE = "gone"  # it existed but can no longer be had (a used or expired one-time link)
TOO_LARGE = "too_large"
RATE_LIMITED = "rate_limited"
UNAVAILABLE = "unavailable"  # a service we depend on is down: try again later

_STATUS = {
    INVALID: HTTPStatus.BAD_REQUEST,
    NOT_FOUND: HTTPStatus.NOT_FOUND,
    FORBIDDEN: HTTPStatus.FORBIDDEN,
    CONFLICT: HTTPStatus.CONFLICT,
    GONE: HTTPStatus.GONE,
    TOO_LARGE: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    RATE_LIMITED: HTTPStatus.TOO_MANY_REQUESTS,
    UNAVAILABLE: HTTPStatus.SERVICE_UNAVAILABLE,
}


class ApplicationError(Exception):
    """A refusal by a service: ``code`` (stable, for programs), ``message`` (for people), ``extra``."""

    kind = INVALID
    default_code = "invalid"

    def __init__(self, message: str = "", *, code: str | None = None, kind: str | None = None, extra=None):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        if kind is not None:
            self.kind = kind
        self.extra = dict(extra or {})

    def __str__(self) -> str:
        return self.message or self.code


def http_status(error: ApplicationError) -> int:
    """The HTTP status that a view, the admin or the API answers an ``ApplicationError`` with."""
    return int(_STATUS.get(error.kind, HTTPStatus.BAD_REQUEST))
