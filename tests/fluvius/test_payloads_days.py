"""``parse_energy_days``: the same reading of a payload as ``parse_energy``, as per-day arrays."""

import json
import logging
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from ilusmart.fluvius.errors import FluviusPayloadError
from ilusmart.fluvius.payloads import parse_energy, parse_energy_days
from ilusmart.fluvius.types import DayReadings
from tests.fluvius.days import as_days
from tests.fluvius.test_payloads import SLICE_A, SLICE_B, _junk_variants, on_headpoint, on_meter, qh, reg

T = "2025-06-14T10:{:02d}:00Z"


def slice_at(minute, measurement=None, start=None, end=None):
    start = start or T.format(minute)
    end = end or (T.format(minute + 15) if minute < 45 else "2025-06-14T11:00:00Z")
    return qh(start, end, *([measurement] if measurement is not None else []))


def synthetic(days: int, first: datetime, seed: int = 1) -> dict:
    """A headpoint-and-meter answer over ``days`` × 24 h from ``first`` with every kind of slice."""
    rng = random.Random(seed)
    headpoint, meter = [], []
    for i in range(days * 96):
        start = first + i * timedelta(minutes=15)
        times = (f"{start:%Y-%m-%dT%H:%M:%SZ}", f"{start + timedelta(minutes=15):%Y-%m-%dT%H:%M:%SZ}")
        register = rng.choice(["day", "night", "total"])
        state = rng.choice(["VAL", "READ", "NVAL", "EST", "estimated", None, "weird"])
        kind = rng.random()
        if kind < 0.05:
            meter.append(qh(*times))  # nothing at all
        elif kind < 0.1:
            meter.append(qh(*times, {"offtake": {register: reg(None)}, "injection": None}))
        elif kind < 0.15:
            meter.append(qh(*times, {"offtake": {"day": reg(rng.randint(0, 900), unit="Wh", state=state)}}))
        elif kind < 0.2:
            headpoint.append(qh(*times, {"injection": {register: reg(Decimal(rng.randint(0, 900)) / 1000)}}))
            meter.append(qh(*times, {"offtake": {"night": reg(Decimal(rng.randint(0, 900)) / 1000)}}))
        else:
            meter.append(
                qh(
                    *times,
                    {
                        "offtake": {register: reg(Decimal(rng.randint(0, 2500)) / 1000, state=state)},
                        "injection": {register: reg(Decimal(rng.randint(0, 4000)) / 1000, state=state)},
                    },
                )
            )
    rng.shuffle(meter)
    return on_headpoint(
        *headpoint, type_="metering-on-headpoint-and-meter", physicalMeters=[{"quarterHourlyEnergy": meter}]
    )


EQUIVALENT_PAYLOADS = {
    "documented example": on_meter(SLICE_A, SLICE_B),
    "on headpoint": on_headpoint(SLICE_B, SLICE_A),
    "headpoint wins over meter": on_headpoint(
        slice_at(0, {"offtake": {"day": reg(0.1)}, "injection": {"day": reg(0.2)}}),
        type_="metering-on-headpoint-and-meter",
        physicalMeters=[{"quarterHourlyEnergy": [SLICE_A, SLICE_B]}],
    ),
    "meter fills a missing headpoint slice": on_headpoint(
        slice_at(0),
        type_="metering-on-headpoint-and-meter",
        physicalMeters=[{"quarterHourlyEnergy": [SLICE_A]}],
    ),
    "replaced meter": on_meter(
        meters=[{"quarterHourlyEnergy": [SLICE_A]}, {"quarterHourlyEnergy": [SLICE_B, SLICE_A]}]
    ),
    "registers": on_meter(
        slice_at(0, {"offtake": {"total": reg(0.5), "night": reg(0.5)}, "injection": {"total": reg(0.1)}}),
        slice_at(15, {"offtake": {"day": reg(0.2), "night": reg(0.3, state="EST")}}),
        slice_at(
            30, {"offtake": {"day": reg(0.2), "night": reg(None)}, "injection": {"night": reg(1, unit="kW")}}
        ),
        slice_at(45, {"offtake": {"day": 0.25, "reactive": reg(9)}, "injection": {"day": "0.125"}}),
    ),
    "units and states": on_meter(
        slice_at(0, {"offtake": {"day": reg(250, unit="Wh", state="validated")}}),
        slice_at(15, {"offtake": {"day": reg("0.5", unit="KWH", state="measured")}}),
        slice_at(30, {"offtake": {"day": {"value": 0.7}}, "injection": {"day": reg(0.1, state="whatever")}}),
        slice_at(45, {"offtake": {"day": reg("abc")}}),
    ),
    "not 15 minutes skipped": on_meter(
        slice_at(0, {"offtake": {"day": reg(1)}}, end="2025-06-14T11:00:00Z"), SLICE_B
    ),
    "offset timestamps": on_meter(
        qh("2025-06-14T12:00:00+02:00", "2025-06-14T12:15:00+02:00", {"offtake": {"day": reg(1)}})
    ),
    "no headpoint": {"data": {}},
    "empty": on_meter(),
    "spring forward, 4 days": synthetic(4, datetime(2025, 3, 28, 23, 0, tzinfo=UTC), seed=2),
    "fall back, 4 days": synthetic(4, datetime(2025, 10, 24, 22, 30, tzinfo=UTC), seed=3),
}


@pytest.mark.parametrize("payload", EQUIVALENT_PAYLOADS.values(), ids=EQUIVALENT_PAYLOADS.keys())
def test_same_reading_as_parse_energy(payload):
    assert parse_energy_days(payload) == as_days(parse_energy(payload))


def test_a_json_answer_decoded_as_the_client_does():
    text = json.dumps(synthetic(2, datetime(2025, 1, 1, 5, 0, tzinfo=UTC)), default=str)
    payload = json.loads(text, parse_float=Decimal)
    days = parse_energy_days(payload)
    assert [d.day for d in days] == [date(2025, 1, 1), date(2025, 1, 2), date(2025, 1, 3)]
    assert days == as_days(parse_energy(payload))


def test_day_arrays():
    (day,) = parse_energy_days(on_meter(SLICE_B, SLICE_A))
    assert isinstance(day, DayReadings)
    assert day.day == date(2025, 6, 14)
    # 10:00Z is 12:00 local (CEST): slot 48.
    assert day.offtake_wh[48:50] == [12, 20]
    assert day.injection_wh[48:50] == [684, 512]
    assert day.offtake_quality[47:51] == "-VR-"
    assert day.injection_quality[47:51] == "-VE-"
    assert day.offtake_wh.count(None) == 94
    assert len(day.offtake_quality) == len(day.injection_quality) == len(day.injection_wh) == 96
    assert day.last_value_end() == datetime(2025, 6, 14, 10, 30, tzinfo=UTC)


def test_zero_is_zero_and_missing_is_none():
    (day,) = parse_energy_days(
        on_meter(slice_at(0, {"offtake": {"day": reg(0)}, "injection": {"day": reg(None)}}))
    )
    assert (day.offtake_wh[48], day.offtake_quality[48]) == (0, "V")
    assert (day.injection_wh[48], day.injection_quality[48]) == (None, "-")


def test_a_day_with_only_missing_slices_has_no_value_end():
    (day,) = parse_energy_days(on_meter(slice_at(0)))
    assert set(day.offtake_quality + day.injection_quality) == {"-"}
    assert day.last_value_end() is None


@pytest.mark.parametrize(
    ("first", "day", "slots"),
    [
        ("2025-03-29T23:00:00+00:00", date(2025, 3, 30), 92),
        ("2025-10-25T22:00:00+00:00", date(2025, 10, 26), 100),
    ],
)
def test_daylight_saving_days(first, day, slots):
    start = datetime.fromisoformat(first)
    slices = [
        qh(
            f"{start + i * timedelta(minutes=15):%Y-%m-%dT%H:%M:%SZ}",
            f"{start + (i + 1) * timedelta(minutes=15):%Y-%m-%dT%H:%M:%SZ}",
            {"offtake": {"night": reg(Decimal(i) / 1000)}},
        )
        for i in range(-1, slots + 1)
    ]
    before, middle, after = parse_energy_days(on_meter(*slices))
    assert middle.day == day
    assert middle.offtake_wh == list(range(slots))
    assert middle.offtake_quality == "v" * slots
    assert middle.injection_quality == "-" * slots
    assert middle.last_value_end() == start + slots * timedelta(minutes=15)
    assert (before.day, before.offtake_wh[-1], before.offtake_quality[-1]) == (
        day - timedelta(days=1),
        -1,
        "v",
    )
    assert (after.day, after.offtake_wh[0], after.offtake_quality[0]) == (day + timedelta(days=1), slots, "v")


def test_a_value_that_is_not_whole_wh_is_refused():
    with pytest.raises(FluviusPayloadError, match="whole number of Wh"):
        parse_energy_days(on_meter(slice_at(0, {"offtake": {"day": reg("0.0005")}})))
    with pytest.raises(FluviusPayloadError, match="whole number of Wh"):
        parse_energy_days(on_meter(slice_at(0, {"offtake": {"day": reg("12.5", unit="Wh")}})))


def test_a_quarter_hour_off_the_grid_is_refused():
    payload = on_meter(qh("2025-06-14T10:05:00Z", "2025-06-14T10:20:00Z", {"offtake": {"day": reg(1)}}))
    assert len(parse_energy(payload)) == 2  # parse_energy passes it on; the ingest refuses it
    with pytest.raises(FluviusPayloadError, match="not on a quarter-hour"):
        parse_energy_days(payload)


def test_not_15_minutes_is_skipped_with_a_warning(caplog):
    payload = on_meter(slice_at(0, {"offtake": {"day": reg(1)}}, end="2025-06-14T11:00:00Z"), SLICE_B)
    with caplog.at_level(logging.WARNING, logger="ilusmart.fluvius"):
        (day,) = parse_energy_days(payload)
    assert "not 15 minutes" in caplog.text
    assert day.offtake_quality.strip("-") == "R"


@pytest.mark.parametrize(("name", "payload"), list(_junk_variants().items()))
def test_junk_shapes_raise_payload_error(name, payload):
    with pytest.raises(FluviusPayloadError) as excinfo:
        parse_energy_days(payload)
    assert "Fluvius payload" in str(excinfo.value)
