"""Lock-out of failed logins: one mechanism for every login path (django-axes calls these).

Every way in — the portal's login form, the admin's login, the API's token endpoint (issue 11)
— ends in ``django.contrib.auth.authenticate(request, ...)``. axes' backend runs first and asks
``login_refusal`` whether this attempt may be tried at all; a failed attempt comes back through
Django's ``user_login_failed`` signal to ``login_failure_record``. The password-reset pages call
the same two functions (see ``accounts.views.password_reset_confirm``). The axes adapter is
``accounts.lockout``; why it is a custom handler: docs/decisions/0003-login-lockout.md.

Counters live in Redis (the default cache) and are keyed by the **account the identifier
resolves to**, not by the typed string: ``alıce@…``, ``ALICE@…`` and `` alice@…`` all log in as
``alice@…`` (PostgreSQL compares upper-cased), so they must share one counter. Three counters:

* **(account, client IP)**: ``LOGIN_MAX_FAILURES`` failures lock that pair for
  ``LOGIN_LOCKOUT_SECONDS`` (sliding). The owner, from any other address, is not affected.
* **client IP, across accounts** (password spraying): ``LOGIN_IP_MAX_FAILURES`` failures lock
  the address for ``LOGIN_LOCKOUT_SECONDS``.
* **account, across IPs** (a botnet on one account): from ``LOGIN_ACCOUNT_SLOW_AFTER`` failures
  on, each further try must wait a delay that doubles per failure up to
  ``LOGIN_ACCOUNT_SLOW_MAX_SECONDS``. This only slows: the delay is short and bounded, it is
  never a lock-out, and a browser the owner logged in from before (a signed "known device"
  cookie, OWASP's device-cookie pattern) is exempt from it and from the IP lock: it has a
  counter of its own, so a botnet or a neighbour on the same address cannot keep the owner out.

A completed password reset proves control of the mailbox and clears the account's counters.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from accounts.client_ip import client_ip_address
from accounts.selectors import user_for_login

log = logging.getLogger(__name__)

KNOWN_DEVICE_COOKIE = "ilusmart_device"
_KNOWN_DEVICE_SALT = "accounts.login.known-device"
KNOWN_DEVICE_MAX_AGE = 180 * 24 * 3600


@dataclass(frozen=True)
class LoginRefusal:
    """Why an attempt is not even tried, and for how long (seconds) that lasts at most."""

    reason: str  # "locked" (pair or IP) or "slowed" (account across IPs)
    retry_after: int


@dataclass(frozen=True)
class _Client:
    account: str  # "user:<pk>", or a hash of the normalised identifier when no account has it
    ip: str
    device: str | None  # id of a known-device cookie valid for this account


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def login_account_key(*, identifier: str | None) -> str:
    """The counter key of whatever account ``identifier`` logs in as (or would, were it one)."""
    return _account(identifier)[0]


def _account(identifier: str | None):
    """``(counter key, the account or None)`` of ``identifier``."""
    identifier = (identifier or "").strip()
    user = user_for_login(identifier=identifier) if identifier else None
    if user is not None:
        return f"user:{user.pk}", user
    # No account: still one key for every spelling a person (or a script) could type.
    return "id:" + _digest(unicodedata.normalize("NFKC", identifier).casefold()), None


def _password_tag(user) -> str:
    """A short keyed tag of the account's current password hash. A known-device cookie carries
    it, so a new password (changed or reset) makes every browser that knew the old one unknown."""
    return salted_hmac(_KNOWN_DEVICE_SALT, user.password or "", algorithm="sha256").hexdigest()[:16]


def _generation(account: str) -> int:
    return cache.get(f"login:gen:{account}") or 0


def _keys(client: _Client) -> dict[str, str]:
    gen = f"{client.account}:{_generation(client.account)}"
    peer = f"device:{client.device}" if client.device else f"ip:{_digest(client.ip)}"
    return {
        "pair": f"login:pair:{gen}:{peer}",
        "ip": f"login:ip:{_digest(client.ip)}",
        "account": f"login:account:{gen}",
        "slow": f"login:slow:{gen}",
    }


def _client(request, identifier: str | None) -> _Client:
    account, user = _account(identifier)
    return _Client(
        account=account, ip=client_ip_address(request), device=_known_device(request, account, user)
    )


def _known_device(request, account: str, user) -> str | None:
    """The device id of a known-device cookie for ``user``'s account and current password."""
    value = getattr(request, "COOKIES", {}).get(KNOWN_DEVICE_COOKIE)
    if not value or user is None:
        return None
    try:
        data = signing.loads(value, salt=_KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("a") != account or data.get("p") != _password_tag(user):
        return None
    return data.get("d")


def _ttl(key: str, default: int) -> int:
    """Seconds until ``key`` expires (Django's cache API cannot tell; ask Redis)."""
    ttl = cache._cache.get_client(key).ttl(cache.make_and_validate_key(key))
    return int(ttl) if ttl and ttl > 0 else default


def _count(key: str) -> int:
    return cache.get(key) or 0


def _increment(key: str, timeout: int) -> int:
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        value = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
    cache.touch(key, timeout=timeout)  # sliding: hammering on keeps it locked
    return value


def login_refusal(*, request, identifier: str | None) -> LoginRefusal | None:
    """Whether this attempt must be refused without checking the password, and for how long."""
    client = _client(request, identifier)
    keys = _keys(client)
    window = settings.LOGIN_LOCKOUT_SECONDS
    if identifier is None:  # not about an account (a password-reset link): the address only
        if _count(keys["ip"]) >= settings.LOGIN_IP_MAX_FAILURES:
            return LoginRefusal("locked", _ttl(keys["ip"], window))
        return None
    if _count(keys["pair"]) >= settings.LOGIN_MAX_FAILURES:
        return LoginRefusal("locked", _ttl(keys["pair"], window))
    if client.device:
        return None  # the owner's own browser: only its own counter applies
    if _count(keys["ip"]) >= settings.LOGIN_IP_MAX_FAILURES:
        return LoginRefusal("locked", _ttl(keys["ip"], window))
    if cache.get(keys["slow"]):
        return LoginRefusal("slowed", _ttl(keys["slow"], settings.LOGIN_ACCOUNT_SLOW_MAX_SECONDS))
    return None


def login_failure_record(*, request, identifier: str | None) -> None:
    """Count one failed attempt (a wrong password, or a bad reset link when ``identifier`` is None)."""
    client = _client(request, identifier)
    keys = _keys(client)
    window = settings.LOGIN_LOCKOUT_SECONDS
    if identifier is None:  # not an attempt on an account (a bad reset link): the address only
        _increment(keys["ip"], window)
        return
    pair = _increment(keys["pair"], window)
    if client.device:
        log.warning("login failure %d from a known device of %s", pair, client.account)
        return
    per_ip = _increment(keys["ip"], window)
    per_account = _increment(keys["account"], 3600)
    over = per_account - settings.LOGIN_ACCOUNT_SLOW_AFTER
    if over >= 0:
        delay = min(2**over, settings.LOGIN_ACCOUNT_SLOW_MAX_SECONDS)
        cache.set(keys["slow"], 1, timeout=delay)
    log.warning(
        "login failure: account %s, pair %d, address %d, account %d",
        client.account,
        pair,
        per_ip,
        per_account,
    )


def login_success_record(*, request, user) -> None:
    """A successful login: forget this client's failures and remember this browser for the account."""
    account = f"user:{user.pk}"
    client = _Client(
        account=account, ip=client_ip_address(request), device=_known_device(request, account, user)
    )
    cache.delete(_keys(client)["pair"])
    device = client.device or secrets.token_urlsafe(12)
    request.login_known_device = signing.dumps(
        {"a": account, "d": device, "p": _password_tag(user)}, salt=_KNOWN_DEVICE_SALT
    )


def login_lockout_clear(*, user) -> None:
    """Forget every failure counted against ``user``'s account (after a completed password reset)."""
    key = f"login:gen:user:{user.pk}"
    if not cache.add(key, 1, timeout=None):
        cache.incr(key)
