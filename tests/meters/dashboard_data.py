"""Readings for the dashboard and chart tests, stored through the real ingest (no simulator).

Expected figures come from what the test wrote (``WrittenReadings``), never from ``DailyTotal``,
the table the pages read: a wrong aggregate must fail a test, not be copied into its expectation.
"""

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import override

from meters.services.ingest import readings_ingest
from tests.meters.values import QUARTER, local_midnight_utc, qh, quarter_hours_in


def offtake_wh(day: date, slot: int) -> int:
    return 40 + (slot * 7 + day.day * 3) % 90


def injection_wh(day: date, slot: int) -> int:
    return (slot * 11 + day.day) % 60 if 30 <= slot <= 70 else 0


def ingest_day(meter, day: date, *, missing=(), estimated=(), missing_injection=()):
    """A full local day (92/96/100 quarter-hours); slots in ``missing`` get no value at all.

    Even slots are booked on the day register, odd ones on the night register, so both sides
    of the split have figures.
    """
    start = local_midnight_utc(day)
    values = []
    for slot in range(quarter_hours_in(day)):
        if slot in missing:
            continue
        at = start + slot * QUARTER
        state = "EST" if slot in estimated else "VAL"
        register = "day" if slot % 2 == 0 else "night"
        values.append(qh(at, "offtake", str(Decimal(offtake_wh(day, slot)) / 1000), state, register))
        if slot not in missing_injection:
            values.append(qh(at, "injection", str(Decimal(injection_wh(day, slot)) / 1000), state, register))
    readings_ingest(meter=meter, values=values)


def ingest_days(meter, first: date, last: date, **kwargs):
    day = first
    while day <= last:
        ingest_day(meter, day, **kwargs)
        day += timedelta(days=1)


class WrittenReadings:
    """The readings one test stored for a meter with ``ingest_day``, to compute expected figures.

    Remembers which (direction, slot) of each day got a value; the value itself is
    ``offtake_wh``/``injection_wh`` of (day, slot), booked on the day register for even slots and
    on the night register for odd ones (as ``ingest_day`` writes them).
    """

    def __init__(self, meter):
        self.meter = meter
        self.present: dict[date, set[tuple[str, int]]] = {}

    def day(self, day: date, *, missing=(), estimated=(), missing_injection=()) -> None:
        ingest_day(self.meter, day, missing=missing, estimated=estimated, missing_injection=missing_injection)
        slots = self.present.setdefault(day, set())
        for slot in range(quarter_hours_in(day)):
            if slot not in missing:
                slots.add(("offtake", slot))
                if slot not in missing_injection:
                    slots.add(("injection", slot))

    def days(self, first: date, last: date, **kwargs) -> None:
        """Every day from ``first`` to ``last`` inclusive."""
        day = first
        while day <= last:
            self.day(day, **kwargs)
            day += timedelta(days=1)

    def wh(self, start: date, end: date) -> dict[tuple[str, str], int | None]:
        """{(direction, "total"|"day"|"night"): Wh} written for the local dates [start, end); None if none."""
        sums: dict[tuple[str, str], int | None] = {
            (d, c): None for d in ("offtake", "injection") for c in ("total", "day", "night")
        }
        value_of = {"offtake": offtake_wh, "injection": injection_wh}
        for day, slots in self.present.items():
            if not start <= day < end:
                continue
            for direction, slot in slots:
                wh = value_of[direction](day, slot)
                for column in ("total", "day" if slot % 2 == 0 else "night"):
                    sums[(direction, column)] = (sums[(direction, column)] or 0) + wh
            for direction in ("offtake", "injection"):
                # A direction with values on this day has a (possibly zero) figure on both registers.
                if any(d == direction for d, _ in slots):
                    for column in ("day", "night"):
                        sums[(direction, column)] = sums[(direction, column)] or 0
        return sums

    def kwh(self, start: date, end: date) -> dict[tuple[str, str], Decimal | None]:
        """{(row, column): kWh} as the figures tables show them, rows offtake, injection and net."""
        wh = self.wh(start, end)
        out = {key: None if value is None else Decimal(value) / 1000 for key, value in wh.items()}
        for column in ("total", "day", "night"):
            off, inj = wh[("offtake", column)], wh[("injection", column)]
            out[("net", column)] = None if off is None or inj is None else Decimal(off - inj) / 1000
        return out

    def day_wh(self, day: date, direction: str = "offtake") -> int | None:
        """The total Wh written for one direction of one day."""
        return self.wh(day, day + timedelta(days=1))[(direction, "total")]


def dutch_kwh(value: Decimal, decimals: int = 3) -> str:
    """``value`` as a Dutch page writes it: rounded half up to ``decimals`` (the dashboard: 1)."""
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    with override("nl-be"):
        return number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def figures_cells(html: str, testid: str) -> dict[tuple[str, str], str]:
    """{(row, column): cell text} of the figures table ``data-testid="figures-<testid>"``."""
    table = html.split(f'data-testid="figures-{testid}"', 1)[1].split("</table>", 1)[0]
    cells = {}
    for row in ("offtake", "injection", "net"):
        part = table.split(f'data-row="{row}"', 1)[1].split("</tr>", 1)[0]
        for column in ("total", "day", "night"):
            cell = re.search(rf'data-field="{column}">(.*?)</td>', part, re.S).group(1)
            cells[(row, column)] = re.sub(r"<[^>]+>", "", cell).strip()
    return cells


def table_rows(html: str) -> list[str]:
    """The data table's body rows (raw HTML of each ``<tr>``)."""
    body = html.split('data-testid="chart-table"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr class=\"status-[^\"]+\".*?</tr>", body, re.S)


def row_label(row: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<th scope=\"row\">(.*?)</th>", row, re.S).group(1)).strip()
