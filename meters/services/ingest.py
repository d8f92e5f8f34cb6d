"""Store quarter-hour readings of one meter: merge by quality, keep daily totals in step.

The only writer of ``ReadingDay`` and ``DailyTotal``. Two entry points share one merge and
write path: ``readings_ingest_days`` takes per-day arrays (``DayReadings``, what
``parse_energy_days`` produces and the sync uses), ``readings_ingest`` takes one
``QuarterHourValue`` per value and groups them into the same per-day arrays first.
``daily_totals_rebuild`` recomputes ``DailyTotal`` from the stored rows with the same code
(``manage.py rebuild_daily_totals`` and the support console).

Merge rule per slot and direction:

- a missing value never overwrites anything (``skipped_missing``);
- a value fills an empty slot (``inserted``);
- a value whose rank (EST 1 < READ 2 = NVAL 2 < VAL 3) is at least the stored rank replaces
  the stored one when value, state or register differ (``updated``), else it is ``unchanged``;
- a lower-ranked value never replaces a stored one (``skipped_lower_quality``).

Where a value came from is part of its stored quality code (``meters.quarterhours``): the sync
stores Fluvius codes, a CSV import (``source=SOURCE_IMPORT``) the import codes, and every
Fluvius value outranks every imported one. So an import only fills quarter-hours Fluvius has not
delivered (an imported value that meets a Fluvius value counts as ``skipped_fluvius``), and a
Fluvius value always replaces an imported one. ``DailyTotal.imported_values`` counts a day's
imported values, so a day, month or year tells where its figures came from.

Within one batch the same rule applies between duplicates (the later of two equal-ranked
values wins; the loser counts as ``superseded``).

Speed (docs/decisions/0001-readings-storage-layout.md): a stored day is compared with the
incoming one as whole lists first, and slot by slot only where they differ (found by C-level
``map``/``compress`` and an XOR of the quality strings, not a Python loop over 96 slots); only
rows that change are written: new days by COPY, changed days by DELETE and COPY of the merged
row (a day's totals row only if its totals changed). An unchanged re-pull writes nothing.
"""

from __future__ import annotations

import io
import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import compress
from operator import ne

from django.db import connection, transaction

from ilusmart.fluvius.types import DayReadings, QuarterHourValue
from meters.models import Meter
from meters.quarterhours import (
    BRUSSELS,
    DAY_CODES,
    ESTIMATED_CODES,
    FLUVIUS_RANK,
    IMPORTED_CODE_SET,
    IMPORTED_CODES,
    MISSING,
    NIGHT_CODES,
    QUALITY_CODES,
    QUALITY_RANK,
    QUARTER,
    QUARTER_SECONDS,
    SOURCE_FLUVIUS,
    SOURCE_IMPORT,
    TOTAL_CODES,
    SlotLocator,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_DAY = timedelta(days=1)
_TOTAL_REGISTER_CODES = TOTAL_CODES
_MIDNIGHT = time(0)
# What the per-day (Fluvius) entry point accepts: Fluvius's codes and the missing mark.
_FLUVIUS_QUALITY_TEXT = re.compile("[" + "".join(QUALITY_CODES.values()) + MISSING + "]*")
# Tables over the ASCII quality string: bytes.translate gives 1 where a slot is booked on that
# register (a selector for itertools.compress), or deletes every code but the estimates.
_DAY_MASK = bytes(1 if chr(b) in DAY_CODES else 0 for b in range(256))
_NIGHT_MASK = bytes(1 if chr(b) in NIGHT_CODES else 0 for b in range(256))
_TOTAL_REGISTER_MASK = bytes(1 if chr(b) in _TOTAL_REGISTER_CODES else 0 for b in range(256))
_NOT_TOTAL_REGISTER = bytes(b for b in range(256) if chr(b) not in _TOTAL_REGISTER_CODES)
_NOT_ESTIMATED = bytes(b for b in range(256) if chr(b) not in ESTIMATED_CODES)
_NOT_IMPORTED = bytes(b for b in range(256) if chr(b) not in IMPORTED_CODE_SET)
_MISSING_BYTE = MISSING.encode("ascii")
# COPY text of the common Wh values: a dict lookup per value is ~2× faster than str().
_WH_TEXT: dict[int | None, str] = {None: "NULL"} | {wh: str(wh) for wh in range(10_000)}
# Wh are stored as PostgreSQL integer: array("i") accepts exactly Python ints in that range.
assert array("i").itemsize == 4

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
    "imported_values",
)


@dataclass
class IngestResult:
    """What an ingest did, counted per quarter-hour value (one direction of a slot).

    With ``readings_ingest_days`` every slot without a value counts as ``skipped_missing``.
    ``skipped_fluvius``: imported values not stored because Fluvius delivered that quarter-hour.
    """

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_lower_quality: int = 0
    skipped_fluvius: int = 0
    skipped_missing: int = 0
    superseded: int = 0
    days_touched: int = 0


class _Day:
    """One local day's values as slot-indexed columns (qualities: a list while grouping, then a str)."""

    __slots__ = ("day", "n", "off_wh", "off_q", "inj_wh", "inj_q")

    def __init__(self, day: date, n: int, off_wh=None, off_q=None, inj_wh=None, inj_q=None) -> None:
        self.day = day
        self.n = n
        self.off_wh: list[int | None] = [None] * n if off_wh is None else off_wh
        self.off_q = [MISSING] * n if off_q is None else off_q
        self.inj_wh: list[int | None] = [None] * n if inj_wh is None else inj_wh
        self.inj_q = [MISSING] * n if inj_q is None else inj_q


def readings_ingest(
    *, meter: Meter, values: Iterable[QuarterHourValue], source: str = SOURCE_FLUVIUS
) -> IngestResult:
    """Merge ``values`` into ``meter``'s stored readings and recompute the touched days' totals.

    ``source`` says where the values come from: ``SOURCE_FLUVIUS`` (the API) or ``SOURCE_IMPORT``
    (a CSV file; such values never replace a Fluvius value). Everything happens in one transaction that first locks the meter row, so concurrent
    ingests of the same meter run one after the other and end as if run in sequence. Raises
    ``ValueError`` (and stores nothing) for a naive or non-quarter-aligned timestamp, a slot that
    is not 15 minutes long, a value with more than 3 decimals (not whole Wh), a value without a
    validation state or an unknown direction.
    """
    if source not in (SOURCE_FLUVIUS, SOURCE_IMPORT):
        raise ValueError(f"unknown source {source!r}")
    result = IngestResult()
    codes = IMPORTED_CODES if source == SOURCE_IMPORT else QUALITY_CODES
    days = list(_group_by_day(values, result, codes).values())
    for entry in days:
        entry.off_q = "".join(entry.off_q)
        entry.inj_q = "".join(entry.inj_q)
    return _store(meter, days, result)


def readings_ingest_days(
    *, meter: Meter, days: Iterable[DayReadings], source: str = SOURCE_FLUVIUS
) -> IngestResult:
    """Merge per-day arrays into ``meter``'s stored readings and recompute those days' totals.

    The same merge rule, locking and transaction as ``readings_ingest``; the arrays are not
    modified, and their quality codes must be Fluvius's (what ``parse_energy_days`` and
    ``read_mijn_fluvius_csv`` make). ``source`` says where they come from: ``SOURCE_FLUVIUS``
    (the API) or ``SOURCE_IMPORT`` (a Mijn Fluvius CSV file: stored with the import codes, so
    they never replace a Fluvius value). A day given twice is merged in order by the batch rule.
    Raises ``ValueError`` (and stores nothing) when a day is not a ``date``, a list or quality
    string does not have the day's 92/96/100 slots, a quality character is unknown, a Wh value
    is not a Python int within PostgreSQL's integer range, or a value and its quality disagree
    on being missing.
    """
    if source not in (SOURCE_FLUVIUS, SOURCE_IMPORT):
        raise ValueError(f"unknown source {source!r}")
    result = IngestResult()
    blocks = _checked_days(days, result)
    if source == SOURCE_IMPORT:
        for entry in blocks:
            entry.off_q = entry.off_q.translate(_AS_IMPORTED)
            entry.inj_q = entry.inj_q.translate(_AS_IMPORTED)
    return _store(meter, blocks, result)


# Fluvius's quality code of a (state, register) -> the import code of the same (state, register).
_AS_IMPORTED = str.maketrans({QUALITY_CODES[key]: IMPORTED_CODES[key] for key in QUALITY_CODES})


def _group_by_day(values: Iterable[QuarterHourValue], result: IngestResult, codes: dict) -> dict[date, _Day]:
    """One pass over the values: validate them and place each in its day's slot lists (``codes``:
    the quality-code table of their source)."""
    days: dict[date, _Day] = {}
    # UTC hour -> (its local day's lists, slot of the hour's first quarter); Brussels changes
    # offset only on whole hours, so the hour decides day and slot.
    by_hour: dict[int, tuple[_Day, int]] = {}
    locator = SlotLocator()
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


def _checked_days(days: Iterable[DayReadings], result: IngestResult) -> list[_Day]:
    """Validate ``DayReadings`` and turn them into ``_Day`` blocks (days given twice merged)."""
    blocks: dict[date, _Day] = {}
    offsets: dict[date, timedelta] = {}
    missing = 0
    for readings in days:
        day = getattr(readings, "day", None)
        if type(day) is not date:
            raise ValueError(f"not a DayReadings of a local date: {readings!r}")
        # Slots between this local midnight and the next: 96, less or more by the offset change.
        n = 96 + (_utc_offset(day, offsets) - _utc_offset(day + _ONE_DAY, offsets)) // QUARTER
        off_q, inj_q = readings.offtake_quality, readings.injection_quality
        off_wh = _checked_direction(readings.offtake_wh, off_q, n, day, "offtake")
        inj_wh = _checked_direction(readings.injection_wh, inj_q, n, day, "injection")
        missing += off_q.count(MISSING) + inj_q.count(MISSING)
        entry = _Day(day, n, off_wh, off_q, inj_wh, inj_q)
        earlier = blocks.get(day)
        if earlier is None:
            blocks[day] = entry
        else:
            _combine(earlier, entry, result)
    result.skipped_missing += missing
    return list(blocks.values())


def _utc_offset(day: date, cache: dict[date, timedelta]) -> timedelta:
    """Brussels' UTC offset at ``day``'s local midnight (which always exists)."""
    offset = cache.get(day)
    if offset is None:
        offset = cache[day] = datetime.combine(day, _MIDNIGHT, tzinfo=BRUSSELS).utcoffset()
    return offset


def _checked_direction(whs, qualities, n: int, day: date, direction: str) -> list[int | None]:
    """One direction's Wh list, checked against its quality string; raises ``ValueError``."""
    if type(whs) is not list:
        try:
            whs = list(whs)
        except TypeError as error:
            raise ValueError(f"{direction} of {day}: Wh values are not a sequence ({error})") from error
    if type(qualities) is not str or not _FLUVIUS_QUALITY_TEXT.fullmatch(qualities):
        raise ValueError(
            f"{direction} of {day}: quality must be a string of {''.join(QUALITY_CODES.values()) + MISSING!r}"
        )
    if len(whs) != n or len(qualities) != n:
        raise ValueError(
            f"{direction} of {day}: {len(whs)} values and {len(qualities)} qualities for a day of {n} slots"
        )
    missing = qualities.count(MISSING)
    if missing:
        present = [wh for wh in whs if wh is not None]
        if n - len(present) != missing:
            raise ValueError(f"{direction} of {day}: missing values (None) and qualities ('-') disagree")
        slot = qualities.find(MISSING)
        while slot >= 0:
            if whs[slot] is not None:
                raise ValueError(f"{direction} of {day}: slot {slot} has a value but quality '-'")
            slot = qualities.find(MISSING, slot + 1)
    else:
        present = whs
    try:
        array("i", present)  # C-speed check: every value a Python int within -2**31 .. 2**31-1
    except (TypeError, OverflowError) as error:
        raise ValueError(
            f"{direction} of {day}: Wh must be integers within PostgreSQL's integer range ({error})"
        ) from None
    return whs


def _combine(earlier: _Day, later: _Day, result: IngestResult) -> None:
    """Merge a second block of the same day into ``earlier`` by the batch rule (rare)."""
    rank = QUALITY_RANK
    for name_wh, name_q in (("off_wh", "off_q"), ("inj_wh", "inj_q")):
        whs, qualities = list(getattr(earlier, name_wh)), list(getattr(earlier, name_q))
        new_whs, new_qualities = getattr(later, name_wh), getattr(later, name_q)
        for slot, code in enumerate(new_qualities):
            if code == MISSING:
                continue
            previous = qualities[slot]
            if previous != MISSING:
                if rank[code] < rank[previous]:
                    result.skipped_lower_quality += 1
                    continue
                result.superseded += 1
            whs[slot] = new_whs[slot]
            qualities[slot] = code
        setattr(earlier, name_wh, whs)
        setattr(earlier, name_q, "".join(qualities))


def _store(meter: Meter, days: list[_Day], result: IngestResult) -> IngestResult:
    """Lock the meter, merge ``days`` into its stored rows and write the rows that change."""
    if not days:
        return result
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM meters_meter WHERE id = %s FOR NO KEY UPDATE", [meter.pk])
        if cursor.fetchone() is None:
            raise Meter.DoesNotExist(f"meter {meter.pk} does not exist")
        condition, parameters = _days_filter(days)
        cursor.execute(
            "SELECT day, offtake_wh, injection_wh, offtake_quality, injection_quality "
            "FROM meters_readingday WHERE meter_id = %s AND " + condition,
            [meter.pk, *parameters],
        )
        stored = {row[0]: row for row in cursor.fetchall()}  # may hold days outside the batch
        new_rows, changed_rows = _merge(days, stored, result)
        result.days_touched = len(new_rows) + len(changed_rows)
        if not result.days_touched:
            return result
        totals = [(row[0], _totals(*row[1:])) for row in new_rows]
        if changed_rows:
            changed_totals = _changed_totals(cursor, meter.pk, changed_rows)
            # A changed day's row is replaced whole: delete it and COPY the merged one (cheaper
            # than UPDATE from a staging table). Its totals row only if the totals differ.
            _delete_days(
                cursor, meter.pk, [row[0] for row in changed_rows], [day for day, _ in changed_totals]
            )
            new_rows += changed_rows
            totals += changed_totals
        _copy(cursor, "meters_readingday", READING_COLUMNS, _reading_lines(meter.pk, new_rows))
        if totals:
            _copy(cursor, "meters_dailytotal", TOTAL_COLUMNS, _total_lines(meter.pk, totals))
    return result


def _changed_totals(cursor, meter_pk: int, rows: list[tuple]) -> list[tuple[date, tuple]]:
    """``(day, totals)`` of the changed days whose stored totals differ from the new ones."""
    cursor.execute(
        f"SELECT day, {', '.join(TOTAL_COLUMNS[2:])} FROM meters_dailytotal "  # noqa: S608 (fixed names)
        "WHERE meter_id = %s AND day = ANY(%s::date[])",
        [meter_pk, _date_array([row[0] for row in rows])],
    )
    stored = {row[0]: row[1:] for row in cursor.fetchall()}
    totals = [(row[0], _totals(*row[1:])) for row in rows]
    return [(day, values) for day, values in totals if stored.get(day) != values]


def _days_filter(days: list[_Day]) -> tuple[str, list]:
    """SQL condition and parameters on ``day`` covering the batch: a range when its days are
    dense (one index range scan instead of a probe per day; the few extra rows a read may get
    are ignored), else the list of days."""
    first, last = min(entry.day for entry in days), max(entry.day for entry in days)
    if (last - first).days < 2 * len(days):
        return "day BETWEEN %s AND %s", [first, last]
    return "day = ANY(%s::date[])", [_date_array([entry.day for entry in days])]


def _date_array(days: list[date]) -> str:
    """``days`` as the text of a PostgreSQL ``date[]`` (for ``%s::date[]``): 6× cheaper than
    psycopg2's adaptation of a list of dates, which quotes and casts each one."""
    return "{" + ",".join([day.isoformat() for day in days]) + "}"


def _delete_days(cursor, meter_pk: int, reading_days: list[date], total_days: list[date]) -> None:
    """Delete the readings rows and the totals rows of the given days, in one statement."""
    cursor.execute(
        "WITH readings AS (DELETE FROM meters_readingday WHERE meter_id = %s AND day = ANY(%s::date[])) "
        "DELETE FROM meters_dailytotal WHERE meter_id = %s AND day = ANY(%s::date[])",
        [meter_pk, _date_array(reading_days), meter_pk, _date_array(total_days)],
    )


def _merge(days: list[_Day], stored: dict, result: IngestResult) -> tuple[list[tuple], list[tuple]]:
    """Merge incoming days into the stored rows; return (new rows, changed rows).

    A row is ``(day, slots, offtake Wh, injection Wh, offtake quality, injection quality)``,
    merged in full; the incoming lists are never modified.
    """
    new_rows: list[tuple] = []
    changed_rows: list[tuple] = []
    counts = [0, 0, 0, 0, 0]  # inserted, updated, unchanged, skipped lower quality, skipped for Fluvius
    for entry in days:
        row = stored.get(entry.day)
        if row is None:
            present = 2 * entry.n - entry.off_q.count(MISSING) - entry.inj_q.count(MISSING)
            if present:  # a day of nothing but missing values gets no row
                counts[0] += present
                new_rows.append((entry.day, entry.n, entry.off_wh, entry.inj_wh, entry.off_q, entry.inj_q))
            continue
        _, old_off_wh, old_inj_wh, old_off_q, old_inj_q = row
        off_wh, off_q, off_changed = _merge_direction(
            entry.off_wh, entry.off_q, old_off_wh, old_off_q, counts
        )
        inj_wh, inj_q, inj_changed = _merge_direction(
            entry.inj_wh, entry.inj_q, old_inj_wh, old_inj_q, counts
        )
        if off_changed or inj_changed:
            changed_rows.append((entry.day, entry.n, off_wh, inj_wh, off_q, inj_q))
    result.inserted += counts[0]
    result.updated += counts[1]
    result.unchanged += counts[2]
    result.skipped_lower_quality += counts[3]
    result.skipped_fluvius += counts[4]
    return new_rows, changed_rows


def _merge_direction(whs, qualities: str, old_whs, old_qualities: str, counts: list[int]) -> tuple:
    """Merge one direction of a day into its stored arrays: ``(Wh, quality, changed)``."""
    present = len(qualities) - qualities.count(MISSING)
    same_whs = whs == old_whs
    same_qualities = qualities == old_qualities
    if same_whs and same_qualities:
        counts[2] += present
        return old_whs, old_qualities, False
    n = len(whs)
    if len(old_whs) != n or len(old_qualities) != len(qualities):
        raise ValueError(f"stored row has {len(old_whs)} slots, incoming {n}")
    # The slots that differ in value or quality; everything else is unchanged (or missing twice).
    differing = set() if same_whs else set(compress(range(n), map(ne, whs, old_whs)))
    if not same_qualities:
        # Quality strings are ASCII: the nonzero bytes of their XOR (as big-endian integers)
        # are the differing slots, found without a Python step per slot.
        xor = int.from_bytes(qualities.encode("ascii")) ^ int.from_bytes(old_qualities.encode("ascii"))
        last = len(qualities) - 1
        while xor:
            shift = (xor.bit_length() - 1) & ~7
            differing.add(last - (shift >> 3))
            xor &= ~(0xFF << shift)
    rank = QUALITY_RANK
    accepted: list[int] = []
    inserted = updated = lower = fluvius = 0
    rejected = False
    for slot in differing:
        code = qualities[slot]
        if code == MISSING:
            rejected = True
            continue  # missing never overwrites
        old_code = old_qualities[slot]
        if old_code == MISSING:
            inserted += 1
        elif rank[code] < rank[old_code]:
            if rank[old_code] > FLUVIUS_RANK >= rank[code]:
                fluvius += 1  # an imported value meets one Fluvius delivered
            else:
                lower += 1
            rejected = True
            continue
        else:
            updated += 1
        accepted.append(slot)
    counts[0] += inserted
    counts[1] += updated
    counts[2] += present - inserted - updated - lower - fluvius
    counts[3] += lower
    counts[4] += fluvius
    if not accepted:
        return old_whs, old_qualities, False
    if not rejected:  # every differing slot takes the incoming value: the merge is the input
        return whs, qualities, True
    merged_wh, merged_q = list(old_whs), list(old_qualities)
    for slot in accepted:
        merged_wh[slot] = whs[slot]
        merged_q[slot] = qualities[slot]
    return merged_wh, "".join(merged_q), True


def _array_text(whs: list[int | None]) -> str:
    try:
        return "{" + ",".join(map(_WH_TEXT.__getitem__, whs)) + "}"
    except KeyError:  # a value outside the table (negative or >= 10,000 Wh)
        return "{" + ",".join("NULL" if wh is None else str(wh) for wh in whs) + "}"


def _reading_lines(meter_pk: int, rows: list[tuple]) -> str:
    prefix = f"{meter_pk}\t"
    return "".join(
        f"{prefix}{day.isoformat()}\t{_array_text(off_wh)}\t{_array_text(inj_wh)}\t{off_q}\t{inj_q}\n"
        for day, _, off_wh, inj_wh, off_q, inj_q in rows
    )


def _direction_totals(whs: list[int | None], qualities: bytes) -> tuple:
    """(total, day, night, present) in Wh for one direction of a day; totals None if nothing."""
    present = len(qualities) - qualities.count(_MISSING_BYTE)
    if not present:
        return None, None, None, 0
    # Each present slot is booked on the day, night or total register: summing the slots of
    # each is exact, and without total-register slots the total is day + night.
    day = sum(compress(whs, qualities.translate(_DAY_MASK)))
    night = sum(compress(whs, qualities.translate(_NIGHT_MASK)))
    total = day + night
    if qualities.translate(None, _NOT_TOTAL_REGISTER):
        total += sum(compress(whs, qualities.translate(_TOTAL_REGISTER_MASK)))
    return total, day, night, present


def _totals(n: int, off_wh, inj_wh, off_q: str, inj_q: str) -> tuple:
    """The ``DailyTotal`` columns after ``meter_id`` and ``day`` for one merged day."""
    off_codes, inj_codes = off_q.encode("ascii"), inj_q.encode("ascii")
    off_total, off_day, off_night, off_present = _direction_totals(off_wh, off_codes)
    inj_total, inj_day, inj_night, inj_present = _direction_totals(inj_wh, inj_codes)
    if off_present:
        peak_wh = max(off_wh) if off_present == n else max(wh for wh in off_wh if wh is not None)
        peak_w, peak_slot = peak_wh * 4, off_wh.index(peak_wh)
    else:
        peak_w = peak_slot = None
    estimated = len(off_codes.translate(None, _NOT_ESTIMATED)) + len(
        inj_codes.translate(None, _NOT_ESTIMATED)
    )
    imported = len(off_codes.translate(None, _NOT_IMPORTED)) + len(inj_codes.translate(None, _NOT_IMPORTED))
    return (
        off_total,
        inj_total,
        off_day,
        off_night,
        inj_day,
        inj_night,
        peak_w,
        peak_slot,
        n,
        off_present,
        inj_present,
        estimated,
        imported,
    )


def _copy_field(value) -> str:
    return r"\N" if value is None else str(value)


def _total_lines(meter_pk: int, totals: list[tuple[date, tuple]]) -> str:
    prefix = f"{meter_pk}\t"
    return "".join(
        f"{prefix}{day.isoformat()}\t" + "\t".join(map(_copy_field, values)) + "\n" for day, values in totals
    )


def _copy(cursor, table: str, columns: tuple[str, ...], text: str) -> None:
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(text))


# --- Rebuilding the derived table ------------------------------------------------------------------


@dataclass
class RebuildResult:
    """What ``daily_totals_rebuild`` did: days with readings looked at, totals rows rewritten
    (wrong or missing) and removed (left without a readings row)."""

    days_checked: int = 0
    rewritten: int = 0
    removed: int = 0


def daily_totals_rebuild(
    *, meter: Meter, first: date | None = None, last: date | None = None
) -> RebuildResult:
    """Recompute ``meter``'s ``DailyTotal`` rows from its stored ``ReadingDay`` rows.

    Over the local days ``[first, last]`` (each optional: open-ended). The totals are computed
    by the ingest's own ``_totals``; a row that differs is rewritten, a missing one written, one
    whose day has no readings row deleted, and rows already right are not touched, so a second
    run writes nothing. Same meter lock and one transaction, as in the ingest. Raises
    ``ValueError`` when ``last`` is before ``first``.
    """
    if first is not None and last is not None and last < first:
        raise ValueError(f"the range ends ({last}) before it starts ({first})")
    condition, parameters = "TRUE", []
    if first is not None:
        condition += " AND day >= %s"
        parameters.append(first)
    if last is not None:
        condition += " AND day <= %s"
        parameters.append(last)
    result = RebuildResult()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM meters_meter WHERE id = %s FOR NO KEY UPDATE", [meter.pk])
        if cursor.fetchone() is None:
            raise Meter.DoesNotExist(f"meter {meter.pk} does not exist")
        cursor.execute(
            "SELECT day, offtake_wh, injection_wh, offtake_quality, injection_quality "
            "FROM meters_readingday WHERE meter_id = %s AND " + condition,
            [meter.pk, *parameters],
        )
        computed = {
            day: _totals(len(off_q), off_wh, inj_wh, off_q, inj_q)
            for day, off_wh, inj_wh, off_q, inj_q in cursor.fetchall()
        }
        cursor.execute(
            f"SELECT day, {', '.join(TOTAL_COLUMNS[2:])} FROM meters_dailytotal "  # noqa: S608 (fixed names)
            "WHERE meter_id = %s AND " + condition,
            [meter.pk, *parameters],
        )
        stored = {row[0]: row[1:] for row in cursor.fetchall()}
        wrong = sorted(day for day, totals in computed.items() if stored.get(day) != totals)
        orphans = sorted(set(stored) - set(computed))
        if wrong or orphans:
            cursor.execute(
                "DELETE FROM meters_dailytotal WHERE meter_id = %s AND day = ANY(%s::date[])",
                [meter.pk, _date_array(wrong + orphans)],
            )
        if wrong:
            _copy(
                cursor,
                "meters_dailytotal",
                TOTAL_COLUMNS,
                _total_lines(meter.pk, [(day, computed[day]) for day in wrong]),
            )
    result.days_checked, result.rewritten, result.removed = len(computed), len(wrong), len(orphans)
    return result
