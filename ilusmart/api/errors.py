"""The API's one error shape: ``{"error": {"code": ..., "message": ..., "fields": {...}}}``.

Services raise ``ilusmart.errors.ApplicationError`` (code, message, kind); its status comes from
``ilusmart.errors.http_status``, the same table the pages use. DRF's own refusals (bad input,
no or a wrong token, throttled, wrong method) and Django's ``Http404`` / ``ValidationError`` get
the same shape with a stable code. ``fields`` maps a field (or query parameter) to its messages.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from ilusmart.errors import ApplicationError, http_status


def _messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list | tuple):
        return [m for value in detail for m in _messages(value)]
    return [str(detail)]


def _fields(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(name): _messages(value) for name, value in detail.items()}
    return {}


def error_body(*, code: str, message: str, fields: dict | None = None) -> dict:
    """The body of every error answer of the API."""
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _rest_error(exc: exceptions.APIException) -> tuple[int, str, str, dict]:
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        messages = _messages(exc.detail)
        message = messages[0] if len(messages) == 1 else _("De gegevens zijn niet geldig; zie de velden.")
        return status.HTTP_400_BAD_REQUEST, "invalid", message, fields
    if isinstance(exc, exceptions.Throttled):
        return (
            exc.status_code,
            "rate_limited",
            _("Te veel verzoeken na elkaar. Probeer het straks opnieuw."),
            {},
        )
    code = exc.default_code if isinstance(exc.default_code, str) else "error"
    return exc.status_code, code, " ".join(_messages(exc.detail)), {}


def api_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every refusal as one JSON shape; anything else stays a 500."""
    headers = {}
    if isinstance(exc, ApplicationError):
        code, message, fields = exc.code, exc.message or exc.code, exc.extra.get("fields") or {}
        status_code = http_status(exc)
        if "retry_after" in exc.extra:
            headers["Retry-After"] = str(int(exc.extra["retry_after"]))
    elif isinstance(exc, DjangoValidationError):
        status_code, code = status.HTTP_400_BAD_REQUEST, "invalid"
        fields = (
            {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {}
        )
        message = " ".join(str(m) for m in exc.messages)
    elif isinstance(exc, Http404):
        status_code, code, message, fields = 404, "not_found", _("Niet gevonden."), {}
    elif isinstance(exc, DjangoPermissionDenied):
        status_code, code, message, fields = 403, "permission_denied", _("Dat mag je niet doen."), {}
    elif isinstance(exc, TooManyFieldsSent | RequestDataTooBig):
        # Django's own limits on a request (DATA_UPLOAD_MAX_*), logged as Django logs them.
        logging.getLogger(f"django.security.{exc.__class__.__name__}").warning(str(exc))
        status_code, code, fields = 400, "too_many_fields", {}
        message = _("De aanvraag heeft te veel parameters of is te groot.")
        if isinstance(exc, RequestDataTooBig):
            code = "request_too_large"
    elif isinstance(exc, exceptions.APIException):
        status_code, code, message, fields = _rest_error(exc)
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
    else:
        return None
    set_rollback()
    return Response(
        error_body(code=code, message=message, fields=fields), status=status_code, headers=headers
    )
