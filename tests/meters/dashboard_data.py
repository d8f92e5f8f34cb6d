"""Readings for the dashboard and chart tests, stored through the real ingest (no simulator)."""

import re
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils.formats import number_format
from django.utils.translation import override

from meters.models import DailyTotal
from meters.quarterhours import day_start_utc, slots_in_day
from meters.services.ingest import readings_ingest
from tests.meters.values import QUARTER, qh


def offtake_wh(day: date, slot: int) -> int:
    return 40 + (slot * 7 + day.day * 3) % 90


def injection_wh(day: date, slot: int) -> int:
    return (slot * 11 + day.day) % 60 if 30 <= slot <= 70 else 0


def ingest_day(meter, day: date, *, missing=(), estimated=(), missing_injection=()):
    """A full local day (92/96/100 quarter-hours); slots in ``missing`` get no value at all.

    Even slots are booked on the day register, odd ones on the night register, so both sides
    of the split have figures.
    """
    start = day_start_utc(day)
    values = []
    for slot in range(slots_in_day(day)):
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


FIELDS = {
    "offtake": ("offtake_wh", "offtake_day_wh", "offtake_night_wh"),
    "injection": ("injection_wh", "injection_day_wh", "injection_night_wh"),
}


def stored_kwh(meter, start: date, end: date) -> dict[tuple[str, str], Decimal | None]:
    """{(row, column): kWh} summed from the meter's DailyTotal rows in [start, end)."""
    rows = DailyTotal.objects.filter(meter=meter, day__gte=start, day__lt=end)
    names = [n for names in FIELDS.values() for n in names]
    sums = rows.aggregate(**{n: Sum(n) for n in names})
    out = {}
    for row, (total, day_, night) in FIELDS.items():
        for column, name in zip(("total", "day", "night"), (total, day_, night), strict=True):
            out[(row, column)] = None if sums[name] is None else Decimal(sums[name]) / 1000
    for column, (o, i) in zip(
        ("total", "day", "night"), zip(FIELDS["offtake"], FIELDS["injection"], strict=True), strict=True
    ):
        both = sums[o] is not None and sums[i] is not None
        out[("net", column)] = Decimal(sums[o] - sums[i]) / 1000 if both else None
    return out


def dutch_kwh(value: Decimal) -> str:
    with override("nl-be"):
        return number_format(value, decimal_pos=3, use_l10n=True, force_grouping=True)


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
