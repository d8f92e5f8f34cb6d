from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from meters.services.ingest import readings_ingest
from tests.factories import MeterFactory
from tests.meters.values import qh, utc

pytestmark = pytest.mark.django_db

HEADER = "start_utc,end_utc,offtake_kwh,injection_kwh,offtake_state,injection_state\n"


def _empty_rows(first: datetime, count: int) -> list[str]:
    rows = []
    for i in range(count):
        start = first + i * timedelta(minutes=15)
        end = start + timedelta(minutes=15)
        rows.append(f"{start:%Y-%m-%dT%H:%M:%SZ},{end:%Y-%m-%dT%H:%M:%SZ},,,,\n")
    return rows


def test_export_is_byte_exact_on_a_dst_day():
    meter = MeterFactory()
    readings_ingest(
        meter=meter,
        values=[
            qh("2025-10-25T22:00", "offtake", "0.012", "VAL"),
            qh("2025-10-25T22:00", "injection", "0", "VAL"),
            qh("2025-10-25T22:15", "offtake", "1.5", "EST", register="night"),
            qh("2025-10-25T22:15", "injection", None, None),  # missing: empty value and state
            qh("2025-10-26T22:45", "injection", "12.345", "READ"),  # the 100th quarter-hour
        ],
    )
    out = StringIO()

    call_command(
        "export_readings", "--ean", meter.ean, "--from", "2025-10-26", "--to", "2025-10-27", stdout=out
    )

    rows = _empty_rows(utc("2025-10-25T22:00"), 100)
    rows[0] = "2025-10-25T22:00:00Z,2025-10-25T22:15:00Z,0.012,0.000,VAL,VAL\n"
    rows[1] = "2025-10-25T22:15:00Z,2025-10-25T22:30:00Z,1.500,,EST,\n"
    rows[99] = "2025-10-26T22:45:00Z,2025-10-26T23:00:00Z,,12.345,,READ\n"
    assert out.getvalue() == HEADER + "".join(rows)
    assert len(rows) == 100


def test_export_of_spring_dst_day_and_the_next_day_has_188_rows():
    meter = MeterFactory()
    out = StringIO()
    call_command(
        "export_readings", "--ean", meter.ean, "--from", "2025-03-30", "--to", "2025-04-01", stdout=out
    )
    text = out.getvalue()
    assert text == HEADER + "".join(_empty_rows(utc("2025-03-29T23:00"), 92 + 96))
    assert "\r" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ean", "541448820050357909", "--from", "2025-01-01", "--to", "2025-01-02"], "no meter"),
        (["--from", "2025-13-01", "--to", "2025-01-02"], "--from"),
        (["--from", "2025-01-02", "--to", "yesterday"], "--to"),
        (["--from", "2025-01-02", "--to", "2025-01-02"], "before"),
    ],
)
def test_export_errors(args, message):
    meter = MeterFactory()
    if "--ean" not in args:
        args = ["--ean", meter.ean, *args]
    with pytest.raises(CommandError, match=message):
        call_command("export_readings", *args, stdout=StringIO())
