"""Reads of meters' readings and totals, in Decimal kWh / kW at the edges.

Dates are local (Europe/Brussels) calendar dates; ranges are ``[start_date, end_date)``.
Readings come from ``ReadingDay`` (one row per meter and local day), totals from
``DailyTotal``; month and year figures are summed from the daily rows.

Each read takes ``visible``: the days of the meter the reader may see
(``meters.selectors.visibility.visible_periods`` for a homeowner); other days read as if
nothing were stored. Staff and operators read every day (the default, ``ALL_DAYS``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection

from ilusmart.fluvius.types import Register, ValidationState
from meters.models import Meter, ReadingDay
from meters.quarterhours import (
    IMPORTED_CODE_SET,
    MISSING,
    QUALITY_DECODE,
    QUARTER,
    SOURCE_BOTH,
    SOURCE_FLUVIUS,
    SOURCE_IMPORT,
    day_start_utc,
    slots_in_day,
    source_of,
)
from meters.selectors.visibility import ALL_DAYS, VisiblePeriods

_DECODE: dict[str, tuple[ValidationState | None, Register | None]] = QUALITY_DECODE | {MISSING: (None, None)}


def wh_to_kwh(wh: int | None) -> Decimal | None:
    """Integer Wh to Decimal kWh with exactly 3 decimals (``None`` stays ``None``)."""
    # scaleb only moves the exponent: an integer always becomes exactly 3 decimals.
    return None if wh is None else Decimal(wh).scaleb(-3)


def w_to_kw(w: int | None) -> Decimal | None:
    """Integer W to Decimal kW with exactly 3 decimals (``None`` stays ``None``)."""
    return wh_to_kwh(w)


@dataclass(slots=True)
class ReadingSlot:
    """One quarter-hour of a meter: both directions, their states, registers and sources.

    ``register`` is the offtake's register, or the injection's when offtake is missing.
    ``offtake_imported`` / ``injection_imported``: the value came from a CSV import, not Fluvius.
    """

    start_utc: datetime
    end_utc: datetime
    offtake_kwh: Decimal | None
    injection_kwh: Decimal | None
    offtake_state: ValidationState | None
    injection_state: ValidationState | None
    register: Register | None
    offtake_register: Register | None
    injection_register: Register | None
    offtake_imported: bool = False
    injection_imported: bool = False

    @property
    def source(self) -> str | None:
        """``fluvius``, ``import`` or ``both`` (the two directions differ); None without a value."""
        # Without a set: the API asks this of every quarter-hour it answers.
        if self.offtake_kwh is None:
            if self.injection_kwh is None:
                return None
            imported = self.injection_imported
        elif self.injection_kwh is None or self.offtake_imported == self.injection_imported:
            imported = self.offtake_imported
        else:
            return SOURCE_BOTH
        return SOURCE_IMPORT if imported else SOURCE_FLUVIUS


@dataclass(slots=True)
class Totals:
    """Energy over a day, month or year. ``period`` is its first local date.

    Stored as exact integers (Wh, W); read them as Decimal kWh / kW through the ``*_kwh`` and
    ``peak_offtake_kw`` properties (converted on access: a chart reading two of seven figures
    does not pay for all seven). Energy is ``None`` when no quarter-hour of that direction had
    a value; the peak is the highest quarter-hour offtake (kWh × 4) in the period.
    ``imported_values`` of the values present came from a CSV import (``source`` says it in a word).
    """

    period: date
    offtake_wh: int | None
    injection_wh: int | None
    offtake_day_wh: int | None
    offtake_night_wh: int | None
    injection_day_wh: int | None
    injection_night_wh: int | None
    peak_offtake_w: int | None
    slots_expected: int
    offtake_slots_present: int
    injection_slots_present: int
    estimated_values: int
    imported_values: int = 0

    @property
    def source(self) -> str | None:
        """``fluvius``, ``import`` or ``both``: where the period's values came from; None without any."""
        return source_of(self.offtake_slots_present + self.injection_slots_present, self.imported_values)

    @property
    def offtake_kwh(self) -> Decimal | None:
        return wh_to_kwh(self.offtake_wh)

    @property
    def injection_kwh(self) -> Decimal | None:
        return wh_to_kwh(self.injection_wh)

    @property
    def offtake_day_kwh(self) -> Decimal | None:
        return wh_to_kwh(self.offtake_day_wh)

    @property
    def offtake_night_kwh(self) -> Decimal | None:
        return wh_to_kwh(self.offtake_night_wh)

    @property
    def injection_day_kwh(self) -> Decimal | None:
        return wh_to_kwh(self.injection_day_wh)

    @property
    def injection_night_kwh(self) -> Decimal | None:
        return wh_to_kwh(self.injection_night_wh)

    @property
    def peak_offtake_kw(self) -> Decimal | None:
        return w_to_kw(self.peak_offtake_w)

    @property
    def complete(self) -> bool:
        """True when every expected quarter-hour has both directions."""
        return self.offtake_slots_present == self.injection_slots_present == self.slots_expected


@dataclass(frozen=True, slots=True)
class MonthlyPeak:
    """The highest quarter-hour offtake of a local calendar month (capacity tariff)."""

    month: date
    peak_offtake_kw: Decimal
    day: date
    start_utc: datetime
    end_utc: datetime


def slot_from_codes(
    *,
    start_utc: datetime,
    offtake_wh: int | None,
    injection_wh: int | None,
    offtake_code: str,
    injection_code: str,
) -> ReadingSlot:
    """One quarter-hour from its stored form: values in Wh and one quality code per direction."""
    off_state, off_reg = _DECODE[offtake_code]
    inj_state, inj_reg = _DECODE[injection_code]
    return ReadingSlot(
        start_utc=start_utc,
        end_utc=start_utc + QUARTER,
        offtake_kwh=wh_to_kwh(offtake_wh),
        injection_kwh=wh_to_kwh(injection_wh),
        offtake_state=off_state,
        injection_state=inj_state,
        register=off_reg or inj_reg,
        offtake_register=off_reg,
        injection_register=inj_reg,
        offtake_imported=offtake_code in IMPORTED_CODE_SET,
        injection_imported=injection_code in IMPORTED_CODE_SET,
    )


def _slots_of_day(day: date, row) -> list[ReadingSlot]:
    start = day_start_utc(day)
    n = slots_in_day(day)
    if row is None:
        off_wh = inj_wh = [None] * n
        off_q = inj_q = MISSING * n
    else:
        off_wh, inj_wh, off_q, inj_q = row
    return [
        slot_from_codes(
            start_utc=start + i * QUARTER,
            offtake_wh=off_wh[i],
            injection_wh=inj_wh[i],
            offtake_code=off_q[i],
            injection_code=inj_q[i],
        )
        for i in range(n)
    ]


def reading_rows(
    *, meter: Meter, start_date: date, end_date: date, visible: VisiblePeriods = ALL_DAYS
) -> dict:
    """The stored rows of ``[start_date, end_date)`` as ``{day: (offtake_wh, injection_wh,
    offtake_quality, injection_quality)}`` (visible days only): the raw form, for bulk writers."""
    rows = (
        ReadingDay.objects.filter(meter=meter, day__gte=start_date, day__lt=end_date)
        .filter(visible.q("day"))
        .values_list("day", "offtake_wh", "injection_wh", "offtake_quality", "injection_quality")
    )
    return {row[0]: row[1:] for row in rows}


def readings_for_day(*, meter: Meter, day: date, visible: VisiblePeriods = ALL_DAYS) -> list[ReadingSlot]:
    """Every quarter-hour of the local ``day`` (92, 96 or 100), missing ones with ``None``."""
    return _slots_of_day(
        day,
        reading_rows(meter=meter, start_date=day, end_date=day + timedelta(days=1), visible=visible).get(day),
    )


def readings_for_range(
    *, meter: Meter, start_date: date, end_date: date, visible: VisiblePeriods = ALL_DAYS
) -> Iterator[ReadingSlot]:
    """Every quarter-hour of the local dates ``[start_date, end_date)``, in time order.

    Reads a month of rows at a time, so a long range does not sit in memory at once.
    """
    chunk_start = start_date
    while chunk_start < end_date:
        chunk_end = min(chunk_start + timedelta(days=31), end_date)
        rows = reading_rows(meter=meter, start_date=chunk_start, end_date=chunk_end, visible=visible)
        day = chunk_start
        while day < chunk_end:
            yield from _slots_of_day(day, rows.get(day))
            day += timedelta(days=1)
        chunk_start = chunk_end


def _totals(row: tuple) -> Totals:
    """``row``: period, six energy sums (Wh), peak W, expected, offtake/injection present, estimated,
    imported."""
    return Totals(*row[:8], *(int(value or 0) for value in row[8:13]))


def meters_condition(meters) -> tuple[str, list]:
    """A SQL condition on ``meters_dailytotal`` rows: each of ``meters`` (pairs of a meter and its
    ``VisiblePeriods``) over its own visible days; with its parameters."""
    parts, parameters = [], []
    for meter, visible in meters:
        condition, values = visible.sql("day")
        parts.append(f"(meter_id = %s AND {condition})")
        parameters += [meter.pk, *values]
    pks = [meter.pk for meter, _visible in meters]
    return "(meter_id = ANY(%s) AND (" + (" OR ".join(parts) or "FALSE") + "))", [pks, *parameters]


_DAILY_SQL = """
SELECT meter_id, day, offtake_wh, injection_wh, offtake_day_wh, offtake_night_wh, injection_day_wh,
       injection_night_wh, peak_offtake_w, slots_expected, offtake_slots_present,
       injection_slots_present, estimated_values, imported_values
FROM meters_dailytotal
WHERE day >= %s AND day < %s AND {meters}
ORDER BY meter_id, day
"""


def daily_totals_for_meters(*, meters, start_date: date, end_date: date) -> dict[int, list[Totals]]:
    """``daily_totals`` of each of ``meters`` (pairs of a meter and its ``VisiblePeriods``) by meter
    id, in one query whatever their number."""
    condition, parameters = meters_condition(meters)
    by_meter: dict[int, list[Totals]] = {meter.pk: [] for meter, _visible in meters}
    # Raw SQL: this feeds every chart, and the ORM's per-row overhead tripled its time.
    with connection.cursor() as cursor:
        cursor.execute(_DAILY_SQL.format(meters=condition), [start_date, end_date, *parameters])
        for row in cursor.fetchall():
            by_meter[row[0]].append(_totals(row[1:]))
    return by_meter


def daily_totals(
    *, meter: Meter, start_date: date, end_date: date, visible: VisiblePeriods = ALL_DAYS
) -> list[Totals]:
    """Totals of each stored local day in ``[start_date, end_date)``; days without data are absent."""
    return daily_totals_for_meters(meters=[(meter, visible)], start_date=start_date, end_date=end_date)[
        meter.pk
    ]


_GROUPED_SQL = """
SELECT date_trunc(%s, day)::date AS period,
       sum(offtake_wh), sum(injection_wh), sum(offtake_day_wh), sum(offtake_night_wh),
       sum(injection_day_wh), sum(injection_night_wh), max(peak_offtake_w),
       sum(slots_expected), sum(offtake_slots_present), sum(injection_slots_present),
       sum(estimated_values), sum(imported_values)
FROM meters_dailytotal
WHERE meter_id = %s AND day >= %s AND day < %s AND {visible}
GROUP BY 1 ORDER BY 1
"""


def _grouped_totals(
    meter: Meter, unit: str, start_date: date, end_date: date, visible: VisiblePeriods
) -> list[Totals]:
    condition, parameters = visible.sql("day")
    with connection.cursor() as cursor:
        cursor.execute(
            _GROUPED_SQL.format(visible=condition), [unit, meter.pk, start_date, end_date, *parameters]
        )
        return [_totals(row) for row in cursor.fetchall()]


def monthly_totals(*, meter: Meter, year: int, visible: VisiblePeriods = ALL_DAYS) -> list[Totals]:
    """Totals per local calendar month of ``year`` that has data (``period`` = the 1st).

    ``slots_expected`` counts only the days that have a stored row.
    """
    return _grouped_totals(meter, "month", date(year, 1, 1), date(year + 1, 1, 1), visible)


def yearly_totals(*, meter: Meter, visible: VisiblePeriods = ALL_DAYS) -> list[Totals]:
    """Totals per local calendar year that has data (``period`` = 1 January)."""
    return _grouped_totals(meter, "year", date.min, date.max, visible)


_PEAKS_SQL = """
SELECT DISTINCT ON (meter_id, date_trunc('month', day)) meter_id, date_trunc('month', day)::date, day,
       peak_offtake_w, peak_offtake_slot
FROM meters_dailytotal
WHERE day >= %s AND day < %s AND peak_offtake_w IS NOT NULL AND {meters}
ORDER BY meter_id, date_trunc('month', day), peak_offtake_w DESC, day
"""


def monthly_peaks_for_meters(*, meters, start_month: date, end_month: date) -> dict[int, list[MonthlyPeak]]:
    """``monthly_peaks`` of each of ``meters`` (pairs of a meter and its ``VisiblePeriods``) by
    meter id, in one query whatever their number."""
    condition, parameters = meters_condition(meters)
    by_meter: dict[int, list[MonthlyPeak]] = {meter.pk: [] for meter, _visible in meters}
    with connection.cursor() as cursor:
        cursor.execute(
            _PEAKS_SQL.format(meters=condition),
            [start_month.replace(day=1), end_month.replace(day=1), *parameters],
        )
        rows = cursor.fetchall()
    for meter_id, month, day, peak_w, slot in rows:
        by_meter[meter_id].append(monthly_peak(month, day, peak_w, slot))
    return by_meter


def monthly_peak(month: date, day: date, peak_w: int, slot: int) -> MonthlyPeak:
    """``month``'s peak from its stored form: the day and the slot (0-based) of the peak, in W."""
    start = day_start_utc(day) + slot * QUARTER
    return MonthlyPeak(month, w_to_kw(peak_w), day, start, start + QUARTER)


def monthly_peaks(
    *, meter: Meter, start_month: date, end_month: date, visible: VisiblePeriods = ALL_DAYS
) -> list[MonthlyPeak]:
    """The highest quarter-hour offtake (kW) of each local month in ``[start_month, end_month)``.

    Months are given by any date in them. For each month with offtake data: the peak in kW,
    the local day and the UTC quarter-hour that first reached it. Months without data are absent.
    """
    return monthly_peaks_for_meters(meters=[(meter, visible)], start_month=start_month, end_month=end_month)[
        meter.pk
    ]


# --- Totals per day or month of a range (the CSV downloads and the API) ---------------------

PERIOD_DAY = "day"
PERIOD_MONTH = "month"
PERIOD_ENERGY_FIELDS = (
    "offtake_wh",
    "offtake_day_wh",
    "offtake_night_wh",
    "injection_wh",
    "injection_day_wh",
    "injection_night_wh",
)


@dataclass(slots=True)
class PeriodTotals(Totals):
    """One local day or month of a range, ``[start, end)``: sums of its stored (visible) days.

    Energy is ``None`` when no day of the period has a value of that direction (never 0);
    ``slots_expected`` counts every quarter-hour of the period (92/96/100 a day), stored or not.
    A month cut by the range's ends covers only the range's days.
    """

    end: date | None = None  # exclusive

    @property
    def start(self) -> date:
        return self.period


def _period_starts(resolution: str, start_date: date, end_date: date) -> list[date]:
    if resolution == PERIOD_DAY:
        return [start_date + timedelta(days=i) for i in range((end_date - start_date).days)]
    starts, month = [start_date], start_date.replace(day=1)
    while True:
        month = (month + timedelta(days=32)).replace(day=1)
        if month >= end_date:
            return starts
        starts.append(month)


def _sum_present(values: list[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def period_totals(
    *, meter: Meter, start_date: date, end_date: date, resolution: str, visible: VisiblePeriods = ALL_DAYS
) -> list[PeriodTotals]:
    """One ``PeriodTotals`` per local day or month (``resolution``) of ``[start_date, end_date)``,
    every period of the range, in order; only ``visible`` days carry values."""
    starts = _period_starts(resolution, start_date, end_date)
    ends = [*starts[1:], end_date]
    stored = daily_totals(meter=meter, start_date=start_date, end_date=end_date, visible=visible)
    periods, index = [], 0
    for period_start, period_end in zip(starts, ends, strict=True):
        days = []
        while index < len(stored) and stored[index].period < period_end:
            days.append(stored[index])
            index += 1
        sums = {field: _sum_present([getattr(d, field) for d in days]) for field in PERIOD_ENERGY_FIELDS}
        peaks = [d.peak_offtake_w for d in days if d.peak_offtake_w is not None]
        periods.append(
            PeriodTotals(
                period=period_start,
                end=period_end,
                **sums,
                peak_offtake_w=max(peaks) if peaks else None,
                slots_expected=sum(
                    slots_in_day(period_start + timedelta(days=i))
                    for i in range((period_end - period_start).days)
                ),
                offtake_slots_present=sum(d.offtake_slots_present for d in days),
                injection_slots_present=sum(d.injection_slots_present for d in days),
                estimated_values=sum(d.estimated_values for d in days),
                imported_values=sum(d.imported_values for d in days),
            )
        )
    return periods


# --- Homeowner scoping: every meter a homeowner reaches goes through these -----------------


def meters_for_user(*, user):
    """The meters linked to `user`, with their sync state."""
    return Meter.objects.filter(owner=user).select_related("sync_state").order_by("label", "ean")


def meter_for_user(*, user, meter_id: int) -> Meter:
    """`user`'s meter `meter_id`; raises Meter.DoesNotExist for anyone else's (views answer 404)."""
    return meters_for_user(user=user).get(pk=meter_id)


def meter_for_user_by_ean(*, user, ean: str) -> Meter:
    """`user`'s meter with `ean`; raises Meter.DoesNotExist for anyone else's (the API answers 404)."""
    return meters_for_user(user=user).get(ean=ean)
