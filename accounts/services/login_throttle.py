"""Rate limiting of failed logins, per (account, client IP) pair, kept in Redis.

Keying on the pair means an attacker hammering an account from one address locks only
that address out: the owner can still log in from home.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(*, email: str, ip: str) -> str:
    digest = hashlib.sha256(f"{email.strip().lower()}|{ip}".encode()).hexdigest()
    return f"login-failures:{digest}"


def login_is_locked(*, email: str, ip: str) -> bool:
    """True while this account may not be tried again from this IP."""
    return (cache.get(_key(email=email, ip=ip)) or 0) >= settings.LOGIN_MAX_FAILURES


def login_failure_record(*, email: str, ip: str) -> int:
    """Count one failed login for (email, ip); return the count in the current window."""
    key = _key(email=email, ip=ip)
    if cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)
        return 1


def login_failures_clear(*, email: str, ip: str) -> None:
    """Forget the failures of (email, ip) after a successful login."""
    cache.delete(_key(email=email, ip=ip))


def client_ip(request) -> str:
    """The client's IP address; X-Forwarded-For only when a trusted proxy sets it."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")
