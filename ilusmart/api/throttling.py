"""Throttles of the API, counted in Redis (Django's default cache): per token and per client IP.

Rates are ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (``API_THROTTLE_*`` in the environment),
read at each request. The client IP is ``accounts.client_ip`` (our trusted proxies only), as for
the login lock-out and the pages' rate limits. Over a rate: 429 with ``Retry-After``.
"""

import hashlib

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.client_ip import client_ip_address
from accounts.models import ApiToken


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:24]


class _Throttle(SimpleRateThrottle):
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def key(self, ident: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": _digest(ident)}


class TokenThrottle(_Throttle):
    """Per token (each device its own budget), or per user for the website's session."""

    scope = "api_token"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            return self.key(f"token:{request.auth.pk}")
        if request.user and request.user.is_authenticated:
            return self.key(f"user:{request.user.pk}")
        return None


class IpThrottle(_Throttle):
    """Per client IP, whoever is calling."""

    scope = "api_ip"

    def get_cache_key(self, request, view):
        return self.key(f"ip:{client_ip_address(request)}")


class LoginThrottle(IpThrottle):
    """Token requests per client IP (besides the lock-out of every login path)."""

    scope = "api_login"
