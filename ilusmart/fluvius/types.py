"""Typed values parsed from Fluvius payloads, shared by the client, the simulator and meters."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


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
