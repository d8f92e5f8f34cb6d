"""Build parsed quarter-hour values for the meters tests."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from ilusmart.fluvius.types import Direction, QuarterHourValue, Register, ValidationState

QUARTER = timedelta(minutes=15)


def utc(text: str) -> datetime:
    """'2025-06-14T10:00' -> aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def qh(start, direction="offtake", kwh="0.100", state="VAL", register="day", end=None) -> QuarterHourValue:
    """One value; ``start`` as an aware datetime or 'YYYY-MM-DDTHH:MM' (UTC); ``kwh=None`` = missing."""
    if isinstance(start, str):
        start = utc(start)
    return QuarterHourValue(
        start=start,
        end=end or start + QUARTER,
        direction=Direction(direction),
        register=Register(register),
        kwh=None if kwh is None else Decimal(kwh),
        state=None if state is None else ValidationState(state),
    )


def day_values(first_start: datetime, slots: int, offtake=None, injection=None, state="VAL", register="day"):
    """Values for ``slots`` consecutive quarter-hours; ``offtake``/``injection`` map slot -> kWh str.

    A slot not in the mapping gets '0.000'; a mapping value None makes that slot missing.
    """
    values = []
    for i in range(slots):
        start = first_start + i * QUARTER
        for direction, mapping in (("offtake", offtake or {}), ("injection", injection or {})):
            kwh = mapping.get(i, "0.000")
            values.append(qh(start, direction, kwh, state if kwh is not None else None, register))
    return values


# --- Local days, worked out by the tests themselves --------------------------------------------
# Test data is written with zoneinfo directly, not with meters.quarterhours, so that a wrong slot
# count in the code cannot also shape the data it is checked against. Expected period boundaries
# and quarter-hour counts are written out as literals in the tests.

BRUSSELS = ZoneInfo("Europe/Brussels")


def local_midnight_utc(day: date) -> datetime:
    """The UTC instant of local midnight at the start of ``day`` in Brussels."""
    return datetime.combine(day, time(0), BRUSSELS).astimezone(UTC)


def quarter_hours_in(day: date) -> int:
    """Quarter-hours between this local midnight and the next (92, 96 or 100)."""
    return (local_midnight_utc(day + timedelta(days=1)) - local_midnight_utc(day)) // QUARTER
