"""How long a login lasts, the list of a user's logged-in browsers, and ending sessions.

Staff: 30 minutes idle, 8 hours in all; homeowners: 7 days idle, 2 weeks in all (settings
``*_SESSION_IDLE_SECONDS`` / ``*_SESSION_MAX_SECONDS``). Enforced on every request by
accounts.middleware.SessionLifetimeMiddleware from two times kept in the session; durations
are real time (wall clock), like Django's own session expiry.

Each logged-in browser has a ``UserSession`` row (written at login, its last-seen time at most
once a minute, removed at logout), so a homeowner can see their sessions and log out the others
(``user_sessions_end_others``): that deletes those sessions from the session store, so their
next request is anonymous. A session from before these rows existed is adopted at its next
request; ``sessions_ended_at`` ends any such session that was not adopted yet.
"""

from __future__ import annotations

import ipaddress
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.models import UserSession

LOGIN_AT = "_ilusmart_login_at"
SEEN_AT = "_ilusmart_seen_at"
# Set once the session has its UserSession row: from then on, deleting the row's session ends it.
TRACKED = "_ilusmart_tracked"
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
    if ended is not None and login_at <= ended and not session.get(TRACKED):
        return True  # tracked sessions are ended by deleting them (user_sessions_end*)
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


def session_login_record(sender, request, user, **kwargs) -> None:
    """On every login (user_logged_in, after session_login_stamp): this browser's row in the list."""
    if request is not None and hasattr(request, "session"):
        from accounts.client_ip import client_ip_address

        session_seen(
            user=user,
            session=request.session,
            ip=client_ip_address(request),
            user_agent=request.headers.get("User-Agent", ""),
            force=True,
        )


def session_logout_forget(sender, request, user, **kwargs) -> None:
    """On logout (user_logged_out): the row goes with the session."""
    if request is not None and hasattr(request, "session"):
        session_forget(session_key=request.session.session_key)


def user_sessions_end(*, user) -> None:
    """End every session of ``user``, on every device (they must log in again)."""
    user.sessions_ended_at = timezone.now()
    user.save(update_fields=["sessions_ended_at"])
    _sessions_delete(UserSession.objects.filter(user=user))


def user_sessions_end_others(*, user, keep_session_key: str) -> int:
    """Log out every session of ``user`` except ``keep_session_key`` (this browser's); how many.

    Sessions not adopted yet (from before the list existed) end too, through ``sessions_ended_at``;
    this one is adopted, so it stays.
    """
    user.sessions_ended_at = timezone.now()
    user.save(update_fields=["sessions_ended_at"])
    return _sessions_delete(UserSession.objects.filter(user=user).exclude(session_key=keep_session_key))


def sessions_expired_delete() -> int:
    """Delete the logins that can no longer be alive and their rows; how many rows went.

    A login is over once it began more than the longest login ago or was idle longer than the
    longest idle time (staff or homeowner, whichever is longer: the row does not say which).
    """
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    now = timezone.now()
    began = now - timedelta(
        seconds=max(settings.STAFF_SESSION_MAX_SECONDS, settings.HOMEOWNER_SESSION_MAX_SECONDS)
    )
    seen = now - timedelta(
        seconds=max(settings.STAFF_SESSION_IDLE_SECONDS, settings.HOMEOWNER_SESSION_IDLE_SECONDS)
    )
    return _sessions_delete(UserSession.objects.filter(Q(created_at__lt=began) | Q(last_seen_at__lt=seen)))


def _sessions_delete(rows) -> int:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def session_seen(*, user, session, ip: str, user_agent: str, force: bool = False) -> None:
    """Write this session's row: created at login (or at first sight), last seen once a minute.

    Call after ``session_is_over`` (which refreshes ``SEEN_AT`` at most once a minute).
    """
    if session.session_key is None:
        session.save()
    seen = datetime.fromtimestamp(session.get(SEEN_AT) or time.time(), UTC)
    if session.get(TRACKED) and not force:
        UserSession.objects.filter(session_key=session.session_key, last_seen_at__lt=seen).update(
            last_seen_at=seen
        )
        return
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={"user": user, "last_seen_at": seen},
        create_defaults={
            "user": user,
            "last_seen_at": seen,
            "created_at": datetime.fromtimestamp(session.get(LOGIN_AT) or time.time(), UTC),
            "ip_prefix": ip_shorten(ip),
            "device": device_label(user_agent),
        },
    )
    session[TRACKED] = True


def session_rekey(*, old_key: str | None, new_key: str | None) -> None:
    """The session got a new key (Django cycles it on a password change): its row follows."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def session_forget(*, session_key: str | None) -> None:
    """The session logged out: drop its row."""
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def ip_shorten(ip: str) -> str:
    """The network of ``ip`` (/24 for IPv4, /48 for IPv6), e.g. ``203.0.113.…``: enough to recognise."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    if address.version == 4:
        return ".".join(str(address).split(".")[:3]) + ".…"
    network = ipaddress.ip_network(f"{address}/48", strict=False)
    return str(network.network_address).rstrip(":") + ":…"


_BROWSERS = (
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/"),
    ("Safari", r"Safari/"),
)
_SYSTEMS = (
    ("iPhone", r"iPhone"),
    ("iPad", r"iPad"),
    ("Android", r"Android"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("Linux", r"Linux"),
)


def device_label(user_agent: str) -> str:
    """ "Firefox · Windows" from a User-Agent (a label to recognise a browser; the string is not kept)."""
    user_agent = (user_agent or "")[:512]
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, user_agent)), "")
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, user_agent)), "")
    return " · ".join(part for part in (browser, system) if part)
