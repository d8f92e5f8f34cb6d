"""meters/selectors/periods.py: which days are due, and the quarter-hours that are missing."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from ilusmart import clock
from ilusmart.clock import BRUSSELS
from meters.selectors.periods import estimated_percent, first_day_not_due, period_figures
from meters.selectors.visibility import ALL_DAYS
from tests.factories import MeterFactory
from tests.meters.dashboard_data import ingest_day, ingest_days

DAY = date(2025, 6, 14)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), BRUSSELS)


def _figures_of_day(meter, **ingest):
    """Store ``DAY`` (``ingest_day``'s options) and return its figures."""
    ingest_day(meter, DAY, **ingest)
    return period_figures(
        meter=meter,
        start_date=DAY,
        end_date=DAY + timedelta(days=1),
        visible=ALL_DAYS,
        today=date(2026, 1, 1),
    )


def test_a_day_is_due_from_six_in_the_morning_after_it():
    """Fluvius publishes local day D at 06:00 on D + 1 (shared/domain/fluvius-api.md)."""
    assert first_day_not_due(now=_at(DAY, 5, 59)) == DAY - timedelta(days=1)
    assert first_day_not_due(now=_at(DAY, 6, 0)) == DAY
    assert first_day_not_due(now=_at(DAY, 0, 30)) == DAY - timedelta(days=1)
    # A page's "today" is never overtaken: an earlier today wins.
    assert first_day_not_due(date(2025, 1, 1), now=_at(DAY, 12)) == date(2025, 1, 1)


@pytest.mark.django_db
def test_a_quarter_hour_counts_once_when_offtake_and_injection_both_lack():
    meter = MeterFactory()
    # Slots 20 and 21 without any value, slot 50 without injection: 3 quarter-hours, 5 values.
    figures = _figures_of_day(meter, missing={20, 21}, missing_injection={50})
    assert figures.missing_quarter_hours == 3
    assert not figures.complete


@pytest.mark.django_db
def test_yesterday_is_not_missing_before_fluvius_publishes_it(settings):
    meter = MeterFactory()
    today = clock.local_today()
    ingest_days(meter, today - timedelta(days=10), today - timedelta(days=2))
    start, end = today - timedelta(days=10), today

    settings.CLOCK_SHIFT = clock.shift_to(today, local_time=time(5, 30))
    early = period_figures(meter=meter, start_date=start, end_date=end, visible=ALL_DAYS)
    assert early.missing_quarter_hours == 0 and early.complete

    settings.CLOCK_SHIFT = clock.shift_to(today, local_time=time(7, 0))
    later = period_figures(meter=meter, start_date=start, end_date=end, visible=ALL_DAYS)
    yesterday = today - timedelta(days=1)
    # Through UTC: subtracting two aware datetimes of one zone ignores a DST change.
    length = _at(today, 0).astimezone(UTC) - _at(yesterday, 0).astimezone(UTC)
    expected = round(length.total_seconds()) // 900  # 92, 96 or 100
    assert later.missing_quarter_hours == expected


@pytest.mark.django_db
def test_the_estimated_share_is_told_in_percent():
    meter = MeterFactory()
    figures = _figures_of_day(meter, estimated={10})  # 2 of 192 values
    assert figures.estimated_values == 2
    assert figures.estimated_percent == Decimal("1.0")
    # 3 of 32,000 values is a share, never 0 % and never the whole.
    assert estimated_percent(3, 32_000) == Decimal("0.1")
    assert estimated_percent(0, 32_000) is None
