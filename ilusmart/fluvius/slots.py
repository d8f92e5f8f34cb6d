"""Local days, quarter-hour slots and the one-character quality code of a quarter-hour value.

Fluvius meters are Flemish: a day is a *local* (Europe/Brussels) day. Slot ``i`` of a day is the
``i``-th quarter-hour after the day's local midnight, counted in UTC, so a day has 96 slots, 92
on the last Sunday of March and 100 on the last Sunday of October.

Each value carries one quality character that encodes its validation state and its register
(``-`` marks a missing value):

=====  ===  =====  =====
state  day  night  total
=====  ===  =====  =====
EST    E    e      1
READ   R    r      2
VAL    V    v      3
NVAL   N    n      4
=====  ===  =====  =====

Here because the payload parser builds per-day arrays in this form (``DayReadings``) and
``meters`` stores them as they are; ``meters.quarterhours`` re-exports these names.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from .localtime import BRUSSELS, day_bounds_utc, day_start_utc  # noqa: F401 (re-exported)
from .types import MISSING, Register, ValidationState  # noqa: F401 (MISSING re-exported)

QUARTER = timedelta(minutes=15)
QUARTER_SECONDS = 900

QUALITY_CODES: dict[tuple[ValidationState, Register], str] = {
    (ValidationState.EST, Register.DAY): "E",
    (ValidationState.EST, Register.NIGHT): "e",
    (ValidationState.EST, Register.TOTAL): "1",
    (ValidationState.READ, Register.DAY): "R",
    (ValidationState.READ, Register.NIGHT): "r",
    (ValidationState.READ, Register.TOTAL): "2",
    (ValidationState.VAL, Register.DAY): "V",
    (ValidationState.VAL, Register.NIGHT): "v",
    (ValidationState.VAL, Register.TOTAL): "3",
    (ValidationState.NVAL, Register.DAY): "N",
    (ValidationState.NVAL, Register.NIGHT): "n",
    (ValidationState.NVAL, Register.TOTAL): "4",
}


def slots_in_day(day: date) -> int:
    """Number of quarter-hours in the local day: 96, or 92 / 100 on daylight-saving days."""
    start, end = day_bounds_utc(day)
    return (end - start) // QUARTER


def slots_between(start: date, end: date) -> int:
    """Quarter-hours in the local days ``[start, end)``: the sum of ``slots_in_day`` over them,
    taken at once as the quarter-hours between the two local midnights (0 when ``end <= start``)."""
    if end <= start:
        return 0
    return (day_start_utc(end) - day_start_utc(start)) // QUARTER


class SlotLocator:
    """Maps UTC epoch seconds to ``(local day, slot, slots in that day)``, fast.

    Brussels changes its UTC offset only on whole UTC hours, so everything about a quarter-hour
    follows from its UTC hour; results are cached per hour. Used by the hot loops of the payload
    parser and the ingest.
    """

    __slots__ = ("_by_day", "_by_hour")

    def __init__(self) -> None:
        self._by_hour: dict[int, tuple[date, int, int]] = {}
        self._by_day: dict[date, tuple[date, int, int]] = {}

    def day_of_hour(self, hour: int) -> tuple[date, int, int]:
        """``(local day, epoch seconds of its local midnight, slots in day)`` for a UTC hour."""
        hit = self._by_hour.get(hour)
        if hit is None:
            day = datetime.fromtimestamp(hour * 3600, BRUSSELS).date()
            hit = self.day(day)
            self._by_hour[hour] = hit
        return hit

    def day(self, day: date) -> tuple[date, int, int]:
        """``(day, epoch seconds of its local midnight, slots in day)`` for a local day."""
        hit = self._by_day.get(day)
        if hit is None:
            start, end = day_bounds_utc(day)
            hit = self._by_day[day] = (day, int(start.timestamp()), (end - start) // QUARTER)
        return hit
