"""A year of simple quarter-hours for the battery what-if tests, written the way Fluvius's go in.

Every local day of 2025: 3,000 Wh injected at 12:00 (local), 2,000 Wh taken off at 19:00, 0 in
every other quarter-hour, all validated on the day register. Figures worked out by hand from
these in the tests. Days are built with zoneinfo here, not with meters.quarterhours.
"""

from datetime import date, timedelta

from ilusmart.fluvius.types import DayReadings
from meters.services.ingest import readings_ingest_days
from tests.meters.values import BRUSSELS, local_midnight_utc, quarter_hours_in

NOON_WH = 3000
EVENING_WH = 2000


def _slot_at(day: date, hour: int) -> int:
    """The quarter-hour of ``day`` that starts at local ``hour``:00."""
    for slot in range(quarter_hours_in(day)):
        if (local_midnight_utc(day) + slot * timedelta(minutes=15)).astimezone(BRUSSELS).hour == hour:
            return slot
    raise AssertionError(hour)


def simple_year(meter, year: int = 2025, *, missing: dict | None = None) -> None:
    """Store the simple days of ``year``; ``missing`` maps a date to slots stored without a value."""
    days = []
    day = date(year, 1, 1)
    while day.year == year:
        n = quarter_hours_in(day)
        offtake, injection = [0] * n, [0] * n
        injection[_slot_at(day, 12)] = NOON_WH
        offtake[_slot_at(day, 19)] = EVENING_WH
        quality = ["V"] * n  # validated, day register
        for slot in (missing or {}).get(day, ()):
            offtake[slot] = injection[slot] = None
            quality[slot] = "-"
        days.append(DayReadings(day, offtake, injection, "".join(quality), "".join(quality)))
        day += timedelta(days=1)
    readings_ingest_days(meter=meter, days=days)


def solar_home_days(meter, first: date, last: date, *, seed: int = 12) -> None:
    """Store a plausible Flemish solar home for the local days ``[first, last]``: a 5 kWp
    installation (about 0.5 kWh/kWp on a December day, 4–5 on a June day), a base load, morning
    and evening use and now and then a cooking peak; night register 22:00–07:00. Deterministic.
    """
    import math
    import random

    rnd = random.Random(seed)
    days = []
    day = first
    while day <= last:
        n = quarter_hours_in(day)
        season = math.cos((day.timetuple().tm_yday - 172) / 365 * 2 * math.pi)  # 1 in June, −1 in December
        daily_kwh_per_kwp = 2.6 + 2.1 * season
        sunny = rnd.uniform(0.35, 1.15)
        day_length = 12.2 + 4.2 * season  # hours
        offtake, injection, quality = [], [], []
        start = local_midnight_utc(day)
        for slot in range(n):
            local = (start + slot * timedelta(minutes=15)).astimezone(BRUSSELS)
            hour = local.hour + local.minute / 60
            x = (hour - 13.5) / (day_length / 2)
            shape = max(0.0, math.cos(x * math.pi / 2)) ** 2 if abs(x) < 1 else 0.0
            production = 5 * daily_kwh_per_kwp * sunny * 1000 * shape / (day_length * 4 * 0.5)
            use = 70 + rnd.randint(0, 40)
            if 6.5 <= hour < 8.5:
                use += 180
            if 17.5 <= hour < 22:
                use += 300 + rnd.randint(0, 200)
            if 18 <= hour < 19 and rnd.random() < 0.25:
                use += 600  # cooking
            net = int(use - production)
            offtake.append(max(net, 0))
            injection.append(max(-net, 0))
            quality.append("v" if hour < 7 or hour >= 22 else "V")
        days.append(DayReadings(day, offtake, injection, "".join(quality), "".join(quality)))
        day += timedelta(days=1)
    readings_ingest_days(meter=meter, days=days)
