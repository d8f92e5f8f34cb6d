"""Write a meter's quarter-hours as CSV in the simulator's truth format (fluvius-api.md).

UTF-8 without BOM, comma-separated, ``\\n`` line ends, header
``start_utc,end_utc,offtake_kwh,injection_kwh,offtake_state,injection_state``, one row per
quarter-hour of the local dates ``[start_date, end_date)``, kWh with 3 decimals, empty value and
state where a value is missing.
"""

from __future__ import annotations

import csv
from datetime import date
from typing import TextIO

from meters.models import Meter
from meters.selectors import readings_for_range

CSV_HEADER = ("start_utc", "end_utc", "offtake_kwh", "injection_kwh", "offtake_state", "injection_state")
_TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"


def readings_csv_write(*, meter: Meter, start_date: date, end_date: date, out: TextIO) -> int:
    """Write the readings of ``[start_date, end_date)`` (local dates) to ``out``; return the row count."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    count = 0
    for slot in readings_for_range(meter=meter, start_date=start_date, end_date=end_date):
        writer.writerow(
            (
                slot.start_utc.strftime(_TIMESTAMP),
                slot.end_utc.strftime(_TIMESTAMP),
                "" if slot.offtake_kwh is None else f"{slot.offtake_kwh:.3f}",
                "" if slot.injection_kwh is None else f"{slot.injection_kwh:.3f}",
                slot.offtake_state or "",
                slot.injection_state or "",
            )
        )
        count += 1
    return count
