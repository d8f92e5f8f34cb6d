"""``manage.py battery_whatif``: one CSV row per quarter-hour of the battery simulation."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from meters.services.ingest import readings_ingest
from tests.factories import MeterFactory
from tests.meters.values import day_values, utc

pytestmark = pytest.mark.django_db

HEADER = (
    "start_utc,offtake_kwh,injection_kwh,new_offtake_kwh,new_injection_kwh,charge_kwh,discharge_kwh,soc_kwh"
)


def _run(meter, *extra, start="2026-06-15", end="2026-06-16"):
    out = StringIO()
    call_command("battery_whatif", "--ean", meter.ean, "--from", start, "--to", end, *extra, stdout=out)
    return out.getvalue().split("\n")


def test_the_csv_has_one_row_per_quarter_hour_with_the_battery_at_work():
    meter = MeterFactory()
    # 15 June 2026, local midnight = 14 June 22:00 UTC; slot 40 = 08:00 UTC (10:00 local)
    readings_ingest(
        meter=meter,
        values=day_values(
            utc("2026-06-14T22:00"),
            96,
            offtake={10: "0.150", 41: "0.100", 72: "0.700", 73: "0.300", 80: None},
            injection={40: "0.800", 41: "0.400", 80: None},
        ),
    )

    lines = _run(meter, "--capacity-kwh", "5", "--power-kw", "2")

    assert lines[0] == HEADER
    assert lines[-1] == ""  # the file ends with a newline
    rows = lines[1:-1]
    assert len(rows) == 96
    assert rows[0] == "2026-06-14T22:00:00Z,0.000,0.000,0.000,0.000,0.000,0.000,0.500"
    assert rows[10] == "2026-06-15T00:30:00Z,0.150,0.000,0.150,0.000,0.000,0.000,0.500"
    assert rows[40] == "2026-06-15T08:00:00Z,0.000,0.800,0.000,0.300,0.500,0.000,0.950"
    assert rows[41] == "2026-06-15T08:15:00Z,0.100,0.400,0.000,0.000,0.400,0.100,1.210"
    assert rows[72] == "2026-06-15T16:00:00Z,0.700,0.000,0.200,0.000,0.000,0.500,0.710"
    assert rows[73] == "2026-06-15T16:15:00Z,0.300,0.000,0.090,0.000,0.000,0.210,0.500"
    assert rows[80] == "2026-06-15T18:00:00Z,,,,,,,"  # missing stays missing
    assert rows[95] == "2026-06-15T21:45:00Z,0.000,0.000,0.000,0.000,0.000,0.000,0.500"


def test_days_without_readings_are_empty_rows_and_dst_days_have_their_own_length():
    meter = MeterFactory()
    lines = _run(meter, "--capacity-kwh", "10", "--power-kw", "5", start="2026-10-25", end="2026-10-26")
    rows = lines[1:-1]
    assert len(rows) == 100
    assert rows[0] == "2026-10-24T22:00:00Z,,,,,,,"
    assert rows[99] == "2026-10-25T22:45:00Z,,,,,,,"


def test_peak_shaving_and_efficiency_options():
    meter = MeterFactory()
    readings_ingest(
        meter=meter,
        values=day_values(utc("2026-06-14T22:00"), 96, offtake={72: "2.000"}, injection={40: "4.000"}),
    )
    lines = _run(
        meter,
        "--capacity-kwh",
        "10",
        "--power-kw",
        "5",
        "--efficiency",
        "0.8",
        "--strategy",
        "peak_shaving",
        "--peak-kw",
        "4",
    )
    rows = lines[1:-1]
    # 10:00 local: 1,250 Wh (5 kW × ¼ h) charged, 80 % stored = 1,000 above the empty 1,000 Wh
    assert rows[40] == "2026-06-15T08:00:00Z,0.000,4.000,0.000,2.750,1.250,0.000,2.000"
    # 18:00: 2 kWh = 8 kW; reserve 50 % of 9 kWh = 4.5 kWh, nothing above it, so only the part
    # above 4 kW (1 kWh) comes from the battery
    assert rows[72] == "2026-06-15T16:00:00Z,2.000,0.000,1.000,0.000,0.000,1.000,1.000"


DAY = ["--from", "2026-01-01", "--to", "2026-01-02"]
BATTERY = [*DAY, "--capacity-kwh", "5", "--power-kw", "2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01", "--to", "2026-01-02", *BATTERY[4:]], "--from"),
        (["--from", "2026-01-02", "--to", "2026-01-02", *BATTERY[4:]], "before"),
        ([*DAY, "--capacity-kwh", "five", "--power-kw", "2"], "number"),
        ([*DAY, "--capacity-kwh", "5", "--power-kw", "0"], "power"),
        ([*BATTERY, "--strategy", "peak_shaving"], "peak"),
        ([*BATTERY, "--efficiency", "1.5"], "efficiency"),
    ],
)
def test_wrong_options_are_refused(args, message):
    meter = MeterFactory()
    with pytest.raises(CommandError, match=message):
        call_command("battery_whatif", "--ean", meter.ean, *args, stdout=StringIO())


def test_unknown_ean_is_refused():
    with pytest.raises(CommandError, match="no meter"):
        call_command(
            "battery_whatif",
            "--ean",
            "541448820050357909",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-02",
            "--capacity-kwh",
            "5",
            "--power-kw",
            "2",
            stdout=StringIO(),
        )
