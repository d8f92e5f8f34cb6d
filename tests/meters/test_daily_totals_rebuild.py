"""Rebuilding a meter's daily totals from its stored quarter-hours (meters.services.ingest
``daily_totals_rebuild``) and the operator command ``rebuild_daily_totals`` that runs it."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from meters.models import DailyTotal, ReadingDay
from meters.services.ingest import daily_totals_rebuild, readings_ingest
from tests.factories import MeterFactory
from tests.meters.values import day_values, local_midnight_utc, quarter_hours_in

pytestmark = pytest.mark.django_db

FIRST = date(2025, 3, 28)  # four local days around the March DST change (30 March: 92 slots)
DAYS = [FIRST + timedelta(days=n) for n in range(4)]


def _write_days(meter):
    """Four days: slot 8 offtake 0.500 kWh, slot 50 injection 1.200 kWh, every other slot 0.010."""
    expected = {}
    for day in DAYS:
        slots = quarter_hours_in(day)
        offtake = dict.fromkeys(range(slots), "0.010") | {8: "0.500"}
        injection = dict.fromkeys(range(slots), "0.010") | {50: "1.200"}
        readings_ingest(
            meter=meter,
            values=day_values(local_midnight_utc(day), slots, offtake=offtake, injection=injection),
        )
        # Worked out from the values written: (slots - 1) × 10 Wh plus the one larger value.
        expected[day] = {
            "offtake_wh": (slots - 1) * 10 + 500,
            "injection_wh": (slots - 1) * 10 + 1200,
            "slots_expected": slots,
            "peak_offtake_w": 2000,
            "peak_offtake_slot": 8,
        }
    return expected


def _totals(meter):
    return {
        t.day: {
            "offtake_wh": t.offtake_wh,
            "injection_wh": t.injection_wh,
            "slots_expected": t.slots_expected,
            "peak_offtake_w": t.peak_offtake_w,
            "peak_offtake_slot": t.peak_offtake_slot,
        }
        for t in DailyTotal.objects.filter(meter=meter)
    }


@pytest.fixture
def meter_with_days():
    meter = MeterFactory()
    expected = _write_days(meter)
    assert _totals(meter) == expected  # the ingest wrote them right
    return meter, expected


def _spoil(meter):
    """A wrong total, a missing one and one left behind without readings."""
    DailyTotal.objects.filter(meter=meter, day=DAYS[0]).update(offtake_wh=1, peak_offtake_w=4)
    DailyTotal.objects.filter(meter=meter, day=DAYS[2]).delete()
    orphan = DailyTotal.objects.get(meter=meter, day=DAYS[3])
    ReadingDay.objects.filter(meter=meter, day=DAYS[3]).delete()
    return orphan


def test_rebuild_puts_every_total_back_from_the_quarter_hours(meter_with_days):
    meter, expected = meter_with_days
    _spoil(meter)

    result = daily_totals_rebuild(meter=meter)

    assert (result.days_checked, result.rewritten, result.removed) == (3, 2, 1)
    del expected[DAYS[3]]  # its readings are gone: no totals either
    assert _totals(meter) == expected


def test_a_second_rebuild_writes_nothing(meter_with_days):
    meter, _ = meter_with_days
    _spoil(meter)
    daily_totals_rebuild(meter=meter)
    rows_before = {(t.day, t.offtake_wh) for t in DailyTotal.objects.filter(meter=meter)}

    again = daily_totals_rebuild(meter=meter)

    assert (again.days_checked, again.rewritten, again.removed) == (3, 0, 0)
    assert {(t.day, t.offtake_wh) for t in DailyTotal.objects.filter(meter=meter)} == rows_before


def test_rebuild_of_a_date_range_touches_only_those_days(meter_with_days):
    meter, expected = meter_with_days
    DailyTotal.objects.filter(meter=meter, day__in=[DAYS[0], DAYS[2]]).update(offtake_wh=7)

    result = daily_totals_rebuild(meter=meter, first=DAYS[2], last=DAYS[3])

    assert (result.days_checked, result.rewritten, result.removed) == (2, 1, 0)
    totals = _totals(meter)
    assert totals[DAYS[2]] == expected[DAYS[2]]
    assert totals[DAYS[0]]["offtake_wh"] == 7  # outside the range: left as it was


def test_rebuild_leaves_other_meters_alone(meter_with_days):
    meter, _ = meter_with_days
    other = MeterFactory()
    _write_days(other)
    DailyTotal.objects.filter(meter=other, day=DAYS[1]).update(offtake_wh=3)

    daily_totals_rebuild(meter=meter)

    assert DailyTotal.objects.get(meter=other, day=DAYS[1]).offtake_wh == 3


def test_rebuild_refuses_a_range_that_ends_before_it_starts(meter_with_days):
    meter, _ = meter_with_days
    with pytest.raises(ValueError):
        daily_totals_rebuild(meter=meter, first=DAYS[2], last=DAYS[1])


# --- manage.py rebuild_daily_totals ------------------------------------------------------------


def test_command_rebuilds_one_meter_by_ean_and_range(meter_with_days):
    meter, expected = meter_with_days
    other = MeterFactory()
    _write_days(other)
    DailyTotal.objects.filter(meter__in=[meter, other], day=DAYS[1]).update(offtake_wh=5)
    out = StringIO()

    call_command(
        "rebuild_daily_totals",
        "--ean",
        meter.ean,
        "--from",
        DAYS[1].isoformat(),
        "--to",
        DAYS[1].isoformat(),
        stdout=out,
    )

    assert _totals(meter)[DAYS[1]] == expected[DAYS[1]]
    assert DailyTotal.objects.get(meter=other, day=DAYS[1]).offtake_wh == 5
    assert f"{meter.ean}: 1 days checked, 1 rewritten, 0 removed" in out.getvalue()


def test_command_without_ean_rebuilds_every_meter(meter_with_days):
    meter, expected = meter_with_days
    other = MeterFactory()
    other_expected = _write_days(other)
    DailyTotal.objects.filter(day=DAYS[0]).update(offtake_wh=5)

    call_command("rebuild_daily_totals", stdout=StringIO())

    assert _totals(meter) == expected
    assert _totals(other) == other_expected


@pytest.mark.parametrize(
    "arguments",
    [
        ["--ean", "541448800000000000"],  # no such meter
        ["--from", "2025-13-01"],
        ["--from", "2025-03-30", "--to", "2025-03-29"],
        ["--to", "gisteren"],
    ],
)
def test_command_says_what_is_wrong_with_its_arguments(meter_with_days, arguments):
    with pytest.raises(CommandError):
        call_command("rebuild_daily_totals", *arguments, stdout=StringIO())
