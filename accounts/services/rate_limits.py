"""Rate limits: fixed-window counters per user and per client address, in Redis (Django's cache).

Each limited action (``settings.RATE_LIMITS``: sign-up, password reset, email and password
change, meter connect, the mandate return page, export, import) allows so many attempts per
window, counted for the logged-in user and for the client address separately; the first over
either raises ``RateLimited`` (kind ``rate_limited``: views answer 429 with ``Retry-After``,
``accounts.decorators.rate_limited``). ``mail_quota_take`` caps the mails about an account that
go to one address per hour.

Why our own ~60 lines and not django-ratelimit: the refusal must be our ``ApplicationError`` (a
429 page in the site's layout with Retry-After, the same error the API will translate), not a
``PermissionDenied`` (403) to remap in a middleware; the mail cap is counted inside services,
where there is no request for its key functions; and the client address must come from
``accounts.client_ip`` (trusted proxies), as for the login lock-out. What it needs is two Redis
commands per counter (``SET NX EX``, then ``INCR``), which is all this is: every counter of an
attempt (per user and per address) in one Lua script, so one round trip, atomic (through the
cache's API it took three per counter: ``add``, and ``incr``'s ``EXISTS`` and ``INCR``).

Windows are fixed (aligned on multiples of their length since the epoch, by the project clock):
a burst across a window boundary may reach twice a limit, which is acceptable for these limits,
and a refused attempt still counts, so hammering on does not open the next window earlier.
Keys carry a hash of the user id or address, never the address itself.
"""

from __future__ import annotations

import hashlib
import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from ilusmart import clock, errors
from ilusmart.cache_redis import redis_script_run
from ilusmart.errors import ApplicationError

log = logging.getLogger(__name__)

MAIL_WINDOW_SECONDS = 3600


class RateLimited(ApplicationError):
    """Too many attempts at an action in its window; ``retry_after`` says in how many seconds it opens."""

    kind = errors.RATE_LIMITED
    default_code = "rate_limited"

    @property
    def retry_after(self) -> int:
        return int(self.extra.get("retry_after", 60))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:24]


# KEYS: counters; ARGV[1]: their time-out in seconds. Each is created at 0 with that time-out if
# absent, then counted up; returns the new counts. Atomic: a counter cannot expire in between.
_INCREMENT = """
local counts = {}
for i, key in ipairs(KEYS) do
  redis.call('SET', key, 0, 'EX', ARGV[1], 'NX')
  counts[i] = redis.call('INCR', key)
end
return counts
"""


def _increment(keys: list[str], timeout: int) -> list[int]:
    """Add one to each of ``keys`` (created at 0 with ``timeout`` if absent), in one round trip;
    the new counts. The keys are the cache's (its prefix and version), as ``cache.get`` reads them."""
    if not keys:
        return []
    full = [cache.make_and_validate_key(key) for key in keys]
    return [int(n) for n in redis_script_run(_INCREMENT, keys=full, args=[timeout])]


def _window(seconds: int) -> tuple[int, int]:
    """(index of the current window, seconds until it ends) for windows of ``seconds``."""
    now = clock.now().timestamp()
    index = int(now // seconds)
    return index, max(1, int((index + 1) * seconds - now) + 1)


def rate_limit_take(*, action: str, user_id: int | None = None, ip: str | None = None) -> None:
    """Count one attempt at ``action`` by ``user_id`` from ``ip``; ``RateLimited`` once over a limit.

    Either may be None (an anonymous visitor has no user id); ``settings.RATE_LIMITS[action]``
    says which of the two are limited and how much.
    """
    limit = settings.RATE_LIMITS[action]
    seconds = int(limit["seconds"])
    index, retry_after = _window(seconds)
    sides, keys = [], []
    for side, who in (("user", user_id), ("ip", ip)):
        if limit.get(side) is None or who in (None, ""):
            continue
        sides.append(side)
        keys.append(f"ratelimit:{action}:{side}:{_digest(str(who))}:{index}")
    counts = _increment(keys, seconds + 1)
    over = [side for side, count in zip(sides, counts, strict=True) if count > limit[side]]
    if over:
        log.warning("rate limit: %s refused (over the %s limit), user %s", action, "+".join(over), user_id)
        raise RateLimited(
            _("Je hebt dit te vaak na elkaar geprobeerd. Wacht even en probeer het dan opnieuw."),
            extra={"retry_after": retry_after, "action": action},
        )


def mail_quota_take(*, address: str) -> bool:
    """Whether one more account mail may go to ``address`` this hour (counting it if so).

    ``settings.MAIL_MAX_PER_ADDRESS_PER_HOUR`` per address, in any spelling of it (case, spaces).
    The caller drops the mail when this is False: the person who asked sees the same page either
    way, so the cap tells nobody anything.
    """
    index, _retry = _window(MAIL_WINDOW_SECONDS)
    key = f"mailcap:{_digest(address.strip().casefold())}:{index}"
    (count,) = _increment([key], MAIL_WINDOW_SECONDS + 1)
    if count > settings.MAIL_MAX_PER_ADDRESS_PER_HOUR:
        log.warning("mail cap: mail %d this hour to one address dropped", count)
        return False
    return True


# --- At most N at a time (a download that streams for a while) ------------------------------------


class RunningSlot:
    """One of an action's ``limit`` places for a user, held until ``release`` (or its time-out)."""

    def __init__(self, key: str, token: str):
        self.key, self.token = key, token

    def release(self) -> None:
        if cache.get(self.key) == self.token:
            cache.delete(self.key)

    def held_while(self, iterable):
        """Yield from ``iterable``; release the place when it ends or is closed (a client gone)."""
        try:
            yield from iterable
        finally:
            self.release()


def running_slot_take(*, action: str, user_id: int) -> RunningSlot:
    """One of the ``settings.RUNNING_LIMITS[action]`` places of ``user_id``, or ``RateLimited``.

    A place frees itself after ``seconds`` even if its holder dies without releasing it.
    """
    limit = settings.RUNNING_LIMITS[action]
    token = secrets.token_hex(8)
    for place in range(int(limit["at_once"])):
        key = f"running:{action}:{_digest(str(user_id))}:{place}"
        if cache.add(key, token, timeout=int(limit["seconds"])):
            return RunningSlot(key, token)
    log.warning("running limit: %s refused (%s at once), user %s", action, limit["at_once"], user_id)
    raise RateLimited(
        _("Je hebt al %(count)d downloads lopen. Wacht tot er een klaar is en probeer het dan opnieuw.")
        % {"count": int(limit["at_once"])},
        code="running_limit",
        extra={"retry_after": 30, "action": action},
    )
