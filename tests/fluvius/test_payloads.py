"""Pure parsing of Fluvius v3 payloads (ilusmart/fluvius/payloads.py); no HTTP."""

import copy
import json
import logging
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ilusmart.fluvius.errors import FluviusPayloadError, FluviusShortUrlFailed
from ilusmart.fluvius.payloads import (
    parse_datetime,
    parse_energy,
    parse_mandates,
    parse_short_url,
    parse_state,
)
from ilusmart.fluvius.types import Direction, Mandate, Register, ValidationState

EAN = "541448820050357909"
T0 = datetime(2025, 6, 14, 10, 0, tzinfo=UTC)
T1 = datetime(2025, 6, 14, 10, 15, tzinfo=UTC)
T2 = datetime(2025, 6, 14, 10, 30, tzinfo=UTC)
RECEIVED_AT = datetime(2026, 5, 28, 9, 40, tzinfo=UTC)  # our clock when an answer came in


def reg(value, unit="kWh", state="VAL"):
    return {"value": value, "unit": unit, "validationState": state}


def qh(start, end, *measurements):
    return {"start": start, "end": end, "measurements": list(measurements)}


SLICE_A = qh(
    "2025-06-14T10:00:00Z",
    "2025-06-14T10:15:00Z",
    {"offtake": {"day": reg(0.012)}, "injection": {"day": reg(0.684)}},
)
SLICE_B = qh(
    "2025-06-14T10:15:00Z",
    "2025-06-14T10:30:00Z",
    {"offtake": {"day": reg(0.020, state="READ")}, "injection": {"day": reg(0.512, state="EST")}},
)


def on_meter(*slices, meters=None):
    meters = meters or [{"seqNumber": "1", "meterID": "1SAG1234567890", "quarterHourlyEnergy": list(slices)}]
    return {
        "_meta": {"fetchTime": "2026-05-28T09:37:08Z"},
        "data": {
            "headpoint": {
                "$type": "metering-on-meter",
                "ean": EAN,
                "energyType": "E",
                "physicalMeters": meters,
            }
        },
    }


def on_headpoint(*slices, type_="metering-on-headpoint", **extra):
    return {
        "_meta": {"fetchTime": "2026-05-28T09:37:08Z"},
        "data": {
            "headpoint": {
                "$type": type_,
                "ean": EAN,
                "energyType": "E",
                "quarterHourlyEnergy": list(slices),
                **extra,
            }
        },
    }


def by_key(values):
    return {(v.start, v.direction): v for v in values}


# --- the three $type variants ------------------------------------------------------------------


def test_metering_on_meter_documented_example():
    values = parse_energy(on_meter(SLICE_A, SLICE_B))
    assert len(values) == 4
    first = values[0]
    assert first.start == T0 and first.end == T1
    assert first.direction is Direction.OFFTAKE
    assert first.register is Register.DAY
    assert first.kwh == Decimal("0.012")
    assert isinstance(first.kwh, Decimal)
    assert first.state is ValidationState.VAL
    injection = by_key(values)[(T0, Direction.INJECTION)]
    assert injection.kwh == Decimal("0.684")
    b = by_key(values)
    assert b[(T1, Direction.OFFTAKE)].state is ValidationState.READ
    assert b[(T1, Direction.INJECTION)].state is ValidationState.EST


def test_metering_on_headpoint():
    values = parse_energy(on_headpoint(SLICE_A, SLICE_B))
    assert [(v.start, v.direction) for v in values] == [
        (T0, Direction.OFFTAKE),
        (T0, Direction.INJECTION),
        (T1, Direction.OFFTAKE),
        (T1, Direction.INJECTION),
    ]
    assert by_key(values)[(T1, Direction.OFFTAKE)].kwh == Decimal("0.020")


def test_metering_on_headpoint_ignores_meters():
    payload = on_headpoint(SLICE_A, physicalMeters=[{"quarterHourlyEnergy": [SLICE_B]}])
    values = parse_energy(payload)
    assert {v.start for v in values} == {T0}


def test_metering_on_meter_ignores_headpoint_arrays():
    payload = on_meter(SLICE_A)
    payload["data"]["headpoint"]["quarterHourlyEnergy"] = [SLICE_B]
    assert {v.start for v in parse_energy(payload)} == {T0}


def test_metering_on_headpoint_and_meter_reads_both_headpoint_wins():
    headpoint_a = qh(
        "2025-06-14T10:00:00Z",
        "2025-06-14T10:15:00Z",
        {"offtake": {"day": reg(0.100)}, "injection": {"day": reg(0.200)}},
    )
    payload = on_headpoint(
        headpoint_a,
        type_="metering-on-headpoint-and-meter",
        physicalMeters=[{"meterID": "1SAG1", "quarterHourlyEnergy": [SLICE_A, SLICE_B]}],
    )
    values = by_key(parse_energy(payload))
    assert values[(T0, Direction.OFFTAKE)].kwh == Decimal("0.100")  # the headpoint's
    assert values[(T1, Direction.OFFTAKE)].kwh == Decimal("0.020")  # only the meter has it
    assert len(values) == 4


def test_meter_fills_a_slice_missing_on_the_headpoint():
    missing = qh("2025-06-14T10:00:00Z", "2025-06-14T10:15:00Z")
    payload = on_headpoint(
        missing,
        type_="metering-on-headpoint-and-meter",
        physicalMeters=[{"quarterHourlyEnergy": [SLICE_A]}],
    )
    assert by_key(parse_energy(payload))[(T0, Direction.OFFTAKE)].kwh == Decimal("0.012")


def test_replaced_meter_two_physical_meters_concatenate():
    payload = on_meter(
        meters=[
            {"seqNumber": "1", "meterID": "OLD", "quarterHourlyEnergy": [SLICE_A]},
            {"seqNumber": "2", "meterID": "NEW", "quarterHourlyEnergy": [SLICE_B]},
        ]
    )
    assert [v.start for v in parse_energy(payload)] == [T0, T0, T1, T1]


def test_unknown_type_reads_everything(caplog):
    payload = on_headpoint(
        SLICE_A, type_="metering-on-something-new", physicalMeters=[{"quarterHourlyEnergy": [SLICE_B]}]
    )
    with caplog.at_level(logging.WARNING, logger="ilusmart.fluvius"):
        values = parse_energy(payload)
    assert {v.start for v in values} == {T0, T1}
    assert "metering-on-something-new" in caplog.text


def test_absent_type_reads_everything():
    payload = on_headpoint(SLICE_A, physicalMeters=[{"quarterHourlyEnergy": [SLICE_B]}])
    del payload["data"]["headpoint"]["$type"]
    assert {v.start for v in parse_energy(payload)} == {T0, T1}


def test_output_is_sorted_by_time_offtake_first():
    values = parse_energy(on_meter(SLICE_B, SLICE_A))
    assert [(v.start, v.direction) for v in values] == [
        (T0, Direction.OFFTAKE),
        (T0, Direction.INJECTION),
        (T1, Direction.OFFTAKE),
        (T1, Direction.INJECTION),
    ]


# --- registers ----------------------------------------------------------------------------------


def one(measurement, direction=Direction.OFFTAKE):
    values = parse_energy(on_meter(qh("2025-06-14T10:00:00Z", "2025-06-14T10:15:00Z", measurement)))
    return by_key(values)[(T0, direction)]


def test_night_register():
    value = one({"offtake": {"night": reg(0.3, state="READ")}})
    assert value.register is Register.NIGHT
    assert value.kwh == Decimal("0.3")
    assert value.state is ValidationState.READ


def test_total_register_wins():
    value = one({"offtake": {"total": reg(0.5), "day": reg(0.5)}})
    assert value.kwh == Decimal("0.5")
    assert value.register is Register.DAY  # the booking is kept, the amount is the total


def test_total_only():
    value = one({"offtake": {"total": reg("0.450")}})
    assert value.register is Register.TOTAL
    assert value.kwh == Decimal("0.450")


def test_day_and_night_both_present_are_summed_with_worst_state():
    value = one({"offtake": {"day": reg(0.1, state="VAL"), "night": reg(0.2, state="EST")}})
    assert value.kwh == Decimal("0.3")
    assert value.register is Register.TOTAL
    assert value.state is ValidationState.EST


def test_day_value_and_night_null():
    value = one({"offtake": {"day": reg(0.1), "night": reg(None)}})
    assert value.register is Register.DAY
    assert value.kwh == Decimal("0.1")


def test_reactive_and_unknown_registers_are_ignored():
    value = one(
        {
            "offtake": {
                "day": reg(0.1),
                "reactiveInductive": reg(5, unit="kVArh"),
                "capacitive": reg(7, unit="kVArh"),
            }
        }
    )
    assert value.kwh == Decimal("0.1")


def test_production_and_auxiliary_directions_are_ignored():
    values = parse_energy(
        on_meter(
            qh(
                "2025-06-14T10:00:00Z",
                "2025-06-14T10:15:00Z",
                {"offtake": {"day": reg(0.1)}, "production": {"day": reg(9)}, "auxiliary": {"day": reg(8)}},
            )
        )
    )
    assert {v.direction for v in values} == {Direction.OFFTAKE, Direction.INJECTION}
    assert by_key(values)[(T0, Direction.OFFTAKE)].kwh == Decimal("0.1")


# --- missing data ---------------------------------------------------------------------------------


def test_empty_measurements_means_both_missing_never_zero():
    values = parse_energy(on_meter(qh("2025-06-14T10:00:00Z", "2025-06-14T10:15:00Z")))
    assert len(values) == 2
    assert all(v.kwh is None and v.state is None for v in values)


def test_null_value_is_missing():
    value = one({"offtake": {"day": reg(None, state="NVAL")}, "injection": {"day": reg(0.1)}})
    assert value.kwh is None
    assert value.state is None
    assert value.register is Register.DAY


def test_no_offtake_key_means_offtake_missing():
    values = by_key(
        parse_energy(
            on_meter(qh("2025-06-14T10:00:00Z", "2025-06-14T10:15:00Z", {"injection": {"day": reg(0.7)}}))
        )
    )
    assert values[(T0, Direction.OFFTAKE)].kwh is None
    assert values[(T0, Direction.INJECTION)].kwh == Decimal("0.7")


def test_direction_null_is_missing():
    assert one({"offtake": None, "injection": {"day": reg(0.1)}}).kwh is None


def test_empty_register_object_is_missing():
    assert one({"offtake": {}}).kwh is None


def test_zero_is_kept_as_zero_not_missing():
    value = one({"injection": {"night": reg(0)}}, Direction.INJECTION)
    assert value.kwh == Decimal(0)
    assert value.kwh is not None


def test_non_numeric_value_is_missing(caplog):
    with caplog.at_level(logging.WARNING, logger="ilusmart.fluvius"):
        assert one({"offtake": {"day": reg("n/a")}}).kwh is None
        assert one({"offtake": {"day": reg(True)}}).kwh is None
        assert one({"offtake": {"day": reg("NaN")}}).kwh is None
    # A boolean is read as missing without a word; the other two are named with the reason.
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("ilusmart.fluvius", "WARNING", "Fluvius payload: value 'n/a' is not a number, treated as missing"),
        ("ilusmart.fluvius", "WARNING", "Fluvius payload: value 'NaN' is not finite, treated as missing"),
    ]


def test_empty_arrays_mean_no_data():
    assert parse_energy(on_meter()) == []
    assert parse_energy(on_headpoint()) == []
    payload = on_meter()
    payload["data"]["headpoint"]["physicalMeters"] = []
    assert parse_energy(payload) == []


def test_no_headpoint_means_no_data(caplog):
    with caplog.at_level(logging.WARNING, logger="ilusmart.fluvius"):
        assert parse_energy({"data": {}}) == []
        assert parse_energy({"data": {"headpoint": None}}) == []


def test_null_arrays_are_empty():
    payload = on_meter()
    payload["data"]["headpoint"]["physicalMeters"] = [{"quarterHourlyEnergy": None}]
    assert parse_energy(payload) == []


# --- units, numbers and states -----------------------------------------------------------------


def test_wh_divided_by_1000():
    value = one({"offtake": {"day": reg(684, unit="Wh")}})
    assert value.kwh == Decimal("0.684")


def test_unit_case_insensitive_and_absent_unit_is_kwh():
    assert one({"offtake": {"day": reg(0.2, unit="KWH")}}).kwh == Decimal("0.2")
    assert one({"offtake": {"day": {"value": 0.3, "validationState": "VAL"}}}).kwh == Decimal("0.3")
    assert one({"offtake": {"day": reg(12, unit="wh")}}).kwh == Decimal("0.012")


@pytest.mark.parametrize("unit", ["kW", "kVArh", "m3", "MJ"])
def test_other_units_are_skipped_with_a_warning(unit, caplog):
    with caplog.at_level(logging.WARNING, logger="ilusmart.fluvius"):
        value = one({"offtake": {"day": reg(5, unit=unit)}})
    assert value.kwh is None
    assert unit in caplog.text


def test_other_unit_next_to_kwh_uses_the_kwh_register():
    value = one({"offtake": {"total": reg(4, unit="kW"), "night": reg(0.25)}})
    assert value.kwh == Decimal("0.25")
    assert value.register is Register.NIGHT


def test_values_never_go_through_float():
    value = one({"offtake": {"day": reg(0.1 + 0.2)}})  # a float the JSON decoder could give
    assert value.kwh == Decimal(str(0.1 + 0.2))
    decoded = json.loads('{"value": 0.123456789012345678901, "unit": "kWh"}', parse_float=Decimal)
    assert one({"offtake": {"day": decoded}}).kwh == Decimal("0.123456789012345678901")


def test_numeric_string_and_integer_values():
    assert one({"offtake": {"day": reg("0.5")}}).kwh == Decimal("0.5")
    assert one({"offtake": {"day": reg(1)}}).kwh == Decimal(1)


def test_bare_number_register_is_accepted_as_kwh():
    value = one({"offtake": {"day": 0.25}})
    assert value.kwh == Decimal("0.25")
    assert value.state is ValidationState.EST


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("VAL", ValidationState.VAL),
        ("val", ValidationState.VAL),
        ("READ", ValidationState.READ),
        ("EST", ValidationState.EST),
        ("NVAL", ValidationState.NVAL),
        (" Validated ", ValidationState.VAL),
        ("WHATEVER", ValidationState.EST),
        (None, ValidationState.EST),
        (3, ValidationState.EST),
    ],
)
def test_states(raw, expected):
    assert parse_state(raw) is expected


def test_unknown_state_is_lowest_and_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="ilusmart.fluvius"):
        value = one({"offtake": {"day": reg(0.1, state="PROVISIONAL")}})
    assert value.state is ValidationState.EST
    assert "PROVISIONAL" in caplog.text


# --- lenient keys ---------------------------------------------------------------------------------


def test_key_spellings_and_casing():
    payload = {
        "_Meta": {},
        "Data": {
            "Headpoint": {
                "$Type": "Metering-On-Meter",
                "PhysicalMeters": [
                    {
                        "QuarterHourlyEnergy": [
                            {
                                "Start": "2025-06-14T10:00:00Z",
                                "End": "2025-06-14T10:15:00Z",
                                "Measurements": [
                                    {
                                        "Offtake": {
                                            "Day": {"Value": 0.012, "Unit": "kWh", "ValidationState": "VAL"}
                                        },
                                        "injection": {
                                            "night": {"value": 0.5, "unit": "kWh", "validation_state": "READ"}
                                        },
                                    }
                                ],
                            }
                        ]
                    }
                ],
            }
        },
    }
    values = by_key(parse_energy(payload))
    assert values[(T0, Direction.OFFTAKE)].kwh == Decimal("0.012")
    assert values[(T0, Direction.OFFTAKE)].state is ValidationState.VAL
    assert values[(T0, Direction.INJECTION)].register is Register.NIGHT
    assert values[(T0, Direction.INJECTION)].state is ValidationState.READ


def test_exact_key_spelling_wins_over_a_lenient_match_and_the_first_lenient_match_wins():
    # Register and direction keys: the exact spelling first, whatever the order; else the first
    # key that matches ignoring case, "_" and "-" (the one-pass lookup must keep this).
    value = one({"offtake": {"Day": reg(0.1), "day": reg(0.2)}})
    assert (value.register, value.kwh) == (Register.DAY, Decimal("0.2"))
    value = one({"offtake": {"NIGHT": reg(0.3), "Night": reg(0.4)}})
    assert (value.register, value.kwh) == (Register.NIGHT, Decimal("0.3"))
    value = one({"Off_Take": {"day": reg(0.5)}, "OFFTAKE": {"day": reg(0.6)}})
    assert value.kwh == Decimal("0.5")
    value = one({"Offtake": {"day": reg(0.7)}, "offtake": {"day": reg(0.8)}})
    assert value.kwh == Decimal("0.8")
    value = one({"offtake": {"To-Tal": reg(0.9), "day": reg(0.9)}})
    assert (value.register, value.kwh) == (Register.DAY, Decimal("0.9"))


def test_unknown_extra_fields_are_ignored():
    payload = on_meter(dict(SLICE_A, comment="x", extra={"a": [1, 2]}))
    payload["data"]["headpoint"]["somethingNew"] = {"nested": True}
    payload["data"]["headpoint"]["dailyEnergy"] = [{"start": "junk"}]
    payload["data"]["headpoint"]["physicalMeters"][0]["hourlyEnergy"] = [{"start": "junk"}]
    payload["data"]["new"] = 1
    assert len(parse_energy(payload)) == 2


def test_several_measurement_objects_are_merged():
    values = by_key(
        parse_energy(
            on_meter(
                qh(
                    "2025-06-14T10:00:00Z",
                    "2025-06-14T10:15:00Z",
                    {"offtake": {"day": reg(0.1)}},
                    {"injection": {"day": reg(0.2)}},
                    {"offtake": {"day": reg(9.9)}},
                )
            )
        )
    )
    assert values[(T0, Direction.OFFTAKE)].kwh == Decimal("0.1")
    assert values[(T0, Direction.INJECTION)].kwh == Decimal("0.2")


# --- timestamps -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2025-06-14T10:00:00Z",
        "2025-06-14T10:00:00z",
        "2025-06-14T10:00:00+00:00",
        "2025-06-14T12:00:00+02:00",
        "2025-06-14T10:00:00.000Z",
        "2025-06-14T10:00:00",  # naive: the contract says UTC
        "2025-06-14 10:00:00Z",
    ],
)
def test_timestamps_are_aware_utc(text):
    parsed = parse_datetime(text)
    assert parsed == T0
    assert parsed.tzinfo is UTC


def test_offset_timestamps_in_a_slice():
    values = parse_energy(
        on_meter(qh("2025-06-14T12:00:00+02:00", "2025-06-14T12:15:00+02:00", {"offtake": {"day": reg(1)}}))
    )
    assert values[0].start == T0
    assert values[0].start.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2025-06-14T10:00:00Z", "2025-06-14T11:00:00Z"),  # an hour
        ("2025-06-14T10:00:00Z", "2025-06-14T10:00:00Z"),  # zero
        ("2025-06-14T10:15:00Z", "2025-06-14T10:00:00Z"),  # backwards
    ],
)
def test_slice_that_is_not_15_minutes_is_skipped(start, end, caplog):
    with caplog.at_level(logging.WARNING, logger="ilusmart.fluvius"):
        values = parse_energy(on_meter(qh(start, end, {"offtake": {"day": reg(1)}}), SLICE_B))
    assert {v.start for v in values} == {T1}
    assert "not 15 minutes" in caplog.text


def test_dst_slices_are_plain_utc_quarter_hours():
    # 2025-10-26 01:00Z–01:15Z is the second 02:00 local of the October change.
    values = parse_energy(
        on_meter(
            qh("2025-10-26T00:45:00Z", "2025-10-26T01:00:00Z", {"offtake": {"night": reg(0.1)}}),
            qh("2025-10-26T01:00:00Z", "2025-10-26T01:15:00Z", {"offtake": {"night": reg(0.2)}}),
        )
    )
    assert len(values) == 4


# --- junk shapes ----------------------------------------------------------------------------------


def _junk_variants():
    base = on_meter(SLICE_A)
    variants = {
        "payload not a dict": [1, 2],
        "payload None": None,
        "payload a string": "<html>",
        "no data": {"_meta": {}},
        "data a list": {"data": []},
        "data a string": {"data": "x"},
        "data null": {"data": None},
        "headpoint a string": {"data": {"headpoint": "x"}},
        "headpoint list of junk": {"data": {"headpoint": [1]}},
    }

    def mutate(name, fn):
        payload = copy.deepcopy(base)
        fn(payload)
        variants[name] = payload

    hp = lambda p: p["data"]["headpoint"]  # noqa: E731
    mutate("physicalMeters a dict", lambda p: hp(p).update(physicalMeters={"a": 1}))
    mutate("meter a string", lambda p: hp(p).update(physicalMeters=["meter"]))
    mutate("quarterHourlyEnergy a dict", lambda p: hp(p)["physicalMeters"][0].update(quarterHourlyEnergy={}))
    mutate("slice a number", lambda p: hp(p)["physicalMeters"][0].update(quarterHourlyEnergy=[5]))
    mutate("slice without start", lambda p: hp(p)["physicalMeters"][0]["quarterHourlyEnergy"][0].pop("start"))
    mutate(
        "slice with junk start",
        lambda p: hp(p)["physicalMeters"][0]["quarterHourlyEnergy"][0].update(start="yesterday"),
    )
    mutate(
        "slice with numeric end",
        lambda p: hp(p)["physicalMeters"][0]["quarterHourlyEnergy"][0].update(end=12),
    )
    mutate(
        "measurements a dict",
        lambda p: hp(p)["physicalMeters"][0]["quarterHourlyEnergy"][0].update(measurements={}),
    )
    mutate(
        "measurement a list",
        lambda p: hp(p)["physicalMeters"][0]["quarterHourlyEnergy"][0].update(measurements=[[1]]),
    )
    mutate(
        "direction a number",
        lambda p: hp(p)["physicalMeters"][0]["quarterHourlyEnergy"][0].update(measurements=[{"offtake": 5}]),
    )
    mutate(
        "register a list",
        lambda p: hp(p)["physicalMeters"][0]["quarterHourlyEnergy"][0].update(
            measurements=[{"offtake": {"day": [1]}}]
        ),
    )
    return variants


@pytest.mark.parametrize(("name", "payload"), list(_junk_variants().items()))
def test_junk_shapes_raise_payload_error(name, payload):
    with pytest.raises(FluviusPayloadError) as excinfo:
        parse_energy(payload)
    assert "Fluvius payload" in str(excinfo.value)


# --- mandates ---------------------------------------------------------------------------------------


def test_parse_mandates():
    payload = {
        "_meta": {"fetchTime": "2026-05-28T09:37:08Z"},
        "data": {
            "mandates": [
                {
                    "referenceNumber": "ILU123",
                    "status": "Approved",
                    "ean": EAN,
                    "energyType": "E",
                    "dataPeriodFrom": "2025-01-01T00:00:00Z",
                    "dataPeriodTo": "2028-01-01T00:00:00Z",
                    "dataServiceType": "VH_kwartier_uur",
                    "mandateExpirationDate": "2028-01-01T00:00:00Z",
                    "renewalStatus": None,
                    "unknownField": 1,
                },
                {
                    "ReferenceNumber": "ILU124",
                    "Status": "Requested",
                    "EAN": EAN,
                    "mandateExpirationDate": "2028-06-01",
                },
            ]
        },
    }
    listing = parse_mandates(payload, received_at=RECEIVED_AT)
    assert listing.fetched_at == datetime(2026, 5, 28, 9, 37, 8, tzinfo=UTC)
    first, second = listing.mandates
    assert first == Mandate(
        reference_number="ILU123",
        ean=EAN,
        status="Approved",
        energy_type="E",
        data_service_type="VH_kwartier_uur",
        data_period_from=datetime(2025, 1, 1, tzinfo=UTC),
        data_period_to=datetime(2028, 1, 1, tzinfo=UTC),
        expiration_date=datetime(2028, 1, 1, tzinfo=UTC),
        renewal_status=None,
    )
    assert second.reference_number == "ILU124"
    assert second.status == "Requested"
    assert second.data_period_from is None
    assert second.expiration_date == datetime(2028, 6, 1, tzinfo=UTC)


def test_empty_mandates_list_is_not_an_error():
    assert parse_mandates({"data": {"mandates": []}}, received_at=RECEIVED_AT).mandates == ()
    assert parse_mandates({"data": {}}, received_at=RECEIVED_AT).mandates == ()


@pytest.mark.parametrize(
    ("meta", "fetched_at"),
    [
        ({"fetchTime": "2026-05-28T09:37:08+02:00"}, datetime(2026, 5, 28, 7, 37, 8, tzinfo=UTC)),
        ({"FetchTime": "2026-05-28T09:37:08"}, datetime(2026, 5, 28, 9, 37, 8, tzinfo=UTC)),  # naive = UTC
        ({"fetchTime": "yesterday"}, RECEIVED_AT),
        ({"fetchTime": 1748424000}, RECEIVED_AT),
        ({"fetchTime": ""}, RECEIVED_AT),
        # a valid ISO text whose UTC instant is outside datetime's range (year 1 or 9999 with an offset)
        ({"fetchTime": "0001-01-01T00:00:00+01:00"}, RECEIVED_AT),
        ({"fetchTime": "9999-12-31T23:59:59-01:00"}, RECEIVED_AT),
        ({}, RECEIVED_AT),
        (None, RECEIVED_AT),
        ("2026-05-28T09:37:08Z", RECEIVED_AT),
    ],
)
def test_the_mandates_fetch_time_is_fluvius_s_or_else_the_time_of_receipt(meta, fetched_at):
    payload = {"data": {"mandates": []}}
    if meta is not None:
        payload["_meta"] = meta
    listing = parse_mandates(payload, received_at=RECEIVED_AT)
    assert listing.fetched_at == fetched_at
    assert listing.fetched_at.tzinfo is UTC


@pytest.mark.parametrize(
    "payload",
    [
        None,
        {"data": None},
        {"data": {"mandates": {"a": 1}}},
        {"data": {"mandates": ["x"]}},
        {"data": {"mandates": [{"status": "Approved", "ean": EAN}]}},  # no reference
        {"data": {"mandates": [{"referenceNumber": "R1"}]}},  # no ean
        {"data": {"mandates": [{"referenceNumber": "R1", "ean": EAN, "dataPeriodFrom": "soon"}]}},
        {
            "data": {
                "mandates": [
                    {"referenceNumber": "R1", "ean": EAN, "dataPeriodTo": "9999-12-31T23:59:59-01:00"}
                ]
            }
        },
        {"data": {"mandates": [{"referenceNumber": ["R1"], "ean": EAN}]}},
    ],
)
def test_junk_mandates_raise_payload_error(payload):
    with pytest.raises(FluviusPayloadError):
        parse_mandates(payload, received_at=RECEIVED_AT)


# --- short URL ----------------------------------------------------------------------------------


def test_parse_short_url():
    short_id, valid_to = parse_short_url(
        {"data": {"status": "success", "shortUrlIdentifier": "Xk3p9Q", "validTo": "2026-05-29T09:37:08Z"}}
    )
    assert short_id == "Xk3p9Q"
    assert valid_to == datetime(2026, 5, 29, 9, 37, 8, tzinfo=UTC)


def test_parse_short_url_without_valid_to_or_status():
    assert parse_short_url({"data": {"ShortUrlIdentifier": "abc"}}) == ("abc", None)


def test_parse_short_url_failed():
    with pytest.raises(FluviusShortUrlFailed):
        parse_short_url({"data": {"status": "failed"}})


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"data": {"status": "success"}},
        {"data": {"status": "success", "shortUrlIdentifier": ""}},
        {"data": 3},
    ],
)
def test_parse_short_url_junk(payload):
    with pytest.raises(FluviusPayloadError):
        parse_short_url(payload)
