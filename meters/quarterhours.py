"""Local days, quarter-hour slots and the per-slot quality code of stored readings.

The slot arithmetic (92/96/100 slots per local day) and the quality-code table are defined once,
in ``ilusmart.fluvius.slots``; this module re-exports them for ``meters`` and adds what only the
stored readings need.
"""

from __future__ import annotations

from datetime import date, datetime

# The day/slot arithmetic and the quality code live beside the payload parser, which builds
# per-day arrays in this form; re-exported here for the rest of ``meters``.
from ilusmart.fluvius.slots import (
    BRUSSELS,
    MISSING,
    QUALITY_CODES,
    QUARTER,
    QUARTER_SECONDS,
    SlotLocator,
    day_bounds_utc,
    day_start_utc,
    slots_in_day,
)
from ilusmart.fluvius.types import Register, ValidationState

__all__ = [
    "BRUSSELS",
    "DAY_CODES",
    "ESTIMATED_CODES",
    "MISSING",
    "NIGHT_CODES",
    "QUALITY_CODES",
    "QUALITY_DECODE",
    "QUALITY_RANK",
    "QUARTER",
    "QUARTER_SECONDS",
    "SlotLocator",
    "day_bounds_utc",
    "day_start_utc",
    "local_date",
    "slot_start_utc",
    "slots_in_day",
]

QUALITY_DECODE: dict[str, tuple[ValidationState, Register]] = {c: k for k, c in QUALITY_CODES.items()}
# Rank of a stored code; a missing slot ranks below everything so any value fills it.
QUALITY_RANK: dict[str, int] = {c: state.rank for (state, _), c in QUALITY_CODES.items()} | {MISSING: 0}
DAY_CODES = frozenset(c for (_, reg), c in QUALITY_CODES.items() if reg is Register.DAY)
NIGHT_CODES = frozenset(c for (_, reg), c in QUALITY_CODES.items() if reg is Register.NIGHT)
ESTIMATED_CODES = tuple(c for (state, _), c in QUALITY_CODES.items() if state is ValidationState.EST)


def slot_start_utc(day: date, slot: int) -> datetime:
    """UTC start of quarter-hour ``slot`` (0-based) of the local day ``day``."""
    return day_start_utc(day) + slot * QUARTER


def local_date(instant: datetime) -> date:
    """The Europe/Brussels calendar date of an aware instant."""
    return instant.astimezone(BRUSSELS).date()
