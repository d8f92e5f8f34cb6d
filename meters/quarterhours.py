"""Local days, quarter-hour slots and the per-slot quality code of stored readings.

Readings are stored per meter and *local* (Europe/Brussels) day. Slot ``i`` of a day is the
``i``-th quarter-hour after the day's local midnight, counted in UTC, so a day has 96 slots, 92
on the last Sunday of March and 100 on the last Sunday of October.

Each stored value carries one quality character that encodes its validation state and its
register (the ``-`` character marks a missing value):

=====  ===  =====  =====
state  day  night  total
=====  ===  =====  =====
EST    E    e      1
READ   R    r      2
VAL    V    v      3
NVAL   N    n      4
=====  ===  =====  =====
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ilusmart.fluvius.types import Register, ValidationState

BRUSSELS = ZoneInfo("Europe/Brussels")
QUARTER = timedelta(minutes=15)
QUARTER_SECONDS = 900

MISSING = "-"

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
QUALITY_DECODE: dict[str, tuple[ValidationState, Register]] = {c: k for k, c in QUALITY_CODES.items()}
# Rank of a stored code; a missing slot ranks below everything so any value fills it.
QUALITY_RANK: dict[str, int] = {c: state.rank for (state, _), c in QUALITY_CODES.items()} | {MISSING: 0}
DAY_CODES = frozenset(c for (_, reg), c in QUALITY_CODES.items() if reg is Register.DAY)
NIGHT_CODES = frozenset(c for (_, reg), c in QUALITY_CODES.items() if reg is Register.NIGHT)
ESTIMATED_CODES = tuple(c for (state, _), c in QUALITY_CODES.items() if state is ValidationState.EST)


def day_start_utc(day: date) -> datetime:
    """The UTC instant of ``day``'s local midnight (Europe/Brussels)."""
    return datetime.combine(day, time(0), tzinfo=BRUSSELS).astimezone(UTC)


def day_bounds_utc(day: date) -> tuple[datetime, datetime]:
    """``(start, end)`` in UTC of the local day ``day``; ``end`` is the next local midnight."""
    return day_start_utc(day), day_start_utc(day + timedelta(days=1))


def slots_in_day(day: date) -> int:
    """Number of quarter-hours in the local day: 96, or 92 / 100 on daylight-saving days."""
    start, end = day_bounds_utc(day)
    return (end - start) // QUARTER


def slot_start_utc(day: date, slot: int) -> datetime:
    """UTC start of quarter-hour ``slot`` (0-based) of the local day ``day``."""
    return day_start_utc(day) + slot * QUARTER


def local_date(instant: datetime) -> date:
    """The Europe/Brussels calendar date of an aware instant."""
    return instant.astimezone(BRUSSELS).date()


class SlotLocator:
    """Maps UTC epoch seconds to ``(local day, slot, slots in that day)``, fast.

    Brussels changes its UTC offset only on whole UTC hours, so everything about a quarter-hour
    follows from its UTC hour; results are cached per hour. Used by the ingest hot loop.
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
            hit = self._by_day.get(day)
            if hit is None:
                start, end = day_bounds_utc(day)
                hit = self._by_day[day] = (day, int(start.timestamp()), (end - start) // QUARTER)
            self._by_hour[hour] = hit
        return hit
