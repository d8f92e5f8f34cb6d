"""Homeowner CSV downloads (meters/services/export.py, meters/views/exports.py)."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from meters.models import ReadingDay
from meters.quarterhours import MISSING, QUALITY_DECODE, slots_in_day
from meters.selectors import readings_for_range
from meters.selectors.visibility import ALL_DAYS, VisiblePeriods
from meters.services.export import _Line, _quarter_hour_cells, readings_export_lines
from meters.services.ingest import readings_ingest
from tests.factories import MeterFactory, UserFactory, covering_mandate
from tests.meters.values import day_values, qh, utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def meter():
    meter = MeterFactory()
    covering_mandate(meter)  # the homeowner sees the days their mandate covers
    values = [
        *day_values(
            utc("2025-10-25T22:00"), 100, offtake={0: "0.125", 9: "0.300", 50: None}, injection={60: "1.5"}
        ),
        *day_values(utc("2025-03-29T23:00"), 92, offtake={8: "0.200"}, register="night"),
        qh("2025-10-28T10:00", "offtake", "0.050", "EST"),
        qh("2025-11-02T10:00", "offtake", "1.000"),
        qh("2025-11-02T10:00", "injection", "0.250", register="night"),
    ]
    readings_ingest(meter=meter, values=values)
    return meter


def _download(client, meter, van, tot, resolutie):
    client.force_login(meter.owner)
    return client.get(
        reverse("meters:export_download", args=[meter.pk]), {"van": van, "tot": tot, "resolutie": resolutie}
    )


def _rows(response) -> list[dict]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("ascii")  # pure ASCII, no BOM
    return list(csv.DictReader(io.StringIO(text)))


# What the ``meter`` fixture wrote, per local day and direction, in kWh (added up by hand).
WRITTEN_KWH = {
    date(2025, 3, 30): {"offtake": Decimal("0.200"), "injection": Decimal("0.000")},
    # 0.125 + 0.300; slot 50 missing; injection 1.5 at slot 60
    date(2025, 10, 26): {"offtake": Decimal("0.425"), "injection": Decimal("1.500")},
    date(2025, 10, 28): {"offtake": Decimal("0.050"), "injection": None},
    date(2025, 11, 2): {"offtake": Decimal("1.000"), "injection": Decimal("0.250")},
}


@pytest.mark.parametrize("resolution", ["quarter_hour", "day", "month"])
def test_csv_totals_equal_the_values_written(client, meter, resolution):
    rows = _rows(_download(client, meter, "2025-01-01", "2025-12-31", resolution))
    for direction in ("offtake", "injection"):
        csv_sum = sum(Decimal(r[f"{direction}_kwh"]) for r in rows if r[f"{direction}_kwh"])
        written = sum(d[direction] for d in WRITTEN_KWH.values() if d[direction] is not None)
        assert csv_sum == written, direction
    assert written == Decimal("1.750")  # the injection written: 1.5 + 0.25


def test_every_day_row_equals_the_values_written(client, meter):
    rows = _rows(_download(client, meter, "2025-01-01", "2025-12-31", "day"))
    assert len(rows) == 365
    by_day = {r["local_start"]: r for r in rows}
    for day, kwh in WRITTEN_KWH.items():
        for direction in ("offtake", "injection"):
            cell = by_day[day.isoformat()][f"{direction}_kwh"]
            assert cell == ("" if kwh[direction] is None else str(kwh[direction])), (day, direction)
    written_days = {day.isoformat() for day in WRITTEN_KWH}
    assert all(r["offtake_kwh"] == "" for r in rows if r["local_start"] not in written_days)


def test_day_rows_split_day_and_night_and_leave_missing_days_empty(client, meter):
    rows = _rows(_download(client, meter, "2025-10-25", "2025-10-27", "day"))
    assert [r["local_start"] for r in rows] == ["2025-10-25", "2025-10-26", "2025-10-27"]
    empty, dst, after = rows
    assert empty["offtake_kwh"] == "" and empty["injection_kwh"] == ""  # no data: empty, never 0
    assert empty["quarter_hours_expected"] == "96" and empty["offtake_quarter_hours"] == "0"
    assert dst["offtake_kwh"] == "0.425" and dst["offtake_day_kwh"] == "0.425"
    assert dst["offtake_night_kwh"] == "0.000"  # all on the day register: a real 0
    assert dst["injection_kwh"] == "1.500"
    assert dst["peak_offtake_kw"] == "1.200"
    assert dst["quarter_hours_expected"] == "100" and dst["offtake_quarter_hours"] == "99"
    assert dst["utc_start"] == "2025-10-25 22:00"
    assert after["quarter_hours_expected"] == "96"


def test_month_rows(client, meter):
    rows = _rows(_download(client, meter, "2025-10-01", "2025-11-30", "month"))
    assert [r["local_start"] for r in rows] == ["2025-10", "2025-11"]
    october, november = rows
    assert october["offtake_kwh"] == "0.475" and october["estimated_values"] == "1"
    assert october["quarter_hours_expected"] == str(31 * 96 + 4)
    assert october["utc_start"] == "2025-09-30 22:00"
    assert november["offtake_kwh"] == "1.000" and november["injection_night_kwh"] == "0.250"
    assert november["peak_offtake_kw"] == "4.000"


@pytest.mark.parametrize(("day", "count"), [("2025-10-26", 100), ("2025-03-30", 92), ("2025-06-01", 96)])
def test_quarter_hours_on_dst_days(client, meter, day, count):
    rows = _rows(_download(client, meter, day, day, "quarter_hour"))
    assert len(rows) == count


def test_quarter_hour_rows_tell_the_repeated_hour_apart(client, meter):
    rows = _rows(_download(client, meter, "2025-10-26", "2025-10-26", "quarter_hour"))
    assert rows[0] == {
        "local_start": "2025-10-26 00:00",
        "utc_offset": "+02:00",
        "utc_start": "2025-10-25 22:00",
        "offtake_kwh": "0.125",
        "injection_kwh": "0.000",
        "offtake_state": "VAL",
        "injection_state": "VAL",
        "offtake_register": "day",
        "injection_register": "day",
        "estimated": "0",
        "source": "fluvius",
    }
    two_am = [
        (r["local_start"], r["utc_offset"], r["utc_start"])
        for r in rows
        if r["local_start"].endswith("02:00")
    ]
    assert two_am == [
        ("2025-10-26 02:00", "+02:00", "2025-10-26 00:00"),
        ("2025-10-26 02:00", "+01:00", "2025-10-26 01:00"),
    ]
    missing = rows[50]
    assert (
        missing["offtake_kwh"] == "" and missing["offtake_state"] == "" and missing["offtake_register"] == ""
    )


def test_every_row_says_where_its_values_came_from(client, meter):
    # 2 November: Fluvius delivered offtake and injection at 10:00 (11:00 local); the homeowner's
    # file fills 11:00 (12:00 local) and tries 10:00, which Fluvius's value keeps.
    readings_ingest(
        meter=meter,
        values=[qh("2025-11-02T10:00", "offtake", "0.999"), qh("2025-11-02T11:00", "offtake", "0.400")],
        source="import",
    )
    readings_ingest(
        meter=meter, values=[qh("2025-11-03T10:00", "offtake", "0.100")], source="import"
    )  # a day of the file only

    rows = _rows(_download(client, meter, "2025-11-02", "2025-11-02", "quarter_hour"))
    by_start = {r["local_start"]: r for r in rows}
    assert (by_start["2025-11-02 11:00"]["offtake_kwh"], by_start["2025-11-02 11:00"]["source"]) == (
        "1.000",
        "fluvius",
    )
    assert (by_start["2025-11-02 12:00"]["offtake_kwh"], by_start["2025-11-02 12:00"]["source"]) == (
        "0.400",
        "import",
    )
    assert by_start["2025-11-02 13:00"]["source"] == ""  # nothing stored: no source

    days = {r["local_start"]: r for r in _rows(_download(client, meter, "2025-11-01", "2025-11-03", "day"))}
    assert [days[d]["source"] for d in ("2025-11-01", "2025-11-02", "2025-11-03")] == ["", "both", "import"]
    assert days["2025-11-02"]["offtake_kwh"] == "1.400"
    months = _rows(_download(client, meter, "2025-10-01", "2025-11-30", "month"))
    assert [r["source"] for r in months] == ["fluvius", "both"]


def test_response_is_a_streamed_attachment(client, meter):
    response = _download(client, meter, "2025-10-26", "2025-10-27", "quarter_hour")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="ilusmart-{meter.ean}-quarter_hour-2025-10-26-2025-10-27.csv"'
    )
    body = b"".join(response.streaming_content)
    assert not body.startswith(b"\xef\xbb\xbf")
    assert body.startswith(b"local_start,utc_offset,utc_start,offtake_kwh,")
    assert b"\r\n" in body and b";" not in body


def test_five_years_of_quarter_hours_is_allowed_lazily(meter):
    lines = readings_export_lines(
        meter=meter,
        start_date=date(2021, 1, 1),
        end_date=date(2026, 1, 1),
        resolution="quarter_hour",
        visible=ALL_DAYS,
    )
    assert next(lines).startswith("local_start")
    assert next(lines).startswith("2021-01-01 00:00,+01:00,2020-12-31 23:00,,")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"van": "2025-13-01", "tot": "2025-12-31", "resolutie": "day"}, "geldige datum"),
        ({"van": "2025-02-01", "tot": "2025-01-01", "resolutie": "day"}, "mag niet voor"),
        ({"van": "2019-01-01", "tot": "2025-01-01", "resolutie": "quarter_hour"}, "te lang"),
        ({"van": "2025-01-01", "tot": "2025-01-02", "resolutie": "week"}, "geldige keuze"),
        ({"van": "0001-01-01", "tot": "9999-12-31", "resolutie": "month"}, "2000"),
        ({"van": "2025-01-01"}, "vereist"),
        ({"van": ["2025-01-01", "x"], "tot": "'; drop table", "resolutie": "day"}, "geldige datum"),
    ],
)
def test_bad_input_is_a_400_with_a_clear_message(client, meter, params, message):
    client.force_login(meter.owner)
    response = client.get(reverse("meters:export_download", args=[meter.pk]), params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_form_page(client, meter):
    client.force_login(meter.owner)
    response = client.get(reverse("meters:export", args=[meter.pk]))
    assert response.status_code == 200
    assert 'name="resolutie"' in response.content.decode()


@pytest.mark.parametrize("name", ["meters:export", "meters:export_download"])
def test_another_homeowners_meter_is_404(client, meter, name):
    client.force_login(UserFactory())
    params = {"van": "2025-10-26", "tot": "2025-10-26", "resolutie": "day"}
    assert client.get(reverse(name, args=[meter.pk]), params).status_code == 404


@pytest.mark.parametrize("name", ["meters:export", "meters:export_download"])
def test_anonymous_goes_to_login(client, meter, name):
    response = client.get(reverse(name, args=[meter.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def _one_row_per_slot(meter, start_date, end_date, visible) -> str:
    """The quarter-hour rows as the format defines them, slot by slot (the bulk writer's oracle)."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    slots = readings_for_range(meter=meter, start_date=start_date, end_date=end_date, visible=visible)
    return "".join(writer.writerow(_quarter_hour_cells(slot)) for slot in slots)


def test_the_bulk_quarter_hour_writer_makes_exactly_the_rows_the_format_defines():
    """Every stored code (Fluvius and imported, each state and register), missing values, one
    direction only, both DST days, days outside the visible periods and days without a row."""
    meter = MeterFactory()
    codes = sorted(QUALITY_DECODE)  # 24 codes
    days = [date(2026, 3, 27) + timedelta(days=i) for i in range(4)]  # 29 March: 92 slots
    days += [date(2026, 10, 24) + timedelta(days=i) for i in range(4)]  # 25 October: 100 slots
    for number, day in enumerate(days):
        count = slots_in_day(day)
        offtake = [None if i % 17 == 5 else (i * 37 + number) % 4_000 for i in range(count)]
        injection = [None if i % 11 == 3 else (i * 1_013) % 12_345_678 for i in range(count)]
        ReadingDay.objects.create(
            meter=meter,
            day=day,
            offtake_wh=offtake,
            injection_wh=injection,
            offtake_quality="".join(
                MISSING if v is None else codes[(i + number) % 24] for i, v in enumerate(offtake)
            ),
            injection_quality="".join(
                MISSING if v is None else codes[(3 * i + number) % 24] for i, v in enumerate(injection)
            ),
        )
    hidden = VisiblePeriods(((date(2026, 3, 1), date(2026, 3, 29)), (date(2026, 10, 25), date(2026, 11, 1))))

    for visible in (ALL_DAYS, hidden):
        for start, end in ((date(2026, 3, 26), date(2026, 4, 2)), (date(2026, 10, 23), date(2026, 10, 29))):
            lines = readings_export_lines(
                meter=meter, start_date=start, end_date=end, resolution="quarter_hour", visible=visible
            )
            next(lines)  # the header
            bulk = "".join(lines)
            assert bulk == _one_row_per_slot(meter, start, end, visible)
            assert bulk.count("\r\n") == sum(
                slots_in_day(start + timedelta(days=i)) for i in range((end - start).days)
            )


def test_at_most_two_downloads_at_once_per_user(client, meter):
    params = {"van": "2025-10-01", "tot": "2025-11-30", "resolutie": "quarter_hour"}
    client.force_login(meter.owner)
    url = reverse("meters:export_download", args=[meter.pk])
    first, second = client.get(url, params), client.get(url, params)
    assert first.status_code == second.status_code == 200  # both still streaming

    third = client.get(url, params)
    assert third.status_code == 429 and third["Retry-After"] == "30"
    assert "al 2 downloads lopen" in third.content.decode()

    b"".join(first.streaming_content)  # one finishes: its place is free again
    assert client.get(url, params).status_code == 200
    assert client.get(url, params).status_code == 429  # second and the new one still stream

    other = MeterFactory()
    covering_mandate(other)
    client.force_login(other.owner)  # another homeowner has places of their own
    assert client.get(reverse("meters:export_download", args=[other.pk]), params).status_code == 200
