"""Typed values parsed from Fluvius payloads, shared by the client, the simulator and meters."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from .localtime import day_start_utc

MISSING = "-"  # the quality character of a missing value (table in ilusmart.fluvius.slots)


class Direction(StrEnum):
    OFFTAKE = "offtake"
    INJECTION = "injection"


class Register(StrEnum):
    DAY = "day"
    NIGHT = "night"
    TOTAL = "total"


class ValidationState(StrEnum):
    """Quality of a value. Ranked EST < READ < VAL; NVAL (not validated) ranks with READ."""

    EST = "EST"
    READ = "READ"
    VAL = "VAL"
    NVAL = "NVAL"

    @property
    def rank(self) -> int:
        return {"EST": 1, "READ": 2, "NVAL": 2, "VAL": 3}[self.value]


@dataclass(frozen=True, slots=True)
class QuarterHourValue:
    """One direction of one quarter-hour. `kwh is None` means missing (never zero)."""

    start: datetime  # aware, UTC
    end: datetime  # aware, UTC, start + 15 min
    direction: Direction
    register: Register
    kwh: Decimal | None
    state: ValidationState | None


@dataclass(frozen=True, slots=True)
class DayReadings:
    """One local (Europe/Brussels) day of quarter-hour values, both directions, as columns.

    The form the payload parser hands to the ingest instead of one ``QuarterHourValue`` per
    value (docs/decisions/0001-readings-storage-layout.md). Slot ``i`` is the ``i``-th
    quarter-hour after local midnight, so each list and string has 92, 96 or 100 elements.
    ``*_wh`` holds whole Wh (``None`` = missing, never 0); ``*_quality`` one character per slot
    for state and register, ``-`` where the value is missing (table in ``ilusmart.fluvius.slots``).
    Treat the lists as read-only.
    """

    day: date
    offtake_wh: list[int | None]
    injection_wh: list[int | None]
    offtake_quality: str
    injection_quality: str

    def last_value_end(self) -> datetime | None:
        """End (aware UTC) of the day's last quarter-hour with a value in either direction."""
        slots = max(len(self.offtake_quality.rstrip(MISSING)), len(self.injection_quality.rstrip(MISSING)))
        if not slots:
            return None
        return day_start_utc(self.day) + timedelta(minutes=15 * slots)


@dataclass(frozen=True, slots=True)
class Mandate:
    """A mandate as Fluvius reports it (GET /api/mandate)."""

    reference_number: str
    ean: str
    status: str  # Requested | Approved | Rejected | Finished
    energy_type: str
    data_service_type: str
    data_period_from: datetime | None
    data_period_to: datetime | None
    expiration_date: datetime | None
    renewal_status: str | None


@dataclass(frozen=True, slots=True)
class MandateList:
    """The answer to one ``GET /api/mandate``: its mandates and when Fluvius read them.

    ``fetched_at`` (aware, UTC) is the response's ``_meta.fetchTime``, Fluvius's own clock, so
    the next incremental poll's ``lastUpdatedFrom`` needs no guess about clock skew; when the
    answer carries no usable fetch time it is the project clock's time of receipt.
    """

    mandates: tuple[Mandate, ...]
    fetched_at: datetime
