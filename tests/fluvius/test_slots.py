"""Quarter-hours of a run of local days: ``slots_between`` is the sum of ``slots_in_day``."""

from datetime import date, timedelta

import pytest

from ilusmart.fluvius.slots import slots_between, slots_in_day


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2025, 3, 30), date(2025, 3, 31), 92),  # spring forward
        (date(2025, 10, 26), date(2025, 10, 27), 100),  # fall back
        (date(2025, 6, 14), date(2025, 6, 15), 96),
        (date(2025, 1, 1), date(2026, 1, 1), 365 * 96),  # both changes cancel out
        (date(2025, 3, 1), date(2025, 4, 1), 31 * 96 - 4),
        (date(2025, 6, 14), date(2025, 6, 14), 0),
        (date(2025, 6, 15), date(2025, 6, 14), 0),
    ],
)
def test_slots_between_counts_daylight_saving_days(start, end, expected):
    assert slots_between(start, end) == expected


def test_slots_between_is_the_sum_of_the_days_over_two_years():
    first = date(2024, 1, 1)
    days = [first + timedelta(days=i) for i in range(2 * 366)]
    for start in days[::37]:
        running = 0
        for day in days:
            if day < start:
                continue
            assert slots_between(start, day) == running
            running += slots_in_day(day)
