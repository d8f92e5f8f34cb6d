"""The date-sensitive tests' arithmetic, replayed for every day of a year.

A test whose expected counts hold only in some weeks (a DST change inside its window, a leap
day, the turn of the year) passes for weeks and then stops every submission from landing. For
each day, the project clock is moved there at its one point (``settings.CLOCK_SHIFT``, see
ilusmart/clock.py) and the simulator's clock is set through ``/_sim/clock``; then the
expectations test_sync_reliability.py derives from the dates are checked against what the
simulator serves and against the sync's chunking.
"""

from datetime import date, time, timedelta

import pytest

from ilusmart import clock
from ilusmart.fluvius.client import format_utc, split_window
from ilusmart.fluvius.simulator.remote import SimulatorRemote
from meters.services.sync import local_midnight
from tests.meters.conftest import (
    FAULT_TEST_CHUNK_DAYS,
    FAULT_TEST_DAYS,
    fault_test_window,
    latest_dst_days,
    local_today,
    published_days,
    quarter_hours,
    truth_bytes,
    truth_day_sums,
    windows_needed,
)

# Both DST changes, the turn of the year with 26 December (when the October change leaves the
# fault test's 60 days), and 29 February.
FIRST_DAY = date(2027, 3, 1)
LAST_DAY = date(2028, 2, 29)
EAN = "541448800000000007"


def _move_clocks(sim, settings, day: date, at: time) -> None:
    settings.CLOCK_SHIFT = clock.shift_to(day, local_time=at)
    sim.post("/_sim/clock", {"now": format_utc(clock.now())}).raise_for_status()


@pytest.mark.date_sensitive
def test_every_day_of_a_year_keeps_the_date_sensitive_expectations(fluvius_settings, settings):
    sim = fluvius_settings
    SimulatorRemote(sim.url).meter_register(ean=EAN, install_date=date(2024, 1, 1))
    # Days up to the day before yesterday never change with the clock (published, then validated
    # later with the same quarter-hours), so the 60-day windows are read from one truth taken at
    # the end; what depends on the hour of "today" is asked at each day's clock below.
    _move_clocks(sim, settings, LAST_DAY, time(10))
    every_day = truth_day_sums(
        truth_bytes(sim, EAN, FIRST_DAY - timedelta(days=FAULT_TEST_DAYS + 2), LAST_DAY)
    )
    day, checked, seven_windows, dst_checked = FIRST_DAY, 0, 0, set()
    while day <= LAST_DAY:
        _move_clocks(sim, settings, day, time(10))
        assert local_today() == day

        # The fault test: 60 local days, their quarter-hours and its windows of 10 × 24 h.
        first, last = fault_test_window(local_today())
        in_window = [every_day[d] for d in sorted(every_day) if first <= d < last]
        assert len(in_window) == FAULT_TEST_DAYS, day
        assert sum(s["slots"] for s in in_window) == quarter_hours(first, last), day
        assert all(s["offtake_wh"] is not None for s in in_window), day  # all published
        windows = windows_needed(first, last, chunk_days=FAULT_TEST_CHUNK_DAYS)
        chunk = timedelta(days=FAULT_TEST_CHUNK_DAYS)
        assert len(split_window(local_midnight(first), local_midnight(last), chunk)) == windows >= 6, day
        seven_windows += windows == 7

        # The killed-worker test: the days published at the clock, at 10:00 and before 06:00.
        served = truth_day_sums(truth_bytes(sim, EAN, day - timedelta(days=3), day + timedelta(days=1)))
        assert sum(s["offtake_wh"] is not None for s in served.values()) == published_days(
            min(served), clock.now()
        ), day
        _move_clocks(sim, settings, day, time(3))
        early = truth_day_sums(truth_bytes(sim, EAN, day - timedelta(days=2), day + timedelta(days=1)))
        assert sum(s["offtake_wh"] is not None for s in early.values()) == published_days(
            min(early), clock.now()
        ), day

        # The DST test: the latest March and October changes, published, within about a year.
        spring, fall = latest_dst_days(local_today())
        assert (local_today() - min(spring, fall)).days + 2 <= 400, day
        if (spring, fall) not in dst_checked:
            dst_checked.add((spring, fall))
            for dst_day, count in ((spring, 92), (fall, 100)):
                around = truth_day_sums(
                    truth_bytes(sim, EAN, dst_day - timedelta(days=1), dst_day + timedelta(days=2))
                )
                assert [around[d]["slots"] for d in sorted(around)] == [96, count, 96], day
                assert all(s["offtake_wh"] is not None for s in around.values()), day

        checked += 1
        day += timedelta(days=1)

    assert checked == (LAST_DAY - FIRST_DAY).days + 1 == 366
    assert seven_windows > 0 and len(dst_checked) >= 2  # the October case and both changes were met
