"""Reads for the battery what-if (issue 12): a meter's quarter-hours as integer-Wh days.

The simulation itself is ``meters.services.battery`` (pure, no database); the comparison the page
and the API show is built here from it (``battery_whatif``, further below).
"""

from __future__ import annotations

import csv
from datetime import date, timedelta

from meters.models import Meter, ReadingDay
from meters.quarterhours import NIGHT_CODES, QUARTER, day_start_utc, slots_in_day
from meters.selectors.readings import wh_to_kwh
from meters.selectors.visibility import ALL_DAYS, VisiblePeriods
from meters.services.battery import BatterySpec, QuarterHourDay, battery_simulate

_ONE_DAY = timedelta(days=1)


def battery_quarter_hours(
    *, meter: Meter, start_date: date, end_date: date, visible: VisiblePeriods = ALL_DAYS
) -> list[QuarterHourDay]:
    """Every local day in ``[start_date, end_date)`` with its quarter-hours in Wh, in order.

    Days without a stored row, and days the reader may not see (``visible``), come back with
    every quarter-hour missing (``None``), never 0. A quarter-hour counts on the night register
    when its offtake (or, without offtake, its injection) was registered on the night register.
    """
    rows = {
        day: (off, inj, off_q, inj_q)
        for day, off, inj, off_q, inj_q in ReadingDay.objects.filter(
            meter=meter, day__gte=start_date, day__lt=end_date
        )
        .filter(visible.q("day"))
        .values_list("day", "offtake_wh", "injection_wh", "offtake_quality", "injection_quality")
        .iterator(chunk_size=400)
    }
    days = []
    night_codes = NIGHT_CODES
    day = start_date
    while day < end_date:
        row = rows.get(day)
        if row is None:
            n = slots_in_day(day)
            empty = (None,) * n
            days.append(QuarterHourDay(day, empty, empty, (False,) * n))
        else:
            off, inj, off_q, inj_q = row
            night = [
                (a in night_codes) if off[i] is not None else (b in night_codes)
                for i, (a, b) in enumerate(zip(off_q, inj_q, strict=True))
            ]
            days.append(QuarterHourDay(day, off, inj, night))
        day += _ONE_DAY
    return days


TRACE_HEADER = (
    "start_utc",
    "offtake_kwh",
    "injection_kwh",
    "new_offtake_kwh",
    "new_injection_kwh",
    "charge_kwh",
    "discharge_kwh",
    "soc_kwh",
)


def _kwh(wh: int | None) -> str:
    return "" if wh is None else str(wh_to_kwh(wh))


def battery_trace_csv_write(*, meter: Meter, start_date: date, end_date: date, spec: BatterySpec, out) -> int:
    """Write ``spec``'s run over the local days ``[start_date, end_date)`` as CSV, one row per
    quarter-hour (``TRACE_HEADER``; UTC starts, kWh with 3 decimals, empty where a reading is
    missing; ``soc_kwh`` at the end of the quarter-hour). Every stored day counts (operators).
    Returns the number of quarter-hours written.
    """
    days = battery_quarter_hours(meter=meter, start_date=start_date, end_date=end_date)
    simulation = battery_simulate(spec=spec, days=days, record=True)
    trace = simulation.trace
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TRACE_HEADER)
    k = 0
    for qd in days:
        start = day_start_utc(qd.day)
        for i in range(len(qd.offtake_wh)):
            soc = trace.soc[k]
            writer.writerow(
                (
                    (start + i * QUARTER).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    _kwh(qd.offtake_wh[i]),
                    _kwh(qd.injection_wh[i]),
                    _kwh(trace.new_offtake_wh[k]),
                    _kwh(trace.new_injection_wh[k]),
                    _kwh(trace.charge_wh[k]),
                    _kwh(trace.discharge_wh[k]),
                    "" if soc is None else str(simulation.soc_kwh(soc)),
                )
            )
            k += 1
    return k
