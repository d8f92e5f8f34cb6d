"""django-axes wired to our lock-out rules (accounts.services.login_lockout).

axes gives the plumbing every login path shares: its authentication backend refuses a
locked-out attempt before any password is checked, Django's ``user_login_failed`` /
``user_logged_in`` signals reach the handler below, and its middleware turns a refusal into a
429 response. Its stock handlers count by fixed parameter tuples (username, IP, user agent)
with one failure limit and a plain or permanent lock-out; our rules need the account *after
lookup*, three counters with their own limits, a bounded slow-down instead of a lock-out, and a
known-device exemption, so they are expressed through axes' documented hooks:
``AXES_HANDLER`` (this handler), ``AXES_CLIENT_IP_CALLABLE`` (accounts.client_ip),
``AXES_USERNAME_CALLABLE`` and ``AXES_LOCKOUT_CALLABLE`` (below). See
docs/decisions/0003-login-lockout.md.
"""

from __future__ import annotations

import logging

from axes.handlers.base import AbstractAxesHandler, AxesBaseHandler
from axes.signals import user_locked_out
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from accounts.services.login_lockout import (
    KNOWN_DEVICE_COOKIE,
    KNOWN_DEVICE_MAX_AGE,
    login_account_key,
    login_failure_record,
    login_refusal,
    login_success_record,
)

log = logging.getLogger(__name__)

# Keys under which the login identifier reaches authenticate(): the portal's and API's
# ``email=``, Django's AuthenticationForm (admin login) ``username=``.
IDENTIFIER_KEYS = ("email", "username")


def identifier_from(request, credentials: dict | None) -> str | None:
    """The login identifier of an attempt, from authenticate()'s credentials only.

    Never from the request's POST: a path that is not a login (the password-reset link) passes
    credentials without an identifier, and a field an attacker adds must not make it one.
    """
    for key in IDENTIFIER_KEYS:
        value = (credentials or {}).get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def account_for_axes(request, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: the account key (never the typed address) for axes' own logs."""
    return login_account_key(identifier=identifier_from(request, credentials))


def last_refusal(request):
    """The refusal axes' backend met in this request's last authenticate(), if any.

    For callers that render their own answer (the login forms, and the API token view of
    issue 11: ``authenticate(request, email=..., password=...)`` returning None plus
    ``last_refusal(request)`` tells "locked" from "wrong password").
    """
    return getattr(request, "login_refusal", None)


class LoginLockoutHandler(AbstractAxesHandler, AxesBaseHandler):
    """AXES_HANDLER: refusals and counting by accounts.services.login_lockout."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        refusal = login_refusal(request=request, identifier=identifier_from(request, credentials))
        request.login_refusal = refusal
        return refusal is not None

    def get_failures(self, request, credentials: dict | None = None) -> int:
        return int(self.is_locked(request, credentials))

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            log.error("login failure without a request: not counted (pass the request to authenticate)")
            return
        if getattr(request, "login_refusal", None) is not None:
            # Refused before the password was checked: not counted again, so a lock-out or
            # slow-down never outlasts its own window however long someone keeps knocking.
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send("axes", request=request, username=None, ip_address=request.axes_ip_address)
            return
        login_failure_record(request=request, identifier=identifier_from(request, credentials))

    def user_logged_in(self, sender, request, user, **kwargs):
        if request is not None:
            login_success_record(request=request, user=user)

    def user_logged_out(self, sender, request, user, **kwargs):
        pass


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: 429 with a Retry-After; our own forms show their own message."""
    refusal = last_refusal(request)
    retry_after = refusal.retry_after if refusal else settings.LOGIN_LOCKOUT_SECONDS
    if original_response is not None and getattr(request, "login_refusal_shown", False):
        response = original_response
        response.status_code = 429
    elif request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse(
            {"error": {"code": "login_locked", "message": "Too many failed logins; try again later."}},
            status=429,
        )
    else:
        minutes = max(1, -(-retry_after // 60))
        response = render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class KnownDeviceMiddleware:
    """Hands a browser that just logged in its signed known-device cookie (see login_lockout)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        value = getattr(request, "login_known_device", None)
        if value:
            response.set_cookie(
                KNOWN_DEVICE_COOKIE,
                value,
                max_age=KNOWN_DEVICE_MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
