"""Throttles of the API, counted in Redis (Django's default cache): per token and per client IP.

Rates are ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (``API_THROTTLE_*`` in the environment),
read at each request. The client IP is ``accounts.client_ip`` (our trusted proxies only), as for
the login lock-out and the pages' rate limits. Over a rate: 429 with ``Retry-After``.

The rule is DRF's ``SimpleRateThrottle`` (a sliding window: the instants of the requests of the
last period, refused once the rate's number are in it, a refused request not logged; the same
``wait()``), but each log is a Redis sorted set checked and written by one Lua script, and every
throttle of a request is checked in that one script (``ThrottleOnceMixin``): one round trip,
atomic, instead of DRF's get and set of a pickled list per throttle (four round trips for
the two throttles, and two concurrent requests could both read the same list and log only one).
"""

import hashlib
import secrets

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.client_ip import client_ip_address
from accounts.models import ApiToken
from ilusmart.cache_redis import redis_script_run

# KEYS[i]: the log of throttle i, a sorted set of request instants (seconds since the epoch).
# ARGV[1]: now; ARGV[2]: a member unique to this request; then per key: limit, window (seconds)
# and the cut-off now - window (computed in Python, exactly as DRF compares floats).
# Per key, as SimpleRateThrottle.allow_request: drop the instants <= cut-off; refuse when
# ``limit`` remain, else log now. Returns per key {1}, or {0, count, oldest instant or ''}.
_TAKE = """
local result = {}
for i, key in ipairs(KEYS) do
  local limit, window, cutoff = tonumber(ARGV[3 * i]), ARGV[3 * i + 1], ARGV[3 * i + 2]
  redis.call('ZREMRANGEBYSCORE', key, '-inf', cutoff)
  local count = redis.call('ZCARD', key)
  if count >= limit then
    result[i] = {0, count, redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2] or ''}
  else
    redis.call('ZADD', key, ARGV[1], ARGV[2])
    redis.call('EXPIRE', key, window)
    result[i] = {1}
  end
end
return result
"""


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:24]


class _Throttle(SimpleRateThrottle):
    # Not DRF's "throttle_%(scope)s_%(ident)s": those keys held pickled lists, not sorted sets.
    cache_format = "throttle_log_%(scope)s_%(ident)s"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def key(self, ident: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": _digest(ident)}

    def allow_request(self, request, view):
        return throttles_take([self], request, view) == []


def throttles_take(throttles, request, view) -> list[float | None]:
    """Count this request against each of ``throttles`` (``_Throttle``s), in one round trip.

    Returns the ``wait()`` of each throttle that refused it (empty: allowed by all).
    """
    now = SimpleRateThrottle.timer()
    checked, keys, args = [], [], [repr(now), f"{now!r}:{secrets.token_hex(6)}"]
    for throttle in throttles:
        if throttle.rate is None:
            continue
        key = throttle.get_cache_key(request, view)
        if key is None:
            continue
        throttle.now = now
        checked.append(throttle)
        keys.append(throttle.cache.make_and_validate_key(key))
        args += [throttle.num_requests, throttle.duration, repr(now - throttle.duration)]
    if not checked:
        return []
    answers = redis_script_run(_TAKE, keys=keys, args=args)
    waits = []
    for throttle, answer in zip(checked, answers, strict=True):
        if answer[0] != 1:
            count, oldest = int(answer[1]), answer[2]
            # What DRF's wait() reads: the length of the log and its oldest instant.
            throttle.history = [None] * (count - 1) + [float(oldest)] if oldest else []
            waits.append(throttle.wait())
    return waits


class ThrottleOnceMixin:
    """Checks every throttle of the view in one Redis round trip (as DRF's ``check_throttles``:
    every throttle counts the request it allows, the longest wait goes into the 429)."""

    def check_throttles(self, request):
        throttles = self.get_throttles()
        if not all(isinstance(throttle, _Throttle) for throttle in throttles):
            return super().check_throttles(request)
        waits = throttles_take(throttles, request, self)
        if waits:
            self.throttled(request, max((w for w in waits if w is not None), default=None))
        return None


class TokenThrottle(_Throttle):
    """Per token (each device its own budget), or per user for the website's session."""

    scope = "api_token"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            return self.key(f"token:{request.auth.pk}")
        if request.user and request.user.is_authenticated:
            return self.key(f"user:{request.user.pk}")
        return None


class WhatIfThrottle(_Throttle):
    """Per person, over all their devices and the website: for the endpoints that simulate a year
    (about a tenth of a second of a core each), so one account cannot keep a core busy."""

    scope = "api_whatif"

    def get_cache_key(self, request, view):
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
