"""Realistic synthetic quarter-hour values for benchmarks (deterministic per seed).

A household load with morning and evening peaks, a PV bell curve scaled by month with random
clouds, offtake = max(0, load - PV), injection = max(0, PV - load), in whole Wh; the day
register on weekdays 07:00-22:00 local, night otherwise; about 1 % EST and 0.2 % missing.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal

from ilusmart.fluvius.types import DayReadings, Direction, QuarterHourValue, Register, ValidationState
from meters.quarterhours import BRUSSELS, MISSING, QUALITY_CODES, QUARTER, day_start_utc, slots_in_day

_MONTH_PV = [0.15, 0.3, 0.55, 0.8, 0.95, 1.0, 1.0, 0.9, 0.7, 0.45, 0.2, 0.12]


def day_values_wh(
    rng: random.Random, day: date, kwp: float
) -> list[tuple[int | None, int | None, bool, str]]:
    """Per slot: (offtake Wh, injection Wh, day register?, state)."""
    start = day_start_utc(day)
    clouds = rng.random()
    out = []
    for i in range(slots_in_day(day)):
        local = (start + i * QUARTER).astimezone(BRUSSELS)
        hour = local.hour + local.minute / 60
        load = 60 + 120 * math.exp(-((hour - 7.5) ** 2) / 2) + 250 * math.exp(-((hour - 19) ** 2) / 3)
        load *= 0.6 + 0.8 * rng.random()
        sun = max(0.0, math.sin(math.pi * (hour - 6) / 15)) if 6 <= hour <= 21 else 0.0
        pv = kwp * 250 * _MONTH_PV[day.month - 1] * sun * (1 - 0.7 * clouds) * (0.8 + 0.4 * rng.random())
        offtake = max(0, round(load - pv))
        injection = max(0, round(pv - load))
        day_register = day.weekday() < 5 and 7 <= local.hour < 22
        r = rng.random()
        state = "EST" if r < 0.01 else "VAL"
        if rng.random() < 0.002:
            offtake = injection = None
        out.append((offtake, injection, day_register, state))
    return out


def meter_year_values(seed: int, year: int = 2025, kwp: float = 6.0) -> list[QuarterHourValue]:
    """Parsed values of one meter for the local calendar ``year`` (both directions)."""
    rng = random.Random(seed)
    values = []
    day = date(year, 1, 1)
    thousand = Decimal(1000)
    while day.year == year:
        start = day_start_utc(day)
        for i, (off, inj, day_reg, state) in enumerate(day_values_wh(rng, day, kwp)):
            s = start + i * QUARTER
            e = s + QUARTER
            register = Register.DAY if day_reg else Register.NIGHT
            st = ValidationState(state)
            for direction, wh in ((Direction.OFFTAKE, off), (Direction.INJECTION, inj)):
                kwh = None if wh is None else Decimal(wh) / thousand
                values.append(QuarterHourValue(s, e, direction, register, kwh, None if wh is None else st))
        day += timedelta(days=1)
    return values


def meter_days(seed: int, start: date, end: date, kwp: float = 6.0) -> list[DayReadings]:
    """The local dates ``[start, end)`` of one meter as ``DayReadings`` (for ``readings_ingest_days``).

    Any range, so that a benchmark can load the year up to yesterday rather than a calendar year.
    """
    rng = random.Random(seed)
    codes = {
        (state, day_reg): QUALITY_CODES[(ValidationState(state), Register.DAY if day_reg else Register.NIGHT)]
        for state in ("VAL", "EST")
        for day_reg in (True, False)
    }
    days = []
    day = start
    while day < end:
        values = day_values_wh(rng, day, kwp)
        quality = "".join(MISSING if off is None else codes[(state, reg)] for off, _inj, reg, state in values)
        offtake = [off for off, _inj, _reg, _state in values]
        injection = [inj for _off, inj, _reg, _state in values]
        days.append(DayReadings(day, offtake, injection, quality, quality))
        day += timedelta(days=1)
    return days


def meter_year_payload(seed: int, year: int = 2025, kwp: float = 6.0) -> str:
    """The same meter-year as ``meter_year_values`` as the JSON text of a Fluvius energy answer.

    Shaped like the simulator's (``metering-on-meter``, one physical meter, the value booked on
    the day or night register in kWh, a missing quarter-hour as ``measurements: []``). Decode it
    as the client does: ``json.loads(text, parse_float=Decimal)``.
    """
    import json

    rng = random.Random(seed)
    slices = []
    day = date(year, 1, 1)
    while day.year == year:
        start = day_start_utc(day)
        for i, (off, inj, day_reg, state) in enumerate(day_values_wh(rng, day, kwp)):
            s = start + i * QUARTER
            entry = {
                "start": s.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "end": (s + QUARTER).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "measurements": [],
            }
            if off is not None:
                register = "day" if day_reg else "night"
                entry["measurements"].append(
                    {
                        direction: {register: {"value": wh / 1000, "unit": "kWh", "validationState": state}}
                        for direction, wh in (("offtake", off), ("injection", inj))
                    }
                )
            slices.append(entry)
        day += timedelta(days=1)
    meter = {"seqNumber": "1", "meterID": "1SAG1100000000", "quarterHourlyEnergy": slices}
    headpoint = {
        "$type": "metering-on-meter",
        "ean": "541448820000000000",
        "energyType": "E",
        "physicalMeters": [meter],
    }
    return json.dumps(
        {"_meta": {"fetchTime": f"{year + 1}-01-02T06:00:00Z"}, "data": {"headpoint": headpoint}}
    )
