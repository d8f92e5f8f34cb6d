"""Energy figures of a local period (a day, month or year) and the calendar steps between periods.

A period is the local (Europe/Brussels) dates ``[start, end)``. Its figures come from the
``DailyTotal`` rows in it; the quarter-hours it *should* have are counted up to today only,
so "this month" is complete when every past quarter-hour of the month is stored. Only the
days the reader may see count (``visible``, meters.selectors.visibility): another occupant's
days neither add to the figures nor count as missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection

from ilusmart import clock
from meters.models import Meter
from meters.quarterhours import BRUSSELS
from meters.selectors.readings import MonthlyPeak, Totals, meters_condition, monthly_peak
from meters.selectors.visibility import VisiblePeriods

# One period's figures, each over the period's days (``{period}``): six energy sums, the peak,
# expected, offtake/injection present, estimated, imported, and the quarter-hours with both
# directions among the days that are due.
_PERIOD_COLUMNS = """
sum(offtake_wh) FILTER (WHERE {period}), sum(injection_wh) FILTER (WHERE {period}),
sum(offtake_day_wh) FILTER (WHERE {period}), sum(offtake_night_wh) FILTER (WHERE {period}),
sum(injection_day_wh) FILTER (WHERE {period}), sum(injection_night_wh) FILTER (WHERE {period}),
max(peak_offtake_w) FILTER (WHERE {period}),
coalesce(sum(slots_expected) FILTER (WHERE {period}), 0),
coalesce(sum(offtake_slots_present) FILTER (WHERE {period}), 0),
coalesce(sum(injection_slots_present) FILTER (WHERE {period}), 0),
coalesce(sum(estimated_values) FILTER (WHERE {period}), 0),
coalesce(sum(imported_values) FILTER (WHERE {period}), 0),
coalesce(sum(least(offtake_slots_present, injection_slots_present))
         FILTER (WHERE {period} AND day < %s), 0)
"""
_PERIOD_WIDTH = 13

_SUMMARY_SQL = """
SELECT meter_id, min(day),
       max(day) FILTER (WHERE offtake_slots_present > 0 OR injection_slots_present > 0){periods}{days}{peaks}
FROM meters_dailytotal
WHERE {meters}
GROUP BY meter_id
"""
# Days are sent as whole days since _EPOCH in integer arrays (the arrays of a row of several types).
_EPOCH = date(2000, 1, 1)
# The stored days of a range, unordered (sorted in Python): each day as the columns of ``Totals``.
_DAYS_COLUMN = """,
array_agg(ARRAY[day - DATE '2000-01-01', offtake_wh, injection_wh, offtake_day_wh, offtake_night_wh,
                injection_day_wh, injection_night_wh, peak_offtake_w, slots_expected,
                offtake_slots_present, injection_slots_present, estimated_values, imported_values])
    FILTER (WHERE day >= %s AND day < %s)"""
# A month's peak: the highest quarter-hour offtake, the first day that reached it, its slot.
_PEAK_COLUMN = """,
(array_agg(ARRAY[day - DATE '2000-01-01', peak_offtake_w, peak_offtake_slot]
           ORDER BY peak_offtake_w DESC, day)
    FILTER (WHERE day >= %s AND day < %s AND peak_offtake_w IS NOT NULL))[1:1]"""


# The local days the portal knows of: digital meters (and their CSV files) have no data before
# 2010, and Fluvius publishes a day after it ends. Chart URLs outside answer 404, CSV rows outside
# are refused.
FIRST_DATA_DAY = date(2010, 1, 1)


def local_today() -> date:
    """Today's date in Brussels."""
    return clock.local_today()


# Fluvius publishes local day D at 06:00 local on D+1 (shared/domain/fluvius-api.md): before
# that, yesterday has no data to expect yet.
PUBLISHED_AT = time(6, 0)


def first_day_not_due(today: date | None = None, *, now: datetime | None = None) -> date:
    """The first local day Fluvius need not have delivered yet: today, or yesterday before 06:00.

    Days before it are *due*: a quarter-hour of them that is not stored is missing. A caller that
    passes ``today`` (a page's or a test's "today") never gets a later day than that.
    """
    local = (now or clock.now()).astimezone(BRUSSELS)
    due_before = local.date() if local.time() >= PUBLISHED_AT else local.date() - timedelta(days=1)
    return due_before if today is None else min(today, due_before)


def last_data_day(today: date | None = None) -> date:
    """The last local day that may hold data: tomorrow (a little slack for clocks and time zones)."""
    return (today or local_today()) + timedelta(days=1)


def data_day_allowed(day: date, *, today: date | None = None) -> bool:
    """True when ``day`` lies within ``FIRST_DATA_DAY`` … tomorrow."""
    return FIRST_DATA_DAY <= day <= last_data_day(today)


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_add(month: date, months: int) -> date:
    """The 1st of the month ``months`` after (or before, if negative) ``month``'s month."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def year_ago(day: date) -> date:
    """The same calendar date a year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _difference(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a - b


@dataclass(frozen=True, slots=True)
class PeriodFigures:
    """Offtake, injection and net (offtake − injection) of a period, with the day/night split.

    ``slots_expected`` counts the period's quarter-hours of the days Fluvius should have
    delivered by now (``first_day_not_due``); ``quarter_hours_present`` those of them with both
    an offtake and an injection value. ``None`` energy means no value at all, never zero. ``first_data_day`` is the meter's first stored day (any period),
    read by the same query, so that a chart need not ask for it again.
    """

    start: date
    end: date
    totals: Totals
    slots_expected: int
    first_data_day: date | None = None
    quarter_hours_present: int = 0

    @property
    def offtake_kwh(self) -> Decimal | None:
        return self.totals.offtake_kwh

    @property
    def injection_kwh(self) -> Decimal | None:
        return self.totals.injection_kwh

    @property
    def offtake_day_kwh(self) -> Decimal | None:
        return self.totals.offtake_day_kwh

    @property
    def offtake_night_kwh(self) -> Decimal | None:
        return self.totals.offtake_night_kwh

    @property
    def injection_day_kwh(self) -> Decimal | None:
        return self.totals.injection_day_kwh

    @property
    def injection_night_kwh(self) -> Decimal | None:
        return self.totals.injection_night_kwh

    @property
    def net_kwh(self) -> Decimal | None:
        return _difference(self.offtake_kwh, self.injection_kwh)

    @property
    def net_day_kwh(self) -> Decimal | None:
        return _difference(self.offtake_day_kwh, self.injection_day_kwh)

    @property
    def net_night_kwh(self) -> Decimal | None:
        return _difference(self.offtake_night_kwh, self.injection_night_kwh)

    @property
    def has_data(self) -> bool:
        return self.offtake_kwh is not None or self.injection_kwh is not None

    @property
    def missing_quarter_hours(self) -> int:
        """Quarter-hours Fluvius should have delivered by now that lack a value (offtake,
        injection or both: a quarter-hour counts once)."""
        return max(0, self.slots_expected - self.quarter_hours_present)

    @property
    def estimated_values(self) -> int:
        return self.totals.estimated_values

    @property
    def estimated_percent(self) -> Decimal | None:
        """The share of the stored values (both directions) that is estimated (EST), in %."""
        return estimated_percent(
            self.totals.estimated_values,
            self.totals.offtake_slots_present + self.totals.injection_slots_present,
        )

    @property
    def complete(self) -> bool:
        return self.missing_quarter_hours == 0


def estimated_percent(estimated: int, present: int) -> Decimal | None:
    """``estimated`` of ``present`` values in %, with one decimal (at least 0.1 when any is
    estimated, so a share never reads as 0 %); None when none is estimated."""
    if not estimated or not present:
        return None
    share = (Decimal(100) * estimated / present).quantize(Decimal("0.1"))
    return max(share, Decimal("0.1"))


@dataclass(frozen=True, slots=True)
class MeterDays:
    """What one read of a meter's visible daily totals tells: its first stored day, the last day
    with any value (``latest_data_day``), the figures of each period asked for, and, when asked,
    the stored days of a range (``days``, in order) and the peak of each month asked for
    (``monthly_peaks``, months without offtake data absent)."""

    first_data_day: date | None
    latest_data_day: date | None
    periods: tuple[PeriodFigures, ...]
    days: tuple[Totals, ...] = ()
    monthly_peaks: tuple[MonthlyPeak, ...] = ()


def meter_days_for_meters(
    *,
    meters,
    periods: list[tuple[date, date]],
    today: date | None = None,
    days: tuple[date, date] | None = None,
    peak_months: list[date] = (),
) -> dict[int, MeterDays]:
    """For each of ``meters`` (pairs of a meter and its ``VisiblePeriods``), by meter id: the
    figures of each local period ``[start_date, end_date)`` in ``periods``, summed from its visible
    days, and its first and latest data day; one query whatever the number of meters and periods.
    In the same query, if asked: the ``Totals`` of each visible stored day of the range ``days``
    (``daily_totals``) and the peak of each month (its 1st) in ``peak_months`` (``monthly_peaks``).

    Quarter-hours are expected on the visible days from the meter's first (visible) stored day
    up to the last day Fluvius should have delivered (``first_day_not_due``): the months before
    a meter's data begins are not "missing", nor are another occupant's days or yesterday
    before Fluvius publishes it.
    """
    today = today or local_today()
    due_before = first_day_not_due(today)
    columns, parameters = "", []
    for start_date, end_date in periods:
        columns += ",\n" + _PERIOD_COLUMNS.format(period="(day >= %s AND day < %s)")
        parameters += [start_date, end_date] * 12 + [start_date, end_date, due_before]
    days_column = _DAYS_COLUMN if days is not None else ""
    parameters += list(days or ())
    for month in peak_months:
        parameters += [month, month_add(month, 1)]
    condition, meter_parameters = meters_condition(meters)
    sql = _SUMMARY_SQL.format(
        periods=columns, days=days_column, peaks=_PEAK_COLUMN * len(peak_months), meters=condition
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*parameters, *meter_parameters])
        rows = {row[0]: row for row in cursor.fetchall()}
    empty = (None, None, None) + ((None,) * 7 + (0,) * 6) * len(periods)
    empty += (None,) * ((days is not None) + len(peak_months))
    after_periods = 3 + len(periods) * _PERIOD_WIDTH
    result = {}
    for meter, visible in meters:
        row = rows.get(meter.pk, empty)
        first_day = row[1]
        figures = []
        for index, (start_date, end_date) in enumerate(periods):
            values = row[3 + index * _PERIOD_WIDTH : 3 + (index + 1) * _PERIOD_WIDTH]
            totals = Totals(start_date, *values[:7], *(int(v) for v in values[7:12]))
            expected = 0
            if first_day is not None:
                expected = visible.slots_between(max(start_date, first_day), min(end_date, due_before))
            figures.append(PeriodFigures(start_date, end_date, totals, expected, first_day, int(values[12])))
        stored = ()
        if days is not None:
            stored = tuple(sorted(_days_of(row[after_periods]), key=lambda totals: totals.period))
        peaks_at = after_periods + (days is not None)
        peaks = tuple(
            monthly_peak(month, _EPOCH + timedelta(days=found[0][0]), found[0][1], found[0][2])
            for month, found in zip(peak_months, row[peaks_at:], strict=True)
            if found
        )
        result[meter.pk] = MeterDays(first_day, row[2], tuple(figures), stored, peaks)
    return result


def _days_of(values: list[list[int | None]] | None) -> list[Totals]:
    return [Totals(_EPOCH + timedelta(days=day), *rest) for day, *rest in values or ()]


def period_figures(
    *, meter: Meter, start_date: date, end_date: date, visible: VisiblePeriods, today: date | None = None
) -> PeriodFigures:
    """Figures of ``meter`` over the local dates ``[start_date, end_date)``, summed from its
    ``visible`` days (``meter_days_for_meters``)."""
    days = meter_days_for_meters(meters=[(meter, visible)], periods=[(start_date, end_date)], today=today)
    return days[meter.pk].periods[0]
