"""How long a login lasts, and ending someone's sessions.

Staff: 30 minutes idle, 8 hours in all; homeowners: 7 days idle, 2 weeks in all (settings
``*_SESSION_IDLE_SECONDS`` / ``*_SESSION_MAX_SECONDS``). Enforced on every request by
accounts.middleware.SessionLifetimeMiddleware from two times kept in the session; durations
are real time (wall clock), like Django's own session expiry.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

LOGIN_AT = "_ilusmart_login_at"
SEEN_AT = "_ilusmart_seen_at"
# The last-seen time is written at most this often, so not every request writes the session.
SEEN_RESOLUTION_SECONDS = 60


@dataclass(frozen=True)
class SessionLimits:
    idle_seconds: int
    max_seconds: int


def session_limits(*, user) -> SessionLimits:
    """The idle and absolute lifetime of ``user``'s sessions."""
    if user.is_staff or user.is_superuser:
        return SessionLimits(settings.STAFF_SESSION_IDLE_SECONDS, settings.STAFF_SESSION_MAX_SECONDS)
    return SessionLimits(settings.HOMEOWNER_SESSION_IDLE_SECONDS, settings.HOMEOWNER_SESSION_MAX_SECONDS)


def session_is_over(*, user, session, now: float | None = None) -> bool:
    """Whether this logged-in session has run past its limits or was ended by a superuser.

    Also stamps the session (start on first sight, last seen) and its expiry when it goes on.
    """
    now = time.time() if now is None else now
    limits = session_limits(user=user)
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT)
    ended = user.sessions_ended_at.timestamp() if user.sessions_ended_at else None
    if login_at is None:
        if ended is not None:
            return True  # a session from before we stamped them, and its user's sessions were ended
        session[LOGIN_AT] = login_at = now
    if ended is not None and login_at <= ended:
        return True
    if now - login_at > limits.max_seconds:
        return True
    if seen_at is not None and now - seen_at > limits.idle_seconds:
        return True
    if seen_at is None or now - seen_at >= SEEN_RESOLUTION_SECONDS:
        session[SEEN_AT] = now
        session.set_expiry(min(limits.idle_seconds, int(login_at + limits.max_seconds - now) + 1))
    return False


def session_login_stamp(sender, request, user, **kwargs) -> None:
    """On every login (Django's user_logged_in, connected in AccountsConfig.ready): the session begins."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT] = request.session[SEEN_AT] = time.time()
        limits = session_limits(user=user)
        request.session.set_expiry(min(limits.idle_seconds, limits.max_seconds))


def user_sessions_end(*, user) -> None:
    """End every session of ``user``, on every device (they must log in again)."""
    user.sessions_ended_at = timezone.now()
    user.save(update_fields=["sessions_ended_at"])
