from datetime import date, timedelta
from decimal import Decimal

import pytest

from meters.selectors import (
    daily_totals,
    monthly_peaks,
    monthly_totals,
    period_figures,
    readings_for_range,
    yearly_totals,
)
from meters.selectors.charts import earliest_data_day
from meters.selectors.periods import meter_days_for_meters
from meters.selectors.visibility import ALL_DAYS, NO_DAYS, VisiblePeriods
from meters.services.ingest import readings_ingest
from tests.factories import MeterFactory
from tests.meters.values import qh, utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def meter():
    meter = MeterFactory()
    readings_ingest(
        meter=meter,
        values=[
            qh("2025-01-31T22:45", "offtake", "0.500"),  # local 2025-01-31 23:45
            qh("2025-01-31T23:00", "offtake", "0.600"),  # local 2025-02-01 00:00
            qh("2025-02-10T17:00", "offtake", "1.100", register="night"),  # Feb peak 4.4 kW
            qh("2025-02-20T17:00", "offtake", "1.100"),  # same peak, later: not chosen
            qh("2025-02-10T12:00", "injection", "0.300"),
            qh("2025-12-31T22:45", "offtake", "0.200"),  # local 2025-12-31 23:45
            qh("2025-12-31T23:00", "offtake", "0.400"),  # local 2026-01-01
        ],
    )
    return meter


def test_daily_totals_in_kwh(meter):
    totals = daily_totals(meter=meter, start_date=date(2025, 1, 31), end_date=date(2025, 2, 11))
    assert [t.period for t in totals] == [date(2025, 1, 31), date(2025, 2, 1), date(2025, 2, 10)]
    assert totals[0].offtake_kwh == Decimal("0.500")
    assert totals[0].injection_kwh is None
    assert totals[2].offtake_night_kwh == Decimal("1.100")
    assert totals[2].peak_offtake_kw == Decimal("4.400")
    assert totals[2].injection_kwh == Decimal("0.300")
    assert not totals[2].complete


def test_monthly_totals_follow_local_months(meter):
    months = monthly_totals(meter=meter, year=2025)
    assert [(m.period, m.offtake_kwh) for m in months] == [
        (date(2025, 1, 1), Decimal("0.500")),
        (date(2025, 2, 1), Decimal("2.800")),
        (date(2025, 12, 1), Decimal("0.200")),
    ]
    assert months[1].injection_kwh == Decimal("0.300")
    assert months[1].peak_offtake_kw == Decimal("4.400")


def test_yearly_totals(meter):
    years = yearly_totals(meter=meter)
    assert [(y.period, y.offtake_kwh) for y in years] == [
        (date(2025, 1, 1), Decimal("3.500")),
        (date(2026, 1, 1), Decimal("0.400")),
    ]


def test_monthly_peaks_name_the_quarter_hour(meter):
    peaks = monthly_peaks(meter=meter, start_month=date(2025, 1, 1), end_month=date(2025, 3, 1))
    assert [p.month for p in peaks] == [date(2025, 1, 1), date(2025, 2, 1)]
    february = peaks[1]
    assert february.peak_offtake_kw == Decimal("4.400")
    assert february.day == date(2025, 2, 10)
    assert (february.start_utc, february.end_utc) == (utc("2025-02-10T17:00"), utc("2025-02-10T17:15"))
    assert peaks[0].peak_offtake_kw == Decimal("2.000")


def test_readings_for_range_in_time_order_across_dst(meter):
    slots = list(readings_for_range(meter=meter, start_date=date(2025, 3, 29), end_date=date(2025, 4, 1)))
    assert len(slots) == 96 + 92 + 96
    assert all(b.start_utc == a.end_utc for a, b in zip(slots, slots[1:], strict=False))
    assert slots[0].start_utc == utc("2025-03-28T23:00")
    assert slots[-1].end_utc == utc("2025-03-31T22:00")
    assert all(s.offtake_kwh is None and s.offtake_state is None for s in slots)


def test_readings_for_range_spans_chunks(meter):
    start = date(2025, 1, 1)
    slots = list(readings_for_range(meter=meter, start_date=start, end_date=start + timedelta(days=45)))
    assert len(slots) == 45 * 96
    present = [s for s in slots if s.offtake_kwh is not None]
    assert [s.offtake_kwh for s in present] == [Decimal("0.500"), Decimal("0.600"), Decimal("1.100")]


def test_period_figures_name_the_meters_first_day_whatever_the_period(meter):
    """The charts read the first stored day from the figures' query instead of asking again."""
    later = period_figures(
        visible=ALL_DAYS, meter=meter, start_date=date(2025, 12, 1), end_date=date(2026, 1, 1)
    )
    assert later.first_data_day == earliest_data_day(meter=meter) == date(2025, 1, 31)
    empty = period_figures(
        visible=ALL_DAYS, meter=MeterFactory(), start_date=date(2025, 1, 1), end_date=date(2026, 1, 1)
    )
    assert empty.first_data_day is None


def test_period_figures_count_quarter_hours_from_the_first_day_to_before_today():
    """Expected quarter-hours, written out: 92 on 30 March 2025, 100 on 26 October 2025."""
    meter = MeterFactory()
    readings_ingest(
        meter=meter,
        values=[
            qh("2025-03-29T23:00", "offtake", "0.100"),  # local 2025-03-30 00:00: the first day
            qh("2025-10-26T00:00", "offtake", "0.200"),  # local 02:00 summer time
            qh("2025-10-26T01:00", "offtake", "0.300"),  # local 02:00 winter time
        ],
    )
    far = date(2026, 6, 1)
    spring = period_figures(
        visible=ALL_DAYS, meter=meter, start_date=date(2025, 3, 30), end_date=date(2025, 3, 31), today=far
    )
    assert (spring.slots_expected, spring.offtake_kwh, spring.missing_quarter_hours) == (
        92,
        Decimal("0.100"),
        92,
    )
    autumn = period_figures(
        visible=ALL_DAYS, meter=meter, start_date=date(2025, 10, 26), end_date=date(2025, 10, 27), today=far
    )
    assert (autumn.slots_expected, autumn.offtake_kwh, autumn.missing_quarter_hours) == (
        100,
        Decimal("0.500"),
        100,
    )
    # March counts from the meter's first day (30 and 31 March), not from the 1st.
    march = period_figures(
        visible=ALL_DAYS, meter=meter, start_date=date(2025, 3, 1), end_date=date(2025, 4, 1), today=far
    )
    assert march.slots_expected == 92 + 96
    # 2025 from 30 March: 277 days, 4 quarter-hours fewer in March and 4 more in October.
    year = period_figures(
        visible=ALL_DAYS, meter=meter, start_date=date(2025, 1, 1), end_date=date(2026, 1, 1), today=far
    )
    assert year.slots_expected == 277 * 96 - 4 + 4
    assert year.offtake_kwh == Decimal("0.600")
    # Only days before today are expected: on 27 October, October up to and including the 26th.
    october = period_figures(
        visible=ALL_DAYS,
        meter=meter,
        start_date=date(2025, 10, 1),
        end_date=date(2025, 11, 1),
        today=date(2025, 10, 27),
    )
    assert october.slots_expected == 26 * 96 + 4


@pytest.mark.parametrize(
    "visible",
    [ALL_DAYS, VisiblePeriods(((date(2025, 1, 1), date(2025, 2, 15)),)), NO_DAYS],
    ids=["every day", "until 15 February", "none"],
)
def test_the_dashboards_one_read_gives_the_same_days_and_peaks_as_their_own_selectors(meter, visible):
    """``meter_days_for_meters`` reads the days of a range and the monthly peaks in the same query
    as the period figures (the dashboard): the same as ``daily_totals`` and ``monthly_peaks``."""
    months = [date(2025, month, 1) for month in range(1, 13)]
    start, end = date(2025, 1, 31), date(2025, 2, 21)
    found = meter_days_for_meters(
        meters=[(meter, visible)],
        periods=[(date(2025, 2, 1), date(2025, 3, 1))],
        today=date(2026, 1, 10),
        days=(start, end),
        peak_months=months,
    )[meter.pk]
    assert list(found.days) == daily_totals(meter=meter, start_date=start, end_date=end, visible=visible)
    assert list(found.monthly_peaks) == monthly_peaks(
        meter=meter, start_month=months[0], end_month=date(2026, 1, 1), visible=visible
    )
    alone = period_figures(
        meter=meter,
        start_date=date(2025, 2, 1),
        end_date=date(2025, 3, 1),
        visible=visible,
        today=date(2026, 1, 10),
    )
    assert found.periods == (alone,)
    if visible is ALL_DAYS:  # the fixture's days and February's first peak day, not the later one
        assert [t.period for t in found.days] == [
            date(2025, 1, 31),
            date(2025, 2, 1),
            date(2025, 2, 10),
            date(2025, 2, 20),
        ]
        assert [(p.month, p.day) for p in found.monthly_peaks] == [
            (date(2025, 1, 1), date(2025, 1, 31)),
            (date(2025, 2, 1), date(2025, 2, 10)),
            (date(2025, 12, 1), date(2025, 12, 31)),
        ]
    if visible is NO_DAYS:
        assert found.days == () and found.monthly_peaks == ()


def test_battery_quarter_hours_flag_the_night_register_per_quarter_hour():
    from meters.models import ReadingDay
    from meters.quarterhours import MISSING, NIGHT_CODES
    from meters.selectors.battery import _night_flags, battery_quarter_hours

    meter = MeterFactory()
    readings_ingest(
        meter=meter,
        values=[
            qh("2025-06-09T22:00", "offtake", "0.100", register="night"),  # local 10 June 00:00
            qh("2025-06-09T22:15", "offtake", "0.200"),  # day register
        ],
    )
    (qd,) = battery_quarter_hours(meter=meter, start_date=date(2025, 6, 10), end_date=date(2025, 6, 11))
    stored = ReadingDay.objects.get(meter=meter, day=date(2025, 6, 10)).offtake_quality
    assert list(qd.night) == [int(code in NIGHT_CODES) for code in stored]
    assert qd.night[0] == 1 and qd.night[1] == 0 and qd.offtake_wh[:2] == [100, 200]
    assert stored[2] == MISSING and qd.night[2] == 0
    # a code it does not know counts on the day register, as before
    night = next(iter(NIGHT_CODES))
    assert _night_flags(f"{night}?{night}") == b"\x01\x00\x01"


@pytest.mark.parametrize(
    "visible",
    [
        ALL_DAYS,
        NO_DAYS,
        VisiblePeriods(((date(2025, 1, 31), date(2025, 2, 2)), (date(2025, 2, 20), date(2025, 2, 21)))),
        VisiblePeriods(((date(2025, 2, 10), date.max),)),
    ],
    ids=["all", "none", "two-periods", "open-end"],
)
def test_battery_quarter_hours_reads_what_the_orm_reads(meter, visible):
    # the read is SQL (docs/decisions/0006): the same rows as the ORM, only the visible days
    from meters.models import ReadingDay
    from meters.quarterhours import slots_in_day
    from meters.selectors.battery import battery_quarter_hours

    start, end = date(2025, 1, 1), date(2026, 1, 2)
    orm = {
        row.day: row
        for row in ReadingDay.objects.filter(meter=meter, day__gte=start, day__lt=end).filter(
            visible.q("day")
        )
    }
    days = battery_quarter_hours(meter=meter, start_date=start, end_date=end, visible=visible)
    assert [qd.day for qd in days] == [start + timedelta(days=k) for k in range((end - start).days)]
    with_values = {qd.day for qd in days if any(v is not None for v in qd.offtake_wh + qd.injection_wh)}
    assert with_values == set(orm) and (visible is NO_DAYS or orm)
    for qd in days:
        row = orm.get(qd.day)
        if row is None:
            assert list(qd.offtake_wh) == list(qd.injection_wh) == [None] * slots_in_day(qd.day)
        else:
            assert (list(qd.offtake_wh), list(qd.injection_wh)) == (row.offtake_wh, row.injection_wh)


def test_battery_typical_day_labels_are_the_local_start_of_each_quarter_hour():
    # 96-quarter-hour days take their labels from a table; the DST days are worked out
    from meters.quarterhours import BRUSSELS, QUARTER, day_start_utc, slots_in_day
    from meters.selectors.battery import _labels

    day = date(2025, 1, 1)
    while day < date(2026, 1, 1):
        n = slots_in_day(day)
        start = day_start_utc(day)
        assert _labels(day, n) == [
            (start + i * QUARTER).astimezone(BRUSSELS).strftime("%H:%M") for i in range(n)
        ]
        day += timedelta(days=1)
    assert _labels(date(2025, 3, 30), 92)[8] == "03:00"  # 02:00 does not exist that night
    assert _labels(date(2025, 10, 26), 100)[8:13] == ["02:00", "02:15", "02:30", "02:45", "02:00"]


def test_battery_price_reads_match_the_orm():
    # SQL through Manager.raw (docs/decisions/0006): the same instances, periods oldest first
    from django.contrib.auth.models import AnonymousUser

    from meters.models import CapacityTariffPrice, EnergyTariff, HomeTariff
    from meters.selectors.battery import home_tariff_for, tariff_periods
    from tests.factories import ProfileFactory

    prices = {
        "offtake_day_eur_per_kwh": Decimal("0.32"),
        "offtake_night_eur_per_kwh": Decimal("0.25"),
        "injection_eur_per_kwh": Decimal("0.035"),
        "fixed_eur_per_year": Decimal("110"),
    }
    for start, end in ((date(2026, 1, 1), None), (date(2025, 1, 1), date(2025, 12, 31))):  # newest first
        EnergyTariff.objects.create(label=f"tariff {start.year}", valid_from=start, valid_to=end, **prices)
        CapacityTariffPrice.objects.create(price_eur_per_kw_year="60.44", valid_from=start, valid_to=end)
    with_tariff, without = ProfileFactory().user, ProfileFactory().user
    home = HomeTariff.objects.create(user=with_tariff, capacity_eur_per_kw_year=Decimal("58"), **prices)

    periods = tariff_periods()
    assert periods.energy == list(EnergyTariff.objects.order_by("valid_from"))
    assert [p.valid_from for p in periods.energy] == [date(2025, 1, 1), date(2026, 1, 1)]
    assert periods.capacity == list(CapacityTariffPrice.objects.order_by("valid_from"))
    assert periods.capacity[0].price_eur_per_kw_year == Decimal("60.44")
    found = home_tariff_for(user=with_tariff)
    assert found == home and found.capacity_eur_per_kw_year == Decimal("58")
    assert found.offtake_night_eur_per_kwh == Decimal("0.25")
    assert home_tariff_for(user=without) is None
    assert home_tariff_for(user=AnonymousUser()) is None and home_tariff_for(user=None) is None
