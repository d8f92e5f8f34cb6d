"""Deterministic meter data for the Fluvius simulator.

Every local (Europe/Brussels) day of every EAN is generated on its own from a random generator
seeded with ``"{ean}:{date}"``, so any day can be computed independently, in any order, and always
gives the same numbers. Energy is kept in integer Wh (= kWh with 3 decimals).

A day's life at the simulator clock (see the contract, "The simulator"):

- before 06:00 local on D+1 it is *unpublished* (absent from the API, empty in the truth);
- then it is *published*: values ``READ``, about 1 % of them ``EST`` with a slightly different
  value, about 0.2 % of the quarter-hours missing;
- from 00:00 local on D+6 (D is more than 5 days before the clock's local date) it is
  *validated*: every value ``VAL`` with its true value. Missing quarter-hours stay missing.
"""

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
QUARTER = timedelta(minutes=15)

UNPUBLISHED = "unpublished"
PUBLISHED = "published"
VALIDATED = "validated"

# Average PV yield in kWh per kWp per day for each month in Flanders (about 970 kWh/kWp a year).
PV_KWH_PER_KWP_DAY = (0.7, 1.4, 2.5, 3.7, 4.3, 4.6, 4.5, 3.9, 3.0, 1.8, 0.9, 0.55)
MISSING_PROBABILITY = 0.002
EST_PROBABILITY = 0.01
DEFAULT_INSTALL_DATE = date(2020, 1, 1)


@dataclass(frozen=True, slots=True)
class MeterProfile:
    """What the simulator knows about one EAN's meter (registered or derived from the EAN)."""

    ean: str
    energy_type: str = "E"
    has_pv: bool = True
    kwp: float = 5.0
    meter_id: str = ""
    install_date: date = DEFAULT_INSTALL_DATE
    pv_failure_from: date | None = None
    pv_failure_to: date | None = None  # exclusive

    def pv_failed_on(self, day: date) -> bool:
        """True when the PV produces nothing on local date ``day``."""
        if self.pv_failure_from is None:
            return False
        return self.pv_failure_from <= day and (self.pv_failure_to is None or day < self.pv_failure_to)


@dataclass(frozen=True, slots=True)
class QuarterHour:
    """One generated quarter-hour. ``offtake_wh is None`` means the slice is missing."""

    start: datetime
    end: datetime
    start_iso: str
    end_iso: str
    register: str  # "day" | "night"
    offtake_wh: int | None
    injection_wh: int | None
    offtake_est_wh: int | None  # the value first served as EST, or None
    injection_est_wh: int | None


def iso_z(moment: datetime) -> str:
    """Spell an aware datetime as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC."""
    # isoformat() is an order of magnitude faster than strftime(); this runs per quarter-hour.
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()[:-6] + "Z"


def local_date_of(moment: datetime) -> date:
    """The Europe/Brussels calendar date of an aware instant."""
    return moment.astimezone(BRUSSELS).date()


def local_midnight(day: date) -> datetime:
    """The UTC instant at which local date ``day`` starts."""
    return datetime.combine(day, time(0), tzinfo=BRUSSELS).astimezone(UTC)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """UTC start (inclusive) and end (exclusive) of local date ``day``."""
    return local_midnight(day), local_midnight(day + timedelta(days=1))


def publication_time(day: date) -> datetime:
    """When local day ``day`` is published: 06:00 local on the next day, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(6), tzinfo=BRUSSELS).astimezone(UTC)


def validation_time(day: date) -> datetime:
    """When the EST values of ``day`` become VAL: local midnight starting day + 6, in UTC."""
    return local_midnight(day + timedelta(days=6))


def day_phase(day: date, now: datetime) -> str:
    """``unpublished``, ``published`` or ``validated`` for local day ``day`` at clock ``now``."""
    if now < publication_time(day):
        return UNPUBLISHED
    if now < validation_time(day):
        return PUBLISHED
    return VALIDATED


def last_change_time(day: date, now: datetime) -> datetime | None:
    """When the values of ``day`` as served at ``now`` were published or last changed."""
    phase = day_phase(day, now)
    if phase == UNPUBLISHED:
        return None
    return publication_time(day) if phase == PUBLISHED else validation_time(day)


@lru_cache(maxsize=8192)
def day_grid(day: date) -> tuple[tuple[datetime, datetime, str, str, int], ...]:
    """The quarter-hours of local date ``day``: (start, end, start_iso, end_iso, local minute).

    92 entries on the March DST day, 100 on the October one, 96 otherwise.
    """
    start, end = local_day_bounds(day)
    count = int((end - start) / QUARTER)
    same_offset = count == 96
    slices = []
    for index in range(count):
        slice_start = start + index * QUARTER
        if same_offset:
            minute = index * 15
        else:
            local = slice_start.astimezone(BRUSSELS)
            minute = local.hour * 60 + local.minute
        slice_end = slice_start + QUARTER
        slices.append((slice_start, slice_end, iso_z(slice_start), iso_z(slice_end), minute))
    return tuple(slices)


def _gauss(hour: float, mean: float, sigma: float) -> float:
    return math.exp(-(((hour - mean) / sigma) ** 2) / 2)


def _load_shape(weekend: bool) -> tuple[float, ...]:
    """Typical household load in kWh per quarter-hour by local quarter-hour of the day."""
    shape = []
    for index in range(96):
        hour = index / 4 + 0.125
        if weekend:
            value = (
                0.06
                + 0.12 * _gauss(hour, 9.5, 1.5)
                + 0.09 * _gauss(hour, 13.0, 2.0)
                + 0.27 * _gauss(hour, 19.0, 1.7)
            )
        else:
            value = (
                0.055
                + 0.14 * _gauss(hour, 7.5, 0.9)
                + 0.05 * _gauss(hour, 12.5, 1.5)
                + 0.26 * _gauss(hour, 19.0, 1.6)
            )
        shape.append(value)
    return tuple(shape)


_WEEKDAY_LOAD = _load_shape(weekend=False)
_WEEKEND_LOAD = _load_shape(weekend=True)


@lru_cache(maxsize=4096)
def _household_scale(ean: str) -> float:
    return random.Random(f"{ean}:household").uniform(0.7, 1.4)


def default_profile(ean: str) -> MeterProfile:
    """The meter of an EAN nobody registered: PV of 3–9 kWp, installed 2020-01-01."""
    rng = random.Random(f"{ean}:meter")
    kwp = round(rng.uniform(3.0, 9.0), 1)
    meter_id = "1SAG" + "".join(str(rng.randrange(10)) for _ in range(10))
    return MeterProfile(ean=ean, has_pv=True, kwp=kwp, meter_id=meter_id)


def _estimate(rng: random.Random, true_wh: int) -> int:
    estimate = max(0, round(true_wh * rng.uniform(0.9, 1.1)) + rng.choice((-2, -1, 1, 2)))
    return estimate if estimate != true_wh else true_wh + 1


@lru_cache(maxsize=16384)
def _generate(ean: str, day: date, kwp: float, has_pv: bool, pv_failed: bool) -> tuple[QuarterHour, ...]:
    rng = random.Random(f"{ean}:{day.isoformat()}")
    grid = day_grid(day)
    doy = day.timetuple().tm_yday
    weekday = day.weekday() < 5
    load_shape = _WEEKDAY_LOAD if weekday else _WEEKEND_LOAD
    season = 1.0 + 0.25 * math.cos(2 * math.pi * (doy - 15) / 365)
    load_scale = _household_scale(ean) * season * rng.uniform(0.8, 1.2)

    # PV: a bell between sunrise and sunset (UTC hours of day D), cloudiness per day and slice.
    clear_sky = PV_KWH_PER_KWP_DAY[day.month - 1] * 1.45
    day_yield = kwp * clear_sky * (0.12 + 0.88 * rng.betavariate(2.2, 1.4))
    day_length = 12.2 + 4.3 * math.sin(2 * math.pi * (doy - 80) / 365)
    sunrise = 11.72 - day_length / 2
    cloud_spread = rng.uniform(0.05, 0.6)
    utc_midnight = datetime.combine(day, time(0), tzinfo=UTC)

    loads = []
    weights = []
    missing = []
    for slice_start, _end, _s, _e, minute in grid:
        missing.append(rng.random() < MISSING_PROBABILITY)
        # Draw every random number even without PV, so the load is the same with or without.
        load = load_shape[minute // 15] * load_scale * rng.uniform(0.75, 1.25)
        if rng.random() < 0.03:
            load += rng.uniform(0.2, 0.5)
        loads.append(load)
        hours = (slice_start - utc_midnight).total_seconds() / 3600 + 0.125
        position = (hours - sunrise) / day_length
        if 0.0 < position < 1.0:
            weights.append(math.sin(math.pi * position) ** 1.6 * (1.0 - cloud_spread * rng.random()))
        else:
            weights.append(0.0)
    total_weight = sum(weights) or 1.0
    pv_factor = 0.0 if (not has_pv or pv_failed) else day_yield / total_weight

    slices = []
    for index, (slice_start, slice_end, start_iso, end_iso, minute) in enumerate(grid):
        register = "day" if weekday and 7 * 60 <= minute < 22 * 60 else "night"
        pv = weights[index] * pv_factor
        offtake = round(max(0.0, loads[index] - pv) * 1000)
        injection = round(max(0.0, pv - loads[index]) * 1000)
        offtake_est = _estimate(rng, offtake) if rng.random() < EST_PROBABILITY else None
        injection_est = _estimate(rng, injection) if rng.random() < EST_PROBABILITY else None
        if missing[index]:
            slices.append(
                QuarterHour(slice_start, slice_end, start_iso, end_iso, register, None, None, None, None)
            )
        else:
            slices.append(
                QuarterHour(
                    slice_start,
                    slice_end,
                    start_iso,
                    end_iso,
                    register,
                    offtake,
                    injection,
                    offtake_est,
                    injection_est,
                )
            )
    return tuple(slices)


def generate_day(profile: MeterProfile, day: date) -> tuple[QuarterHour, ...]:
    """The true quarter-hours of local date ``day`` for a meter; empty before its install date."""
    if day < profile.install_date:
        return ()
    return _generate(profile.ean, day, float(profile.kwp), bool(profile.has_pv), profile.pv_failed_on(day))


def served_values(
    quarter: QuarterHour, phase: str
) -> tuple[int | None, str | None, int | None, str | None] | None:
    """(offtake_wh, offtake_state, injection_wh, injection_state) as served in ``phase``.

    None when the slice is missing or the day is not published.
    """
    if phase == UNPUBLISHED or quarter.offtake_wh is None:
        return None
    if phase == VALIDATED:
        return quarter.offtake_wh, "VAL", quarter.injection_wh, "VAL"
    if quarter.offtake_est_wh is None:
        offtake, offtake_state = quarter.offtake_wh, "READ"
    else:
        offtake, offtake_state = quarter.offtake_est_wh, "EST"
    if quarter.injection_est_wh is None:
        injection, injection_state = quarter.injection_wh, "READ"
    else:
        injection, injection_state = quarter.injection_est_wh, "EST"
    return offtake, offtake_state, injection, injection_state


def kwh(wh: int) -> str:
    """Integer Wh spelled as kWh with 3 decimals."""
    return f"{wh / 1000:.3f}"


def truth_csv(profile: MeterProfile, date_from: date, date_to: date, now: datetime) -> str:
    """The quarter-hours of local dates [date_from, date_to) as served at ``now``, as CSV.

    Same format as ``manage.py export_readings``; empty value and state where a value is
    missing or not yet published.
    """
    lines = ["start_utc,end_utc,offtake_kwh,injection_kwh,offtake_state,injection_state"]
    day = date_from
    while day < date_to:
        phase = day_phase(day, now)
        generated = generate_day(profile, day) if phase != UNPUBLISHED else ()
        if generated:
            for quarter in generated:
                served = served_values(quarter, phase)
                if served is None:
                    lines.append(f"{quarter.start_iso},{quarter.end_iso},,,,")
                else:
                    off, off_state, inj, inj_state = served
                    lines.append(
                        f"{quarter.start_iso},{quarter.end_iso},{kwh(off)},{kwh(inj)},{off_state},{inj_state}"
                    )
        else:
            for _start, _end, start_iso, end_iso, _minute in day_grid(day):
                lines.append(f"{start_iso},{end_iso},,,,")
        day += timedelta(days=1)
    return "\n".join(lines) + "\n"
