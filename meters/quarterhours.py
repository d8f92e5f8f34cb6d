"""Local days, quarter-hour slots and the per-slot quality code of stored readings.

The slot arithmetic (92/96/100 slots per local day) and the quality-code table are defined once,
in ``ilusmart.fluvius.slots``; this module re-exports them for ``meters`` and adds what only the
stored readings need: a second set of codes for values that came from a CSV import.

Where a stored value came from is part of its quality character. Fluvius's codes (``E e 1 R r 2
V v 3 N n 4``, table in ``ilusmart.fluvius.slots``) mark values delivered by the Fluvius API;
the codes below mark values a homeowner (or support for them) imported from a Mijn Fluvius CSV
file:

=====  ===  =====  =====
state  day  night  total
=====  ===  =====  =====
EST    X    x      5
READ   Y    y      6
VAL    Z    z      7
NVAL   W    w      8
=====  ===  =====  =====

Every Fluvius code ranks above every imported code (``QUALITY_RANK``), so the ingest's one rule
("a lower rank never replaces a stored value") gives: an import only fills quarter-hours Fluvius
has not delivered and never replaces a Fluvius value, even an estimate; a Fluvius value replaces
an imported one; between two imports (or two Fluvius values) EST < READ = NVAL < VAL decides.
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
    slots_between,
    slots_in_day,
)
from ilusmart.fluvius.types import Register, ValidationState

__all__ = [
    "BRUSSELS",
    "DAY_CODES",
    "ESTIMATED_CODES",
    "FLUVIUS_RANK",
    "IMPORTED_CODES",
    "IMPORTED_CODE_SET",
    "MISSING",
    "NIGHT_CODES",
    "QUALITY_CODES",
    "QUALITY_DECODE",
    "QUALITY_RANK",
    "QUARTER",
    "QUARTER_SECONDS",
    "SOURCE_BOTH",
    "SOURCE_FLUVIUS",
    "SOURCE_IMPORT",
    "SlotLocator",
    "TOTAL_CODES",
    "day_bounds_utc",
    "day_start_utc",
    "local_date",
    "slot_start_utc",
    "slots_between",
    "slots_in_day",
    "source_of",
]

# Where stored values came from: the Fluvius API, a CSV import, or (a day, month…) both.
SOURCE_FLUVIUS = "fluvius"
SOURCE_IMPORT = "import"
SOURCE_BOTH = "both"

_IMPORTED_LETTERS = {
    ValidationState.EST: ("X", "x", "5"),
    ValidationState.READ: ("Y", "y", "6"),
    ValidationState.VAL: ("Z", "z", "7"),
    ValidationState.NVAL: ("W", "w", "8"),
}
IMPORTED_CODES: dict[tuple[ValidationState, Register], str] = {
    (state, register): letters[index]
    for state, letters in _IMPORTED_LETTERS.items()
    for index, register in enumerate((Register.DAY, Register.NIGHT, Register.TOTAL))
}
IMPORTED_CODE_SET = frozenset(IMPORTED_CODES.values())
_STORED_CODES = {**{c: k for k, c in QUALITY_CODES.items()}, **{c: k for k, c in IMPORTED_CODES.items()}}
assert len(_STORED_CODES) == len(QUALITY_CODES) + len(IMPORTED_CODES)  # no code used twice
assert MISSING not in _STORED_CODES

QUALITY_DECODE: dict[str, tuple[ValidationState, Register]] = _STORED_CODES
# Rank of a stored code: imported values 1–3 by state, Fluvius values the same plus FLUVIUS_RANK
# (above every import); a missing slot ranks below everything so any value fills it.
FLUVIUS_RANK = 10
QUALITY_RANK: dict[str, int] = (
    {c: state.rank + FLUVIUS_RANK for (state, _), c in QUALITY_CODES.items()}
    | {c: state.rank for (state, _), c in IMPORTED_CODES.items()}
    | {MISSING: 0}
)
DAY_CODES = frozenset(c for c, (_, reg) in _STORED_CODES.items() if reg is Register.DAY)
NIGHT_CODES = frozenset(c for c, (_, reg) in _STORED_CODES.items() if reg is Register.NIGHT)
TOTAL_CODES = frozenset(c for c, (_, reg) in _STORED_CODES.items() if reg is Register.TOTAL)
ESTIMATED_CODES = tuple(c for c, (state, _) in _STORED_CODES.items() if state is ValidationState.EST)


def source_of(values: int, imported: int) -> str | None:
    """Where ``values`` stored values came from when ``imported`` of them were imported; None if none."""
    if not values:
        return None
    if not imported:
        return SOURCE_FLUVIUS
    return SOURCE_IMPORT if imported >= values else SOURCE_BOTH


def slot_start_utc(day: date, slot: int) -> datetime:
    """UTC start of quarter-hour ``slot`` (0-based) of the local day ``day``."""
    return day_start_utc(day) + slot * QUARTER


def local_date(instant: datetime) -> date:
    """The Europe/Brussels calendar date of an aware instant."""
    return instant.astimezone(BRUSSELS).date()
