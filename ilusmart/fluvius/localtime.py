"""Belgian local days in UTC: the one helper for a Brussels local midnight, imported everywhere.

A leaf module (standard library only), so that ``types`` and ``slots`` can both use it.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")


def day_start_utc(day: date) -> datetime:
    """The UTC instant of ``day``'s local midnight (Europe/Brussels)."""
    return datetime.combine(day, time(0), tzinfo=BRUSSELS).astimezone(UTC)


def day_bounds_utc(day: date) -> tuple[datetime, datetime]:
    """``(start, end)`` in UTC of the local day ``day``; ``end`` is the next local midnight."""
    return day_start_utc(day), day_start_utc(day + timedelta(days=1))
