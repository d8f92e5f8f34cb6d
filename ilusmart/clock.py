"""The project's one clock: every "now" and "today" of the portal, its tasks and the simulator.

Production reads the real time. Tests can move the whole project to another day through one
setting, ``CLOCK_SHIFT`` (a timedelta added to the real time): ``ILUSMART_TODAY=2026-12-26``
makes ilusmart/settings_test.py compute it once and hand it to every subprocess (Celery worker,
Fluvius simulator) through the environment, so they all agree on the date. A test that needs
another day overrides ``settings.CLOCK_SHIFT``; nothing else is patched.

Times that only measure durations with the real world (HTTP Retry-After, token lifetimes,
Django's own session and signing expiry) stay on the real clock on purpose.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
NO_SHIFT = timedelta(0)


def _shift() -> timedelta:
    from django.conf import settings

    return getattr(settings, "CLOCK_SHIFT", NO_SHIFT) if settings.configured else NO_SHIFT


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC) + _shift()


def local_today() -> date:
    """Today's date in Belgium (Europe/Brussels), the date homeowners and Fluvius speak of."""
    return now().astimezone(BRUSSELS).date()


def shift_to(day: date, *, local_time=None, real_now: datetime | None = None) -> timedelta:
    """The shift (whole seconds) that puts the clock at ``local_time`` (default 10:00) in Belgium on ``day``."""
    from datetime import time

    anchor = datetime.combine(day, local_time or time(10, 0), BRUSSELS)
    return timedelta(seconds=round((anchor - (real_now or datetime.now(UTC))).total_seconds()))
