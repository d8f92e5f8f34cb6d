"""The figures behind the charts: a day by quarter-hour, a month by day, a year by month, all years.

Each chart is a list of points in local (Europe/Brussels) order. A point without data has
``None`` energy (a gap in the chart, "missing" in the table), never zero; estimated (EST) values
are flagged. Points carry a ``key`` that lines them up with the same moment of another period
(the compare series): ``HH:MM`` for a quarter-hour (``HH:MM#2`` for the repeated hour of the
last Sunday of October), the day of the month, the month of the year.

Every chart takes ``visible``: the meter's days the homeowner may see
(``meters.selectors.visibility.visible_periods``). Other days read as having no data and,
like the days before the meter's first data, as nothing to expect (not "missing").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Min

from ilusmart.fluvius.types import Register, ValidationState
from meters.models import DailyTotal, Meter
from meters.quarterhours import BRUSSELS, slots_in_day
from meters.selectors.periods import (
    FIRST_DATA_DAY,
    PeriodFigures,
    estimated_percent,
    first_day_not_due,
    local_today,
    month_add,
    period_figures,
    year_ago,
)
from meters.selectors.readings import (
    daily_totals,
    daily_totals_for_meters,
    monthly_totals,
    readings_for_day,
    yearly_totals,
)
from meters.selectors.visibility import ALL_DAYS, VisiblePeriods

DAY, MONTH, YEAR, YEARS = "day", "month", "year", "years"
COMPARE_PREVIOUS, COMPARE_LAST_YEAR = "previous", "last_year"
FIRST_YEAR = FIRST_DATA_DAY.year  # charts and navigation stop here: no digital meter has older data


@dataclass(frozen=True, slots=True)
class ChartPoint:
    """One bar of a chart: a quarter-hour (day view), a day, a month or a year.

    ``start`` is the local start (an aware datetime in Brussels time for a quarter-hour, else a
    date). ``repeated`` marks a quarter-hour of the hour that occurs twice on the last Sunday of
    October. ``incomplete``: some quarter-hours of a past day/month/year are missing.
    ``future`` (not yet due: today, or yesterday before Fluvius publishes it, see
    ``first_day_not_due``) and ``before_data`` (before the meter's first stored day, or not
    among the reader's visible days) have no data to expect, so they are not "missing". ``source``: where its values came from
    (``fluvius``, ``import`` or ``both``; None without a value). A day, month or year point is
    not flagged estimated as a whole: ``estimated_percent`` is the share of its values that is.
    """

    key: str
    start: datetime | date
    offtake_kwh: Decimal | None
    injection_kwh: Decimal | None
    offtake_estimated: bool = False
    injection_estimated: bool = False
    register: Register | None = None
    repeated: bool = False
    incomplete: bool = False
    future: bool = False
    before_data: bool = False
    source: str | None = None
    estimated_percent: Decimal | None = None

    @property
    def net_kwh(self) -> Decimal | None:
        if self.offtake_kwh is None or self.injection_kwh is None:
            return None
        return self.offtake_kwh - self.injection_kwh

    @property
    def missing(self) -> bool:
        """Past and without any value (shown as a gap, never as 0)."""
        if self.future or self.before_data:
            return False
        return self.offtake_kwh is None and self.injection_kwh is None

    @property
    def estimated(self) -> bool:
        return self.offtake_estimated or self.injection_estimated

    @property
    def utc_offset(self) -> str:
        """``+01:00`` / ``+02:00`` of a quarter-hour (empty for days, months, years)."""
        if not isinstance(self.start, datetime):
            return ""
        text = self.start.strftime("%z")
        return f"{text[:3]}:{text[3:]}"


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart of one period: ``kind`` is day, month, year or years; ``figures`` its totals."""

    meter: Meter
    kind: str
    start: date
    end: date
    points: list[ChartPoint]
    figures: PeriodFigures


# --- Periods ---------------------------------------------------------------------------------


def period_bounds(kind: str, start: date) -> tuple[date, date]:
    """``[start, end)`` of the day, month or year beginning at (or containing) ``start``."""
    if kind == DAY:
        return start, start + timedelta(days=1)
    if kind == MONTH:
        first = start.replace(day=1)
        return first, month_add(first, 1)
    if kind == YEAR:
        return date(start.year, 1, 1), date(start.year + 1, 1, 1)
    raise ValueError(kind)


def period_step(kind: str, start: date, steps: int) -> date:
    """The start of the period ``steps`` periods after (negative: before) the one at ``start``."""
    if kind == DAY:
        return start + timedelta(days=steps)
    if kind == MONTH:
        return month_add(start.replace(day=1), steps)
    if kind == YEAR:
        return date(start.year + steps, 1, 1)
    raise ValueError(kind)


def compare_start(kind: str, start: date, compare: str) -> date | None:
    """Start of the period to compare with: the previous one, or the same one a year earlier."""
    if compare == COMPARE_PREVIOUS:
        return period_step(kind, start, -1)
    if compare == COMPARE_LAST_YEAR:
        return year_ago(start) if kind == DAY else period_step(kind, start, -12 if kind == MONTH else -1)
    return None


# --- Charts ----------------------------------------------------------------------------------


def day_chart(*, meter: Meter, day: date, visible: VisiblePeriods, today: date | None = None) -> Chart:
    """The 92, 96 or 100 quarter-hours of the local ``day``, offtake and injection in kWh."""
    today = today or local_today()
    not_due = first_day_not_due(today)
    slots = readings_for_day(meter=meter, day=day, visible=visible)
    figures = period_figures(
        meter=meter, start_date=day, end_date=day + timedelta(days=1), visible=visible, today=today
    )
    first_day = figures.first_data_day
    before = first_day is None or day < first_day or day not in visible
    local_starts = [slot.start_utc.astimezone(BRUSSELS) for slot in slots]
    seen: dict[str, int] = {}
    for local in local_starts:
        seen[f"{local:%H:%M}"] = seen.get(f"{local:%H:%M}", 0) + 1
    points, occurrence = [], {}
    for slot, local in zip(slots, local_starts, strict=True):
        clock = f"{local:%H:%M}"
        occurrence[clock] = occurrence.get(clock, 0) + 1
        points.append(
            ChartPoint(
                key=clock if occurrence[clock] == 1 else f"{clock}#{occurrence[clock]}",
                start=local,
                offtake_kwh=slot.offtake_kwh,
                injection_kwh=slot.injection_kwh,
                offtake_estimated=slot.offtake_state is ValidationState.EST,
                injection_estimated=slot.injection_state is ValidationState.EST,
                register=slot.register,
                repeated=seen[clock] > 1,
                future=day >= not_due,
                before_data=before,
                source=slot.source,
            )
        )
    return Chart(meter, DAY, day, day + timedelta(days=1), points, figures)


def _aggregate_point(
    key: str, start: date, totals, expected: int, future: bool, before_data: bool = False
) -> ChartPoint:
    if totals is None:
        return ChartPoint(key, start, None, None, future=future, before_data=before_data)
    present = min(totals.offtake_slots_present, totals.injection_slots_present)
    return ChartPoint(
        key=key,
        start=start,
        offtake_kwh=totals.offtake_kwh,
        injection_kwh=totals.injection_kwh,
        estimated_percent=estimated_percent(
            totals.estimated_values, totals.offtake_slots_present + totals.injection_slots_present
        ),
        incomplete=present < expected,
        future=future,
        before_data=before_data,
        source=totals.source,
    )


def month_chart(*, meter: Meter, month: date, visible: VisiblePeriods, today: date | None = None) -> Chart:
    """Each local day of ``month``'s month: its offtake and injection in kWh."""
    today = today or local_today()
    start, end = period_bounds(MONTH, month)
    by_day = {t.period: t for t in daily_totals(meter=meter, start_date=start, end_date=end, visible=visible)}
    figures = period_figures(meter=meter, start_date=start, end_date=end, visible=visible, today=today)
    first_day = figures.first_data_day
    not_due = first_day_not_due(today)
    points, day = [], start
    while day < end:
        before = first_day is None or day < first_day or day not in visible
        expected = slots_in_day(day) if day < not_due and not before else 0
        points.append(_aggregate_point(str(day.day), day, by_day.get(day), expected, day >= not_due, before))
        day += timedelta(days=1)
    return Chart(meter, MONTH, start, end, points, figures)


def _recent_points(
    rows: list, visible: VisiblePeriods, first_data_day: date | None, today: date, days: int
) -> list[ChartPoint]:
    start = today - timedelta(days=days)
    by_day = {t.period: t for t in rows}
    not_due = first_day_not_due(today)
    points, day = [], start
    while day < today:
        before = first_data_day is None or day < first_data_day or day not in visible
        expected = slots_in_day(day) if day < not_due and not before else 0
        points.append(
            _aggregate_point(day.isoformat(), day, by_day.get(day), expected, day >= not_due, before)
        )
        day += timedelta(days=1)
    return points


def recent_days_for_meters(
    *,
    meters,
    first_data_days: dict[int, date | None],
    today: date | None = None,
    days: int = 30,
    rows: dict[int, list] | None = None,
) -> dict[int, list[ChartPoint]]:
    """``recent_days`` of each of ``meters`` (pairs of a meter and its ``VisiblePeriods``) by
    meter id, in one query whatever their number; ``first_data_days`` by meter id. ``rows``: the
    ``daily_totals`` of those days by meter id, when the caller already read them (then no query)."""
    today = today or local_today()
    if rows is None:
        rows = daily_totals_for_meters(meters=meters, start_date=today - timedelta(days=days), end_date=today)
    return {
        meter.pk: _recent_points(rows[meter.pk], visible, first_data_days[meter.pk], today, days)
        for meter, visible in meters
    }


def recent_days(
    *,
    meter: Meter,
    visible: VisiblePeriods,
    first_data_day: date | None,
    today: date | None = None,
    days: int = 30,
) -> list[ChartPoint]:
    """The last ``days`` local days before today, one point each (the dashboard's small chart).

    ``first_data_day`` is the meter's first visible stored day (``PeriodFigures.first_data_day``),
    so this costs one query.
    """
    return recent_days_for_meters(
        meters=[(meter, visible)], first_data_days={meter.pk: first_data_day}, today=today, days=days
    )[meter.pk]


def year_chart(*, meter: Meter, year: int, visible: VisiblePeriods, today: date | None = None) -> Chart:
    """Each local month of ``year``: its offtake and injection in kWh."""
    today = today or local_today()
    start, end = period_bounds(YEAR, date(year, 1, 1))
    by_month = {t.period: t for t in monthly_totals(meter=meter, year=year, visible=visible)}
    figures = period_figures(meter=meter, start_date=start, end_date=end, visible=visible, today=today)
    first_day = figures.first_data_day
    not_due = first_day_not_due(today)
    points = []
    for number in range(1, 13):
        first = date(year, number, 1)
        last = month_add(first, 1)
        before = first_day is None or last <= first_day or not visible.clip(first, last)
        expected = 0 if before else visible.slots_between(max(first, first_day), min(last, not_due))
        points.append(
            _aggregate_point(str(number), first, by_month.get(first), expected, first >= not_due, before)
        )
    return Chart(meter, YEAR, start, end, points, figures)


def years_chart(*, meter: Meter, visible: VisiblePeriods, today: date | None = None) -> Chart:
    """Every local calendar year from the meter's first (visible) data up to this year."""
    today = today or local_today()
    by_year = {t.period.year: t for t in yearly_totals(meter=meter, visible=visible)}
    first_year = min([*by_year, today.year])
    start, end = date(first_year, 1, 1), date(today.year + 1, 1, 1)
    figures = period_figures(meter=meter, start_date=start, end_date=end, visible=visible, today=today)
    first_day = figures.first_data_day
    not_due = first_day_not_due(today)
    points = []
    for number in range(first_year, today.year + 1):
        first, last = date(number, 1, 1), date(number + 1, 1, 1)
        totals = by_year.get(number)
        # Before the meter's first stored day nothing was expected: only later gaps count.
        expected = 0
        if totals is not None and first_day is not None:
            expected = visible.slots_between(max(first, first_day), min(last, not_due))
        points.append(_aggregate_point(str(number), first, totals, expected, first > today))
    return Chart(meter, YEARS, start, end, points, figures)


def earliest_data_day(*, meter: Meter, visible: VisiblePeriods = ALL_DAYS) -> date | None:
    """The first (visible) local day for which ``meter`` has a stored row."""
    return DailyTotal.objects.filter(visible.q("day"), meter=meter).aggregate(first=Min("day"))["first"]


def chart_for(
    *, meter: Meter, kind: str, start: date, visible: VisiblePeriods, today: date | None = None
) -> Chart:
    """The chart of ``kind`` for the period that begins at (or contains) ``start``, over the
    ``visible`` days of ``meter`` (``meters.selectors.visibility.visible_periods``)."""
    if kind == DAY:
        return day_chart(meter=meter, day=start, visible=visible, today=today)
    if kind == MONTH:
        return month_chart(meter=meter, month=start, visible=visible, today=today)
    if kind == YEAR:
        return year_chart(meter=meter, year=start.year, visible=visible, today=today)
    return years_chart(meter=meter, visible=visible, today=today)


def compare_values(chart: Chart, other: Chart) -> list[tuple[Decimal | None, Decimal | None]]:
    """``other``'s (offtake, injection) lined up with ``chart``'s points by key; gaps are ``None``."""
    by_key = {p.key: (p.offtake_kwh, p.injection_kwh) for p in other.points}
    return [by_key.get(p.key, (None, None)) for p in chart.points]
