"""CSV of a meter's readings: the simulator's truth format, and the homeowner's downloads.

``readings_csv_write`` (used by ``export_readings``) writes the truth format (fluvius-api.md),
which must stay byte-for-byte comparable with the simulator's ``/_sim/truth``:

UTF-8 without BOM, comma-separated, ``\\n`` line ends, header
``start_utc,end_utc,offtake_kwh,injection_kwh,offtake_state,injection_state``, one row per
quarter-hour of the local dates ``[start_date, end_date)``, kWh with 3 decimals, empty value and
state where a value is missing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TextIO

from django.utils.translation import gettext as _

from ilusmart.fluvius.types import ValidationState
from meters.models import Meter
from meters.quarterhours import BRUSSELS, MISSING, QUARTER, day_start_utc, slots_in_day
from meters.selectors import readings_for_range, w_to_kw, wh_to_kwh
from meters.selectors.readings import (
    PERIOD_DAY,
    PERIOD_ENERGY_FIELDS,
    PERIOD_MONTH,
    ReadingSlot,
    period_totals,
    reading_rows,
    slot_from_codes,
)
from meters.selectors.visibility import VisiblePeriods

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


# --- Homeowner downloads: quarter-hours, days or months in local time ---------------------------
#
# Format (docs in meters/views/exports.py's page, and here):
# - comma-separated, decimal POINT, no thousands separator, ``\r\n`` line ends (RFC 4180);
# - pure ASCII (column names, ISO dates, numbers and state codes only), so without a byte-order
#   mark: the bytes read the same as UTF-8, Windows-1252 or Latin-1, every spreadsheet decodes
#   them right, and scripts get a clean first column name (a BOM would turn it into
#   "\ufefflocal_start" for anyone not reading with utf-8-sig);
# - ``local_start`` is Europe/Brussels wall time "YYYY-MM-DD HH:MM" (a spreadsheet reads it as a
#   date-time), ``utc_offset`` tells the repeated hour of an autumn DST day apart, and
#   ``utc_start`` is the same instant in UTC;
# - a missing value is an empty cell, never 0; kWh and kW have exactly 3 decimals;
# - ``source`` (last column) says where a row's values came from: ``fluvius`` (the Fluvius API),
#   ``import`` (the homeowner's Mijn Fluvius CSV file) or ``both``; empty without a value.

EXPORT_QUARTER_HOUR = "quarter_hour"
EXPORT_DAY = PERIOD_DAY
EXPORT_MONTH = PERIOD_MONTH
EXPORT_RESOLUTIONS = (EXPORT_QUARTER_HOUR, EXPORT_DAY, EXPORT_MONTH)
EXPORT_STANDARD = "standard"
EXPORT_EXCEL_BE = "excel_be"  # ";" and decimal comma, UTF-8 with BOM (see _excel_be_lines)
EXPORT_DIALECTS = (EXPORT_STANDARD, EXPORT_EXCEL_BE)
# Longest range per resolution, in days: 5 years of quarter-hours is ~175,000 rows (~15 MB).
EXPORT_MAX_DAYS = {EXPORT_QUARTER_HOUR: 5 * 366, EXPORT_DAY: 30 * 366, EXPORT_MONTH: 30 * 366}

QUARTER_HOUR_HEADER = (
    "local_start",
    "utc_offset",
    "utc_start",
    "offtake_kwh",
    "injection_kwh",
    "offtake_state",
    "injection_state",
    "offtake_register",
    "injection_register",
    "estimated",
    "source",
)
PERIOD_HEADER = (
    "local_start",
    "utc_start",
    "offtake_kwh",
    "offtake_day_kwh",
    "offtake_night_kwh",
    "injection_kwh",
    "injection_day_kwh",
    "injection_night_kwh",
    "peak_offtake_kw",
    "quarter_hours_expected",
    "offtake_quarter_hours",
    "injection_quarter_hours",
    "estimated_values",
    "source",
)
_LOCAL = "%Y-%m-%d %H:%M"
_UTC = "%Y-%m-%d %H:%M"
_ENERGY_FIELDS = PERIOD_ENERGY_FIELDS


class _Line:
    """A file-like object whose ``write`` returns what it was given (csv → one line string)."""

    def write(self, value: str) -> str:
        return value


def _kwh(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _offset(local: datetime) -> str:
    seconds = int(local.utcoffset().total_seconds())
    sign = "+" if seconds >= 0 else "-"
    return f"{sign}{abs(seconds) // 3600:02d}:{abs(seconds) % 3600 // 60:02d}"


def export_range_check(*, resolution: str, start_date: date, end_date: date) -> None:
    """Raise ``ValueError`` (a message for the homeowner) unless the range can be exported."""
    if resolution not in EXPORT_RESOLUTIONS:
        raise ValueError(_("Onbekende resolutie."))
    if end_date <= start_date:
        raise ValueError(_("De einddatum moet na de begindatum liggen."))
    limit = EXPORT_MAX_DAYS[resolution]
    if (end_date - start_date).days > limit:
        raise ValueError(
            _("Deze periode is te lang voor deze resolutie: kies hoogstens %(years)d jaar.")
            % {"years": limit // 366}
        )


def _quarter_hour_cells(slot: ReadingSlot) -> tuple:
    """The cells of one quarter-hour row: the one definition of the quarter-hour format."""
    local = slot.start_utc.astimezone(BRUSSELS)
    return (
        local.strftime(_LOCAL),
        _offset(local),
        slot.start_utc.strftime(_UTC),
        _kwh(slot.offtake_kwh),
        _kwh(slot.injection_kwh),
        slot.offtake_state or "",
        slot.injection_state or "",
        slot.offtake_register or "",
        slot.injection_register or "",
        "1" if ValidationState.EST in (slot.offtake_state, slot.injection_state) else "0",
        slot.source or "",
    )


# The bulk writer below makes the same rows as ``_quarter_hour_cells`` without a ``ReadingSlot``,
# a ``Decimal`` or a ``strftime`` per quarter-hour (13 s → well under 1 s for 5 years; see
# benchmarks/export.py). What it does not compute itself it takes from ``_quarter_hour_cells``
# once and caches: the date/time cells of a day's slots, the state/register/estimated/source
# cells of a combination of quality codes, the text of a value in Wh.
_TIME_CELLS = 3  # local_start, utc_offset, utc_start
_CODE_CELLS = slice(5, None)  # offtake_state … source
_HOURS_MINUTES = [f"{minute // 60:02d}:{minute % 60:02d}" for minute in range(0, 24 * 60, 15)]
_tails: dict[tuple, str] = {}
_kwh_texts: dict[int, str] = {}
_KWH_CACHE_LIMIT = 100_000


def _day_prefixes(day: date) -> list[str]:
    """``local_start,utc_offset,utc_start,`` of each quarter-hour of the local ``day``."""
    start = day_start_utc(day)
    count = slots_in_day(day)
    if count != 96:  # a DST change day: the general path (two days a year)
        return [
            ",".join(_quarter_hour_cells(_time_only(start + i * QUARTER))[:_TIME_CELLS]) + ","
            for i in range(count)
        ]
    # One UTC offset all day: local time is slot × 15 min, UTC the same minus the offset.
    offset_minutes = int(start.astimezone(BRUSSELS).utcoffset().total_seconds()) // 60
    offset = _offset(start.astimezone(BRUSSELS))
    local_day, utc_previous = day.isoformat(), (day - timedelta(days=1)).isoformat()
    before_utc_midnight = offset_minutes // 15
    return [
        f"{local_day} {_HOURS_MINUTES[i]},{offset},"
        f"{local_day if i >= before_utc_midnight else utc_previous} {_HOURS_MINUTES[(i - before_utc_midnight) % 96]},"
        for i in range(96)
    ]


def _time_only(start: datetime) -> ReadingSlot:
    return ReadingSlot(start, start + QUARTER, None, None, None, None, None, None, None)


def _tail(offtake_code: str, injection_code: str, has_offtake: bool, has_injection: bool) -> str:
    """``offtake_state,…,source`` plus the line end, for one combination of codes (cached)."""
    key = (offtake_code, injection_code, has_offtake, has_injection)
    tail = _tails.get(key)
    if tail is None:
        probe = slot_from_codes(
            start_utc=datetime.min.replace(tzinfo=UTC),
            offtake_wh=0 if has_offtake else None,
            injection_wh=0 if has_injection else None,
            offtake_code=offtake_code,
            injection_code=injection_code,
        )
        tail = _tails[key] = ",".join(_quarter_hour_cells(probe)[_CODE_CELLS]) + "\r\n"
    return tail


def _kwh_text(wh: int) -> str:
    text = _kwh_texts.get(wh)
    if text is None:
        text = _kwh(wh_to_kwh(wh))
        if len(_kwh_texts) < _KWH_CACHE_LIMIT:
            _kwh_texts[wh] = text
    return text


def _day_lines(day: date, row: tuple | None) -> str:
    """The CSV lines of one local day (``row`` as ``reading_rows`` gives it, or None)."""
    prefixes = _day_prefixes(day)
    if row is None:
        blank = ",," + _tail(MISSING, MISSING, False, False)
        return "".join(prefix + blank for prefix in prefixes)
    offtake, injection, offtake_codes, injection_codes = row
    tails, kwh_texts = _tails, _kwh_texts
    lines = []
    for i, prefix in enumerate(prefixes):
        off, inj = offtake[i], injection[i]
        tail = tails.get((offtake_codes[i], injection_codes[i], off is not None, inj is not None))
        if tail is None:
            tail = _tail(offtake_codes[i], injection_codes[i], off is not None, inj is not None)
        off_text = "" if off is None else (kwh_texts.get(off) or _kwh_text(off))
        inj_text = "" if inj is None else (kwh_texts.get(inj) or _kwh_text(inj))
        lines.append(f"{prefix}{off_text},{inj_text},{tail}")
    return "".join(lines)


def _quarter_hour_chunks(
    meter: Meter, start_date: date, end_date: date, visible: VisiblePeriods
) -> Iterator[str]:
    """The quarter-hour rows of ``[start_date, end_date)``, one string per month read."""
    chunk_start = start_date
    while chunk_start < end_date:
        chunk_end = min(chunk_start + timedelta(days=31), end_date)
        rows = reading_rows(meter=meter, start_date=chunk_start, end_date=chunk_end, visible=visible)
        days = (chunk_start + timedelta(days=i) for i in range((chunk_end - chunk_start).days))
        yield "".join(_day_lines(day, rows.get(day)) for day in days)
        chunk_start = chunk_end


def _period_rows(
    meter: Meter, resolution: str, start_date: date, end_date: date, visible: VisiblePeriods
) -> Iterator[tuple]:
    """One row per local day or month of the range (``period_totals``: the API reads the same)."""
    for period in period_totals(
        meter=meter, start_date=start_date, end_date=end_date, resolution=resolution, visible=visible
    ):
        label = period.start.isoformat() if resolution == EXPORT_DAY else period.start.strftime("%Y-%m")
        if resolution == EXPORT_MONTH and period.start.day != 1:
            label = period.start.isoformat()  # a range that starts mid-month: say from which day
        yield (
            label,
            day_start_utc(period.start).strftime(_UTC),
            *(_kwh(wh_to_kwh(getattr(period, field))) for field in _ENERGY_FIELDS),
            _kwh(w_to_kw(period.peak_offtake_w)),
            period.slots_expected,
            period.offtake_slots_present,
            period.injection_slots_present,
            period.estimated_values,
            period.source or "",
        )


def readings_export_lines(
    *,
    meter: Meter,
    start_date: date,
    end_date: date,
    resolution: str,
    visible: VisiblePeriods,
    dialect: str = EXPORT_STANDARD,
) -> Iterator[str]:
    """The CSV download of local dates ``[start_date, end_date)`` at ``resolution``, line by line.

    ``dialect``: ``EXPORT_STANDARD`` (the format above) or ``EXPORT_EXCEL_BE`` (the same cells for
    Excel with Belgian settings, opened by a double click: see ``_excel_be_lines``).

    Only the ``visible`` days of ``meter`` (the homeowner's own, ``visible_periods``) carry
    values; other days read as missing. Lazy (for a ``StreamingHttpResponse``): quarter-hours
    are read and written a month at a time, so memory does not grow with the range. Call ``export_range_check`` first; this raises ``ValueError`` on
    the same conditions.
    """
    export_range_check(resolution=resolution, start_date=start_date, end_date=end_date)
    if dialect == EXPORT_EXCEL_BE:
        standard = readings_export_lines(
            meter=meter, start_date=start_date, end_date=end_date, resolution=resolution, visible=visible
        )
        yield from _excel_be_lines(standard)
        return
    writer = csv.writer(_Line(), lineterminator="\r\n")
    if resolution == EXPORT_QUARTER_HOUR:
        yield writer.writerow(QUARTER_HOUR_HEADER)
        yield from _quarter_hour_chunks(meter, start_date, end_date, visible)
        return
    yield writer.writerow(PERIOD_HEADER)
    for row in _period_rows(meter, resolution, start_date, end_date, visible):
        yield writer.writerow(row)


def readings_export_filename(
    *, meter: Meter, start_date: date, end_date: date, resolution: str, dialect: str = EXPORT_STANDARD
) -> str:
    """``ilusmart-<ean>-<resolution>-<first day>-<last day>.csv`` (the last day included);
    ``…-excel.csv`` for the Excel variant."""
    last = end_date - timedelta(days=1)
    suffix = "-excel" if dialect == EXPORT_EXCEL_BE else ""
    return f"ilusmart-{meter.ean}-{resolution}-{start_date.isoformat()}-{last.isoformat()}{suffix}.csv"


# The Excel variant: Excel with Belgian (nl-BE/fr-BE) settings splits a double-clicked .csv on
# the list separator ";" and reads "0,125" as a number and "0.125" as text; the UTF-8 byte-order
# mark makes it decode the file as UTF-8. The cells are the standard file's, numbers with a
# decimal comma (the standard file has no thousands separator, so no other dot is a number's).
_DECIMAL = re.compile(r"^-?\d+\.\d+$")


def _excel_be_lines(chunks: Iterator[str]) -> Iterator[str]:
    """The standard file's chunks (whole lines, one or many) rewritten for Belgian Excel."""
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    prefix = "\ufeff"
    for chunk in chunks:
        rows = csv.reader(io.StringIO(chunk, newline=""))
        yield prefix + "".join(
            writer.writerow([cell.replace(".", ",") if _DECIMAL.match(cell) else cell for cell in row])
            for row in rows
        )
        prefix = ""
