"""Store parsed quarter-hour values of one meter: merge by quality, keep daily totals in step.

The only writer of ``ReadingDay`` and ``DailyTotal``. Merge rule per slot and direction:

- a missing value (``kwh is None``) never overwrites anything (``skipped_missing``);
- a value fills an empty slot (``inserted``);
- a value whose rank (EST 1 < READ 2 = NVAL 2 < VAL 3) is at least the stored rank replaces
  the stored one when value, state or register differ (``updated``), else it is ``unchanged``;
- a lower-ranked value never replaces a stored one (``skipped_lower_quality``).

Within one batch the same rule applies between duplicates (the later of two equal-ranked
values wins; the loser counts as ``superseded``).

Speed (docs/decisions/0001-readings-storage-layout.md): values are grouped into per-day arrays
in one pass, compared with the stored rows in Python, and only rows that change are written:
new days by COPY straight into the tables, changed days by COPY into a temporary staging table
and one UPDATE … WHERE … IS DISTINCT FROM …. An unchanged re-pull writes nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import connection, transaction

from ilusmart.fluvius.types import QuarterHourValue
from meters.models import Meter
from meters.quarterhours import (
    DAY_CODES,
    ESTIMATED_CODES,
    MISSING,
    NIGHT_CODES,
    QUALITY_CODES,
    QUALITY_RANK,
    QUARTER,
    QUARTER_SECONDS,
    SlotLocator,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TOTAL_REGISTER_CODES = "1234"

READING_COLUMNS = ("meter_id", "day", "offtake_wh", "injection_wh", "offtake_quality", "injection_quality")
TOTAL_COLUMNS = (
    "meter_id",
    "day",
    "offtake_wh",
    "injection_wh",
    "offtake_day_wh",
    "offtake_night_wh",
    "injection_day_wh",
    "injection_night_wh",
    "peak_offtake_w",
    "peak_offtake_slot",
    "slots_expected",
    "offtake_slots_present",
    "injection_slots_present",
    "estimated_values",
)


@dataclass
class IngestResult:
    """What ``readings_ingest`` did, counted per quarter-hour value (one direction of a slot)."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_lower_quality: int = 0
    skipped_missing: int = 0
    superseded: int = 0
    days_touched: int = 0


class _Day:
    """Incoming (then merged) values of one local day, as slot-indexed lists."""

    __slots__ = ("day", "n", "off_wh", "off_q", "inj_wh", "inj_q")

    def __init__(self, day: date, n: int) -> None:
        self.day = day
        self.n = n
        self.off_wh: list[int | None] = [None] * n
        self.off_q: list[str] = [MISSING] * n
        self.inj_wh: list[int | None] = [None] * n
        self.inj_q: list[str] = [MISSING] * n


def readings_ingest(*, meter: Meter, values: Iterable[QuarterHourValue]) -> IngestResult:
    """Merge ``values`` into ``meter``'s stored readings and recompute the touched days' totals.

    Everything happens in one transaction that first locks the meter row, so concurrent
    ingests of the same meter run one after the other and end as if run in sequence. Raises
    ``ValueError`` (and stores nothing) for a naive or non-quarter-aligned timestamp, a slot that
    is not 15 minutes long, a value with more than 3 decimals (not whole Wh), a value without a
    validation state or an unknown direction.
    """
    result = IngestResult()
    days = _group_by_day(values, result)
    if not days:
        return result
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM meters_meter WHERE id = %s FOR NO KEY UPDATE", [meter.pk])
        if cursor.fetchone() is None:
            raise Meter.DoesNotExist(f"meter {meter.pk} does not exist")
        cursor.execute(
            "SELECT day, offtake_wh, injection_wh, offtake_quality, injection_quality "
            "FROM meters_readingday WHERE meter_id = %s AND day = ANY(%s::date[])",
            [meter.pk, list(days)],
        )
        stored = {row[0]: row[1:] for row in cursor.fetchall()}
        new_days, changed_days = _merge(days, stored, result)
        result.days_touched = len(new_days) + len(changed_days)
        if new_days:
            _copy(cursor, "meters_readingday", READING_COLUMNS, _reading_lines(meter.pk, new_days))
            _copy(cursor, "meters_dailytotal", TOTAL_COLUMNS, _total_lines(meter.pk, new_days))
        if changed_days:
            _update_changed(cursor, meter.pk, changed_days)
    return result


def _group_by_day(values: Iterable[QuarterHourValue], result: IngestResult) -> dict[date, _Day]:
    """One pass over the values: validate them and place each in its day's slot lists."""
    days: dict[date, _Day] = {}
    # UTC hour -> (its local day's lists, slot of the hour's first quarter); Brussels changes
    # offset only on whole hours, so the hour decides day and slot.
    by_hour: dict[int, tuple[_Day, int]] = {}
    locator = SlotLocator()
    codes = QUALITY_CODES
    rank = QUALITY_RANK
    skipped_missing = 0
    skipped_lower = 0
    superseded = 0
    last_start = last_end = entry = None
    slot = 0
    try:
        for value in values:
            start = value.start
            end = value.end
            # The parser shares one start and end object between a slice's directions: skip
            # the (already done) checks and slot lookup for the second one.
            if start is not last_start or end is not last_end:
                # Subtracting an aware epoch is several times faster than .timestamp(), and
                # raises TypeError for a naive datetime.
                delta = start - _EPOCH
                seconds = delta.seconds  # within the UTC day
                if seconds % QUARTER_SECONDS or delta.microseconds or end - start != QUARTER:
                    raise ValueError(f"not a 15-minute quarter-hour starting on :00/:15/:30/:45: {value!r}")
                hour = delta.days * 24 + seconds // 3600
                hit = by_hour.get(hour)
                if hit is None:
                    day, day_start, n = locator.day_of_hour(hour)
                    entry = days.get(day)
                    if entry is None:
                        entry = days[day] = _Day(day, n)
                    hit = by_hour[hour] = (entry, (hour * 3600 - day_start) // QUARTER_SECONDS)
                entry = hit[0]
                slot = hit[1] + seconds % 3600 // QUARTER_SECONDS
                last_start, last_end = start, end
            kwh = value.kwh
            if kwh is None:
                skipped_missing += 1
                continue
            # Exact: kWh must be a whole number of Wh (at most 3 decimals).
            numerator, denominator = kwh.as_integer_ratio()
            if denominator == 1:
                wh = numerator * 1000
            else:
                factor, remainder = divmod(1000, denominator)
                if remainder:
                    raise ValueError(f"value is not a whole number of Wh: {value!r}")
                wh = numerator * factor
            code = codes.get((value.state, value.register))
            if code is None:
                raise ValueError(f"value without a known validation state or register: {value!r}")
            direction = value.direction
            if direction == "offtake":
                whs, qs = entry.off_wh, entry.off_q
            elif direction == "injection":
                whs, qs = entry.inj_wh, entry.inj_q
            else:
                raise ValueError(f"unknown direction in {value!r}")
            previous = qs[slot]
            if previous != MISSING:
                if rank[code] < rank[previous]:
                    skipped_lower += 1
                    continue
                superseded += 1
            whs[slot] = wh
            qs[slot] = code
    except TypeError as error:
        raise ValueError(f"naive timestamp or non-Decimal kWh in the values: {error}") from error
    result.skipped_missing += skipped_missing
    result.skipped_lower_quality += skipped_lower
    result.superseded += superseded
    return days


def _merge(days: dict[date, _Day], stored: dict, result: IngestResult) -> tuple[list[_Day], list[_Day]]:
    """Merge incoming days into the stored rows; return (new days, days whose row changed).

    Each returned ``_Day`` holds the full merged row afterwards.
    """
    new_days: list[_Day] = []
    changed_days: list[_Day] = []
    rank = QUALITY_RANK
    for day, entry in days.items():
        row = stored.get(day)
        if row is None:
            present = (entry.n - entry.off_q.count(MISSING)) + (entry.n - entry.inj_q.count(MISSING))
            if present:  # a day of nothing but missing values gets no row
                result.inserted += present
                new_days.append(entry)
            continue
        changed = False
        for whs, qs, old_whs, old_q in (
            (entry.off_wh, entry.off_q, row[0], row[2]),
            (entry.inj_wh, entry.inj_q, row[1], row[3]),
        ):
            if whs == old_whs and "".join(qs) == old_q:
                result.unchanged += entry.n - qs.count(MISSING)
                continue
            inserted = updated = unchanged = lower = 0
            for i, code in enumerate(qs):
                old_code = old_q[i]
                if code == MISSING:
                    whs[i] = old_whs[i]
                    qs[i] = old_code
                elif old_code == MISSING:
                    inserted += 1
                elif whs[i] == old_whs[i] and code == old_code:
                    unchanged += 1
                elif rank[code] < rank[old_code]:
                    lower += 1
                    whs[i] = old_whs[i]
                    qs[i] = old_code
                else:
                    updated += 1
            result.inserted += inserted
            result.updated += updated
            result.unchanged += unchanged
            result.skipped_lower_quality += lower
            if inserted or updated:
                changed = True
        if changed:
            changed_days.append(entry)
    return new_days, changed_days


def _array_literal(whs: list[int | None]) -> str:
    # str(None) is "None"; no integer's text contains it, so one replace makes the NULLs.
    return "{" + ",".join(map(str, whs)).replace("None", "NULL") + "}"


def _reading_lines(meter_pk: int, days: list[_Day]) -> str:
    return "".join(
        f"{meter_pk}\t{d.day.isoformat()}\t{_array_literal(d.off_wh)}\t{_array_literal(d.inj_wh)}"
        f"\t{''.join(d.off_q)}\t{''.join(d.inj_q)}\n"
        for d in days
    )


def _direction_totals(whs: list[int | None], qs: list[str]) -> tuple:
    """(total, day, night, present) in Wh for one direction; totals None when nothing present."""
    present = [w for w in whs if w is not None]
    if not present:
        return None, None, None, 0, present
    total = sum(present)
    day = sum([w for w, c in zip(whs, qs, strict=True) if c in DAY_CODES])
    if any(c in _TOTAL_REGISTER_CODES for c in qs):
        night = sum([w for w, c in zip(whs, qs, strict=True) if c in NIGHT_CODES])
    else:
        night = total - day
    return total, day, night, len(present), present


def day_totals(entry: _Day) -> tuple:
    """The ``DailyTotal`` columns after ``meter_id`` and ``day`` for one merged day."""
    off_total, off_day, off_night, off_present, off_values = _direction_totals(entry.off_wh, entry.off_q)
    inj_total, inj_day, inj_night, inj_present, _ = _direction_totals(entry.inj_wh, entry.inj_q)
    if off_values:
        peak_wh = max(off_values)
        peak_w, peak_slot = peak_wh * 4, entry.off_wh.index(peak_wh)
    else:
        peak_w = peak_slot = None
    off_q, inj_q = "".join(entry.off_q), "".join(entry.inj_q)
    estimated = sum(off_q.count(c) + inj_q.count(c) for c in ESTIMATED_CODES)
    return (
        off_total,
        inj_total,
        off_day,
        off_night,
        inj_day,
        inj_night,
        peak_w,
        peak_slot,
        entry.n,
        off_present,
        inj_present,
        estimated,
    )


def _copy_field(value) -> str:
    return r"\N" if value is None else str(value)


def _total_lines(meter_pk: int, days: list[_Day]) -> str:
    return "".join(
        f"{meter_pk}\t{d.day.isoformat()}\t" + "\t".join(map(_copy_field, day_totals(d))) + "\n" for d in days
    )


def _copy(cursor, table: str, columns: tuple[str, ...], text: str) -> None:
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(text))


def _update_changed(cursor, meter_pk: int, days: list[_Day]) -> None:
    """Write changed days through temporary staging tables; only differing rows are updated."""
    for stage, like in (
        ("meters_readingday_stage", "meters_readingday"),
        ("meters_dailytotal_stage", "meters_dailytotal"),
    ):
        # Kept for the session; emptied before each use (ON COMMIT only empties on commit).
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {like}) ON COMMIT DELETE ROWS")
        cursor.execute(f"DELETE FROM {stage}")  # noqa: S608 (fixed names)
    _copy(cursor, "meters_readingday_stage", READING_COLUMNS, _reading_lines(meter_pk, days))
    _copy(cursor, "meters_dailytotal_stage", TOTAL_COLUMNS, _total_lines(meter_pk, days))
    for table, stage, columns in (
        ("meters_readingday", "meters_readingday_stage", READING_COLUMNS[2:]),
        ("meters_dailytotal", "meters_dailytotal_stage", TOTAL_COLUMNS[2:]),
    ):
        assignments = ", ".join(f"{c} = s.{c}" for c in columns)
        targets = ", ".join(f"t.{c}" for c in columns)
        sources = ", ".join(f"s.{c}" for c in columns)
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM {stage} AS s "  # noqa: S608 (fixed names)
            f"WHERE t.meter_id = s.meter_id AND t.day = s.day AND ({targets}) IS DISTINCT FROM ({sources})"
        )
