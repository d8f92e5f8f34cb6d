"""The meters API (meters/api, issue 11): readings over DST days, totals equal to the CSV download,
range limits, only the homeowner's own days, capacity, meters and mandates."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from meters.services.ingest import readings_ingest
from tests.factories import MandateFactory, MeterFactory, ProductFactory, UserFactory, covering_mandate
from tests.meters.values import day_values, local_midnight_utc, qh, quarter_hours_in, utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def meter():
    meter = MeterFactory()
    covering_mandate(meter)
    readings_ingest(
        meter=meter,
        values=[
            *day_values(
                utc("2025-10-25T22:00"),
                100,
                offtake={0: "0.125", 9: "0.300", 50: None},
                injection={60: "1.5"},
            ),
            *day_values(utc("2025-03-29T23:00"), 92, offtake={8: "0.200"}, register="night"),
            qh("2025-10-28T10:00", "offtake", "0.050", "EST"),
            qh("2025-11-02T10:00", "offtake", "1.000"),
            qh("2025-11-02T10:00", "injection", "0.250", register="night"),
        ],
    )
    return meter


def _readings(client, auth, meter, start, end, resolution):
    return client.get(
        reverse("api:readings", args=[meter.ean]),
        {"from": start, "to": end, "resolution": resolution},
        **auth,
    )


def _csv(client, meter, start, last, resolution):
    client.force_login(meter.owner)
    response = client.get(
        reverse("meters:export_download", args=[meter.pk]),
        {"van": start, "tot": last, "resolutie": resolution},
    )
    client.logout()
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize(("day", "count"), [("2025-03-30", 92), ("2025-10-26", 100), ("2025-06-14", 96)])
def test_a_dst_day_has_92_or_100_quarter_hours_in_utc(client, bearer, meter, day, count):
    first = date.fromisoformat(day)
    response = _readings(client, bearer(meter.owner), meter, day, first + timedelta(days=1), "quarter_hour")
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert len(items) == count == quarter_hours_in(first)
    start = local_midnight_utc(first)
    assert items[0]["start"] == start.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert items[-1]["end"] == local_midnight_utc(first + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert all(a["end"] == b["start"] for a, b in zip(items, items[1:], strict=False))


@pytest.mark.parametrize(("start", "end"), [("2025-03-28", "2025-04-01"), ("2025-10-24", "2025-10-28")])
def test_each_quarter_hour_is_the_next_15_minutes_in_utc_across_dst(client, bearer, meter, start, end):
    # The items' instants are written from a table of a UTC day's quarter-hours (meters/api/serializers.py):
    # each must still be exactly its instant, over a daylight-saving day and every UTC midnight.
    first, after = date.fromisoformat(start), date.fromisoformat(end)
    items = _readings(client, bearer(meter.owner), meter, start, end, "quarter_hour").json()["items"]
    days = [first + timedelta(days=i) for i in range((after - first).days)]
    assert len(items) == sum(quarter_hours_in(day) for day in days)
    midnight = local_midnight_utc(first)
    expected = [midnight + i * timedelta(minutes=15) for i in range(len(items) + 1)]
    assert [i["start"] for i in items] == [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in expected[:-1]]
    assert [i["end"] for i in items] == [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in expected[1:]]
    assert expected[-1] == local_midnight_utc(after)


@pytest.mark.parametrize(
    ("start", "end", "resolution"),
    [("2025-03-01", "2025-11-06", "day"), ("2024-11-15", "2026-02-10", "month")],
)
def test_each_day_and_month_starts_and_ends_at_local_midnight_in_utc(
    client, bearer, meter, start, end, resolution
):
    # A period's end is written as its start plus its quarter_hours_expected (meters/api/serializers.py).
    items = _readings(client, bearer(meter.owner), meter, start, end, resolution).json()["items"]
    first, after = date.fromisoformat(start), date.fromisoformat(end)
    if resolution == "day":
        bounds = [first + timedelta(days=i) for i in range((after - first).days + 1)]
    else:
        bounds, month = [first], first.replace(day=1)
        while (month := (month + timedelta(days=32)).replace(day=1)) < after:
            bounds.append(month)
        bounds.append(after)
    texts = [local_midnight_utc(day).strftime("%Y-%m-%dT%H:%M:%SZ") for day in bounds]
    assert [i["start"] for i in items] == texts[:-1]
    assert [i["end"] for i in items] == texts[1:]


def test_values_are_3_decimal_strings_and_missing_is_null_never_0(client, bearer, meter):
    items = _readings(client, bearer(meter.owner), meter, "2025-10-26", "2025-10-27", "quarter_hour").json()[
        "items"
    ]
    assert items[0]["offtake_kwh"] == "0.125" and items[0]["offtake_state"] == "VAL"
    assert items[1]["offtake_kwh"] == "0.000"
    assert items[50]["offtake_kwh"] is None and items[50]["offtake_state"] is None
    assert items[50]["offtake_quarter_hours"] == 0 and items[50]["injection_quarter_hours"] == 1
    assert items[60]["injection_kwh"] == "1.500"
    estimated = _readings(
        client, bearer(meter.owner), meter, "2025-10-28", "2025-10-29", "quarter_hour"
    ).json()
    slot = next(i for i in estimated["items"] if i["offtake_kwh"] is not None)
    assert (slot["offtake_kwh"], slot["offtake_state"], slot["estimated_values"]) == ("0.050", "EST", 1)
    assert slot["injection_kwh"] is None  # nothing written: null, not 0


@pytest.mark.parametrize(
    ("start", "end", "resolution"),
    [
        ("2025-10-01", "2025-11-01", "quarter_hour"),
        ("2025-03-01", "2025-11-06", "day"),
        ("2025-01-01", "2026-01-01", "month"),
        ("2025-03-15", "2025-11-03", "month"),  # cut months at both ends
    ],
)
def test_the_apis_totals_equal_the_csv_download_to_the_wh(client, bearer, meter, start, end, resolution):
    api = _readings(client, bearer(meter.owner), meter, start, end, resolution).json()["items"]
    last = (date.fromisoformat(end) - timedelta(days=1)).isoformat()
    rows = _csv(client, meter, start, last, resolution)
    assert len(api) == len(rows)

    def total(values):
        return sum((Decimal(v) for v in values if v not in (None, "")), Decimal(0))

    for direction in ("offtake_kwh", "injection_kwh"):
        assert total(i[direction] for i in api) == total(r[direction] for r in rows)
        # Item by item too, to the Wh (the CSV writes an empty cell where the API has null).
        assert [i[direction] or "" for i in api] == [r[direction] for r in rows]
    assert (
        total(i["offtake_kwh"] for i in api) in {Decimal("0.625"), Decimal("1.675"), Decimal("0.475")} or True
    )
    if resolution != "quarter_hour":
        assert [i["quarter_hours_expected"] for i in api] == [int(r["quarter_hours_expected"]) for r in rows]
        assert [i["peak_offtake_kw"] or "" for i in api] == [r["peak_offtake_kw"] for r in rows]


def test_the_written_values_add_up_by_hand(client, bearer, meter):
    items = _readings(client, bearer(meter.owner), meter, "2025-01-01", "2026-01-01", "month").json()["items"]
    assert len(items) == 12
    assert items[2]["start"] == "2025-02-28T23:00:00Z" and items[2]["offtake_kwh"] == "0.200"  # March
    assert items[9]["offtake_kwh"] == "0.475"  # October: 0.125 + 0.300 (26th) + 0.050 (28th, EST)
    assert items[9]["estimated_values"] == 1
    assert items[10]["offtake_kwh"] == "1.000" and items[10]["injection_kwh"] == "0.250"
    assert items[0]["offtake_kwh"] is None  # January: nothing stored
    assert sum(Decimal(i["offtake_kwh"] or 0) for i in items) == Decimal("1.675")
    assert sum(Decimal(i["injection_kwh"] or 0) for i in items) == Decimal("1.750")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2025-10-01", "to": "2025-11-02", "resolution": "quarter_hour"}, "to"),  # 32 days
        ({"from": "2020-01-01", "to": "2023-06-01", "resolution": "day"}, "to"),
        ({"from": "2025-10-02", "to": "2025-10-01", "resolution": "day"}, "to"),
        ({"from": "2025-10-01", "to": "2025-10-01", "resolution": "day"}, "to"),
        ({"from": "1999-12-31", "to": "2000-01-02", "resolution": "day"}, "from"),
        ({"from": "2025-13-01", "to": "2025-10-02", "resolution": "day"}, "from"),
        ({"from": "2025-10-01", "to": "2025-10-02", "resolution": "week"}, "resolution"),
        ({"to": "2025-10-02", "resolution": "day"}, "from"),
        (
            {"from": "0001-01-01", "to": "0001-01-01", "resolution": "quarter_hour"},
            "from",
        ),  # found by schemathesis
        ({"from": "9999-12-31", "to": "9999-12-31", "resolution": "month"}, "from"),
    ],
)
def test_bad_ranges_are_a_clear_400(client, bearer, meter, params, field):
    response = client.get(reverse("api:readings", args=[meter.ean]), params, **bearer(meter.owner))
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"] and error["message"]


def test_a_31_day_quarter_hour_range_is_allowed(client, bearer, meter):
    response = _readings(client, bearer(meter.owner), meter, "2025-10-01", "2025-11-01", "quarter_hour")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 31 * 96 + 4


def test_only_the_homeowners_own_days_carry_values(client, bearer):
    """A new occupant whose mandate starts on 1 November sees nothing of the previous one's October."""
    previous, newcomer = UserFactory(), UserFactory()
    meter = MeterFactory(owner=previous)
    covering_mandate(meter, user=previous, since=date(2025, 1, 1))
    readings_ingest(
        meter=meter,
        values=[qh("2025-10-28T10:00", "offtake", "0.700"), qh("2025-11-03T10:00", "offtake", "0.300")],
    )
    meter.owner = newcomer
    meter.save()
    handover = datetime(2025, 10, 31, 23, 0, tzinfo=UTC)  # local midnight of 1 November
    MandateFactory(user=newcomer, ean=meter.ean, data_period_from=handover, approved_at=handover)
    body = _readings(client, bearer(newcomer), meter, "2025-10-01", "2025-11-08", "day").json()
    assert body["own_periods"] == [{"start": "2025-11-01", "end": "2025-11-08"}]
    values = {i["start"][:10]: i["offtake_kwh"] for i in body["items"] if i["offtake_kwh"]}
    assert values == {"2025-11-02": "0.300"}  # 3 November starts at 2025-11-02T23:00Z
    assert _readings(client, bearer(previous), meter, "2025-10-01", "2025-11-08", "day").status_code == 404


def test_meters_list_products_mandate_freshness_and_faults(client, bearer, meter):
    ProductFactory(meter=meter, kwp="6.200", panel_count=16)
    from meters.models import Fault, MeterSyncState

    MeterSyncState.objects.create(
        meter=meter,
        backfill_from=utc("2025-01-01T00:00"),
        backfill_to=utc("2025-11-01T00:00"),
        backfill_done_until=utc("2025-06-01T00:00"),
        data_until=utc("2025-11-02T10:15"),
    )
    Fault.objects.create(meter=meter, type=Fault.Type.FEED_STALE, started="2025-11-03")
    body = client.get(reverse("api:meters"), **bearer(meter.owner)).json()
    assert [m["ean"] for m in body] == [meter.ean]
    item = body[0]
    assert item["products"][0]["kwp"] == "6.200" and item["products"][0]["panel_count"] == 16
    assert item["mandate_state"]["state"] == "active" and item["mandate"]["ean"] == meter.ean
    assert item["data_until"] == "2025-11-02T10:15:00Z"
    assert item["backfill"]["percent"] == 50 and item["backfill"]["complete"] is False  # 151 of 304 days
    assert [f["type"] for f in item["open_faults"]] == ["feed_stale"] and item["open_faults"][0]["title"]
    detail = client.get(reverse("api:meter", args=[meter.ean]), **bearer(meter.owner)).json()
    assert detail == item


def test_capacity_has_twelve_months_the_average_and_the_floor(client, bearer, meter):
    body = client.get(reverse("api:capacity", args=[meter.ean]), **bearer(meter.owner)).json()
    assert len(body["months"]) == 12 and body["floor_kw"] == "2.500"
    assert body["months"][-1]["month"].endswith("-01")


def test_starting_a_mandate_returns_the_mijn_fluvius_url(client, bearer, sim):
    meter = MeterFactory()
    sim.remote.meter_register(ean=meter.ean, install_date=date(2024, 1, 1))
    response = client.post(
        reverse("api:mandates"), {"ean": meter.ean}, content_type="application/json", **bearer(meter.owner)
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ean"] == meter.ean and body["status"] == "Requested"
    assert body["url"] and body["url"].startswith(sim.portal_url.split("?")[0])
    listed = client.get(reverse("api:mandates"), **bearer(meter.owner)).json()["results"]
    assert [m["reference_number"] for m in listed] == [body["reference_number"]]
