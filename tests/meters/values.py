"""Build parsed quarter-hour values for the meters tests."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

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
