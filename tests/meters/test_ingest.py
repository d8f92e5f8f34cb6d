import random
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from ilusmart.fluvius.types import DayReadings, Register, ValidationState
from meters.models import DailyTotal, ReadingDay
from meters.selectors import readings_for_day
from meters.services.ingest import readings_ingest, readings_ingest_days
from tests.factories import MeterFactory
from tests.fluvius.days import as_days
from tests.meters.values import day_values, qh, utc

pytestmark = pytest.mark.django_db

# Local 2025-06-14 (summer, CEST) runs 2025-06-13T22:00Z .. 2025-06-14T22:00Z.
JUNE_14 = date(2025, 6, 14)
JUNE_14_START = utc("2025-06-13T22:00")


@pytest.fixture(params=["values", "days"])
def ingest(request):
    """Both entry points: ``readings_ingest`` of the values, or ``readings_ingest_days`` of the same
    values grouped per local day (tests.fluvius.days.as_days)."""

    def run(*, meter, values):
        if request.param == "values":
            return readings_ingest(meter=meter, values=values)
        return readings_ingest_days(meter=meter, days=as_days(values))

    run.entry = request.param
    return run


def _slot(meter, day, index):
    return readings_for_day(meter=meter, day=day)[index]


def _xmins(meter):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'r' || day::text, xmin::text FROM meters_readingday WHERE meter_id = %s "
            "UNION ALL SELECT 't' || day::text, xmin::text FROM meters_dailytotal WHERE meter_id = %s",
            [meter.pk, meter.pk],
        )
        return dict(cursor.fetchall())


def test_round_trip_of_one_day(ingest):
    meter = MeterFactory()
    values = day_values(JUNE_14_START, 96, offtake={0: "0.012", 40: "1.234"}, injection={48: "0.684"})

    result = ingest(meter=meter, values=values)

    assert (result.inserted, result.updated, result.unchanged, result.days_touched) == (192, 0, 0, 1)
    slots = readings_for_day(meter=meter, day=JUNE_14)
    assert len(slots) == 96
    assert slots[0].start_utc == JUNE_14_START
    assert slots[0].end_utc == utc("2025-06-13T22:15")
    assert slots[0].offtake_kwh == Decimal("0.012")
    assert slots[40].offtake_kwh == Decimal("1.234")
    assert slots[48].injection_kwh == Decimal("0.684")
    assert slots[1].offtake_kwh == Decimal("0.000")
    assert slots[0].offtake_state is ValidationState.VAL
    assert slots[0].register is Register.DAY
    assert ReadingDay.objects.filter(meter=meter).count() == 1


def test_missing_stays_missing_and_never_overwrites(ingest):
    meter = MeterFactory()
    ingest(meter=meter, values=[qh("2025-06-14T10:00", "offtake", None, None)])
    assert ReadingDay.objects.count() == 0  # nothing but missing: no row at all

    ingest(meter=meter, values=[qh("2025-06-14T10:00", "offtake", "0.250")])
    result = ingest(meter=meter, values=[qh("2025-06-14T10:00", "offtake", None, None)])

    # A day's slots without a value all count as missing in the per-day form.
    assert result.skipped_missing == (1 if ingest.entry == "values" else 192)
    assert result.days_touched == 0
    slot = _slot(meter, JUNE_14, 48)
    assert slot.offtake_kwh == Decimal("0.250")
    # The injection of that slot was never delivered: missing, not zero.
    assert slot.injection_kwh is None
    assert slot.injection_state is None
    total = DailyTotal.objects.get(meter=meter, day=JUNE_14)
    assert total.offtake_wh == 250
    assert total.injection_wh is None
    assert (total.offtake_slots_present, total.injection_slots_present, total.slots_expected) == (1, 0, 96)


def test_validated_replaces_estimate_but_estimate_never_replaces_validated(ingest):
    meter = MeterFactory()
    ingest(meter=meter, values=[qh("2025-06-14T10:00", kwh="0.300", state="EST")])
    assert DailyTotal.objects.get(meter=meter).estimated_values == 1

    result = ingest(meter=meter, values=[qh("2025-06-14T10:00", kwh="0.280", state="VAL")])
    assert (result.updated, result.days_touched) == (1, 1)
    slot = _slot(meter, JUNE_14, 48)
    assert (slot.offtake_kwh, slot.offtake_state) == (Decimal("0.280"), ValidationState.VAL)
    total = DailyTotal.objects.get(meter=meter)
    assert (total.offtake_wh, total.estimated_values) == (280, 0)

    result = ingest(meter=meter, values=[qh("2025-06-14T10:00", kwh="0.300", state="EST")])
    assert (result.skipped_lower_quality, result.updated, result.days_touched) == (1, 0, 0)
    assert _slot(meter, JUNE_14, 48).offtake_kwh == Decimal("0.280")


def test_equal_rank_with_other_value_or_register_replaces(ingest):
    meter = MeterFactory()
    ingest(meter=meter, values=[qh("2025-06-14T10:00", kwh="0.300", state="READ")])
    result = ingest(meter=meter, values=[qh("2025-06-14T10:00", kwh="0.310", state="NVAL")])
    assert result.updated == 1
    result = ingest(meter=meter, values=[qh("2025-06-14T10:00", kwh="0.310", state="NVAL", register="night")])
    assert result.updated == 1
    slot = _slot(meter, JUNE_14, 48)
    assert (slot.offtake_kwh, slot.offtake_state, slot.register) == (
        Decimal("0.310"),
        ValidationState.NVAL,
        Register.NIGHT,
    )
    total = DailyTotal.objects.get(meter=meter)
    assert (total.offtake_day_wh, total.offtake_night_wh) == (0, 310)


def test_duplicates_within_one_batch_follow_the_same_rule(ingest):
    meter = MeterFactory()
    result = ingest(
        meter=meter,
        values=[
            qh("2025-06-14T10:00", kwh="0.500", state="VAL"),
            qh("2025-06-14T10:00", kwh="0.700", state="EST"),
            qh("2025-06-14T10:15", kwh="0.100", state="EST"),
            qh("2025-06-14T10:15", kwh="0.200", state="READ"),
        ],
    )
    assert (result.inserted, result.skipped_lower_quality, result.superseded) == (2, 1, 1)
    slots = readings_for_day(meter=meter, day=JUNE_14)
    assert slots[48].offtake_kwh == Decimal("0.500")
    assert slots[49].offtake_kwh == Decimal("0.200")


def test_reingest_of_the_same_data_rewrites_no_row(ingest):
    meter = MeterFactory()
    values = []
    for day in range(3):
        values += day_values(JUNE_14_START + timedelta(days=day), 96, offtake={5: "0.321", 7: None})
    ingest(meter=meter, values=values)
    before = _xmins(meter)
    assert len(before) == 6

    result = ingest(meter=meter, values=values)

    assert (result.inserted, result.updated, result.days_touched) == (0, 0, 0)
    assert result.unchanged == 3 * 191
    assert result.skipped_missing == 3
    assert _xmins(meter) == before


def test_partial_update_rewrites_only_the_changed_day(ingest):
    meter = MeterFactory()
    values = []
    for day in range(3):
        values += day_values(JUNE_14_START + timedelta(days=day), 96)
    ingest(meter=meter, values=values)
    before = _xmins(meter)

    result = ingest(meter=meter, values=[qh("2025-06-15T10:00", kwh="0.999")])

    assert (result.updated, result.days_touched) == (1, 1)
    after = _xmins(meter)
    changed = {key for key in after if after[key] != before[key]}
    assert changed == {"r2025-06-15", "t2025-06-15"}
    assert DailyTotal.objects.get(meter=meter, day=date(2025, 6, 15)).offtake_wh == 999


@pytest.mark.parametrize(
    ("day", "first_start", "slots"),
    [
        (date(2025, 3, 30), "2025-03-29T23:00", 92),
        (date(2025, 10, 26), "2025-10-25T22:00", 100),
        (date(2025, 1, 15), "2025-01-14T23:00", 96),
    ],
)
def test_daylight_saving_days(day, first_start, slots, ingest):
    meter = MeterFactory()
    values = day_values(utc(first_start), slots, offtake=dict.fromkeys(range(slots), "0.010"))
    # The quarter-hours just outside the day belong to the neighbouring days.
    values.append(qh(utc(first_start) - timedelta(minutes=15), kwh="1.000"))
    values.append(qh(utc(first_start) + slots * timedelta(minutes=15), kwh="2.000"))

    ingest(meter=meter, values=values)

    day_slots = readings_for_day(meter=meter, day=day)
    assert len(day_slots) == slots
    assert day_slots[0].start_utc == utc(first_start)
    assert day_slots[-1].end_utc == utc(first_start) + slots * timedelta(minutes=15)
    total = DailyTotal.objects.get(meter=meter, day=day)
    assert total.slots_expected == slots
    assert total.offtake_wh == 10 * slots
    assert total.offtake_slots_present == total.injection_slots_present == slots
    assert DailyTotal.objects.get(meter=meter, day=day - timedelta(days=1)).offtake_wh == 1000
    assert DailyTotal.objects.get(meter=meter, day=day + timedelta(days=1)).offtake_wh == 2000


def test_day_night_split_and_peak(ingest):
    meter = MeterFactory()
    values = [
        qh("2025-06-14T05:00", "offtake", "0.400", register="day"),
        qh("2025-06-14T05:15", "offtake", "1.250", register="day"),  # peak: 5.000 kW
        qh("2025-06-14T20:30", "offtake", "0.800", register="night"),
        qh("2025-06-14T21:45", "offtake", "1.250", register="night"),  # same peak, later
        qh("2025-06-14T11:00", "injection", "0.900", register="day"),
        qh("2025-06-14T21:00", "injection", "0.100", register="night"),
        qh("2025-06-14T12:00", "injection", "0.050", register="total"),
    ]
    ingest(meter=meter, values=values)

    total = DailyTotal.objects.get(meter=meter, day=JUNE_14)
    assert (total.offtake_wh, total.offtake_day_wh, total.offtake_night_wh) == (3700, 1650, 2050)
    assert (total.injection_wh, total.injection_day_wh, total.injection_night_wh) == (1050, 900, 100)
    assert total.peak_offtake_w == 5000
    # 05:15Z is 07:15 local: slot 29 of the day (the first to reach the peak).
    assert total.peak_offtake_slot == 29
    assert (total.offtake_slots_present, total.injection_slots_present) == (4, 3)


@pytest.mark.parametrize(
    "value",
    [
        qh("2025-06-14T10:05"),
        qh("2025-06-14T10:00", end=utc("2025-06-14T11:00")),
        qh("2025-06-14T10:00", kwh="0.0005"),
        qh("2025-06-14T10:00", state=None),
    ],
    ids=["misaligned", "hourly", "sub-wh", "no-state"],
)
def test_rejects_values_it_cannot_store_exactly(value):
    meter = MeterFactory()
    with pytest.raises(ValueError):
        readings_ingest(meter=meter, values=[qh("2025-06-14T09:00"), value])
    assert ReadingDay.objects.count() == 0


def test_rejects_naive_timestamps():
    meter = MeterFactory()
    value = qh("2025-06-14T10:00")
    naive = type(value)(
        value.start.replace(tzinfo=None), value.end, value.direction, value.register, value.kwh, value.state
    )
    with pytest.raises(ValueError):
        readings_ingest(meter=meter, values=[naive])


@pytest.mark.django_db(transaction=True)
def test_concurrent_ingests_of_one_meter_end_as_one(ingest):
    meter = MeterFactory()
    values = []
    for day in range(4):
        values += day_values(JUNE_14_START + timedelta(days=day), 96, offtake={3: "0.777"})
    # Timeouts everywhere: a deadlock between the two ingests fails the test instead of hanging it.
    barrier = threading.Barrier(2, timeout=60)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(ingest(meter=meter, values=values))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an ingest is still running: deadlock?"

    assert errors == []
    assert sorted(r.inserted for r in results) == [0, 4 * 192]
    assert sorted(r.unchanged for r in results) == [0, 4 * 192]
    assert ReadingDay.objects.filter(meter=meter).count() == 4
    assert list(DailyTotal.objects.filter(meter=meter).values_list("offtake_wh", flat=True)) == [777] * 4


# --- the per-day entry point ------------------------------------------------------------------


def _june_14(**changes):
    """A valid DayReadings of local 2025-06-14 (96 slots, offtake 100 Wh VAL day), with changes."""
    fields = {
        "day": JUNE_14,
        "offtake_wh": [100] * 96,
        "injection_wh": [None] * 96,
        "offtake_quality": "V" * 96,
        "injection_quality": "-" * 96,
    } | changes
    return DayReadings(**fields)


@pytest.mark.parametrize(
    "readings",
    [
        _june_14(day=datetime(2025, 6, 14, tzinfo=UTC)),
        _june_14(offtake_wh=[100] * 95),
        _june_14(offtake_quality="V" * 95),
        _june_14(offtake_wh=[100.0] * 96),
        _june_14(offtake_wh=[Decimal(100)] * 96),
        _june_14(offtake_wh=["100"] * 96),
        _june_14(offtake_wh=[2**31] + [100] * 95),
        _june_14(offtake_quality="X" + "V" * 95),
        _june_14(offtake_quality=list("V" * 96)),
        _june_14(offtake_wh=[None] + [100] * 95),
        _june_14(injection_wh=[5] + [None] * 95),
        _june_14(injection_wh=[5] + [None] * 95, injection_quality="-V" + "-" * 94),
        _june_14(day=date(2025, 3, 30)),  # a 92-slot day
        "2025-06-14",
    ],
    ids=[
        "datetime-day",
        "short-list",
        "short-quality",
        "float-wh",
        "decimal-wh",
        "str-wh",
        "int-overflow",
        "unknown-code",
        "quality-not-str",
        "value-missing-quality-not",
        "quality-missing-value-not",
        "missing-in-other-slots",
        "wrong-slot-count",
        "not-day-readings",
    ],
)
def test_days_rejects_what_it_cannot_store_exactly(readings):
    meter = MeterFactory()
    with pytest.raises(ValueError):
        readings_ingest_days(meter=meter, days=[_june_14(day=date(2025, 6, 13)), readings])
    assert ReadingDay.objects.count() == DailyTotal.objects.count() == 0


def test_days_input_is_not_modified_and_matches_the_values_path():
    meter, other = MeterFactory(), MeterFactory()
    first = day_values(JUNE_14_START, 96, offtake={3: "0.333", 4: None}, state="EST")
    second = day_values(JUNE_14_START, 96, offtake={3: "0.334", 5: "0.555"}, injection={9: None}, state="VAL")
    readings_ingest(meter=other, values=first)
    via_values = readings_ingest(meter=other, values=second)
    days = as_days(first)
    readings_ingest_days(meter=meter, days=days)
    later = as_days(second)
    snapshot = [
        (list(d.offtake_wh), list(d.injection_wh), d.offtake_quality, d.injection_quality) for d in later
    ]

    via_days = readings_ingest_days(meter=meter, days=later)

    assert [(d.offtake_wh, d.injection_wh, d.offtake_quality, d.injection_quality) for d in later] == snapshot
    assert (via_days.inserted, via_days.updated, via_days.unchanged) == (
        via_values.inserted,
        via_values.updated,
        via_values.unchanged,
    )
    columns = ("day", "offtake_wh", "injection_wh", "offtake_quality", "injection_quality")
    assert list(ReadingDay.objects.filter(meter=meter).values_list(*columns)) == list(
        ReadingDay.objects.filter(meter=other).values_list(*columns)
    )
    totals = [f.name for f in DailyTotal._meta.concrete_fields if f.name not in ("id", "meter")]
    assert list(DailyTotal.objects.filter(meter=meter).values_list(*totals)) == list(
        DailyTotal.objects.filter(meter=other).values_list(*totals)
    )


def test_a_readings_change_that_leaves_the_totals_alone_rewrites_only_the_readings_row(ingest):
    meter = MeterFactory()
    ingest(meter=meter, values=[qh("2025-06-14T10:00", kwh="0.300", state="READ")])
    before = _xmins(meter)

    result = ingest(meter=meter, values=[qh("2025-06-14T10:00", kwh="0.300", state="NVAL")])

    assert (result.updated, result.days_touched) == (1, 1)
    after = _xmins(meter)
    assert after["r2025-06-14"] != before["r2025-06-14"]
    assert after["t2025-06-14"] == before["t2025-06-14"]
    assert _slot(meter, JUNE_14, 48).offtake_state is ValidationState.NVAL


def test_random_batches_store_the_same_through_both_entry_points():
    rng = random.Random(7)
    by_values, by_days = MeterFactory(), MeterFactory()
    for _ in range(6):
        values = []
        for _ in range(rng.randint(1, 60)):
            start = JUNE_14_START + timedelta(minutes=15 * rng.randint(-10, 200))
            kwh = rng.choice([None, "0.000", "0.100", "0.250", "1.000"])
            state = None if kwh is None else rng.choice(["EST", "READ", "NVAL", "VAL"])
            register = rng.choice(["day", "night", "total"])
            values.append(qh(start, rng.choice(["offtake", "injection"]), kwh, state, register))
        one = readings_ingest(meter=by_values, values=values)
        two = readings_ingest_days(meter=by_days, days=as_days(values))
        assert (one.inserted, one.updated, one.unchanged, one.skipped_lower_quality, one.superseded) == (
            two.inserted,
            two.updated,
            two.unchanged,
            two.skipped_lower_quality,
            two.superseded,
        )
        assert one.days_touched == two.days_touched
    columns = ("day", "offtake_wh", "injection_wh", "offtake_quality", "injection_quality")
    assert list(ReadingDay.objects.filter(meter=by_values).order_by("day").values_list(*columns)) == list(
        ReadingDay.objects.filter(meter=by_days).order_by("day").values_list(*columns)
    )
    totals = [f.name for f in DailyTotal._meta.concrete_fields if f.name not in ("id", "meter")]
    assert list(DailyTotal.objects.filter(meter=by_values).order_by("day").values_list(*totals)) == list(
        DailyTotal.objects.filter(meter=by_days).order_by("day").values_list(*totals)
    )


# --- Where values came from: Fluvius or a CSV import (issue 8, item 6) --------------------------


def _source(meter, day=JUNE_14):
    from meters.selectors import daily_totals

    (totals,) = daily_totals(meter=meter, start_date=day, end_date=day + timedelta(days=1))
    return totals.imported_values, totals.source


def test_an_import_fills_only_quarter_hours_fluvius_did_not_deliver(ingest):
    meter = MeterFactory()
    # Fluvius delivered 10:00 as an estimate; 10:15 not yet.
    ingest(meter=meter, values=[qh("2025-06-14T10:00", kwh="0.300", state="EST")])

    result = readings_ingest(
        meter=meter,
        values=[
            qh("2025-06-14T10:00", kwh="0.280", state="VAL"),  # better by state, but Fluvius delivered it
            qh("2025-06-14T10:15", kwh="0.100", state="VAL"),
        ],
        source="import",
    )

    assert (result.inserted, result.updated, result.skipped_fluvius, result.skipped_lower_quality) == (
        1,
        0,
        1,
        0,
    )
    fluvius, imported = _slot(meter, JUNE_14, 48), _slot(meter, JUNE_14, 49)
    assert (fluvius.offtake_kwh, fluvius.offtake_state, fluvius.source) == (
        Decimal("0.300"),
        ValidationState.EST,
        "fluvius",
    )
    assert (imported.offtake_kwh, imported.offtake_state, imported.source) == (
        Decimal("0.100"),
        ValidationState.VAL,
        "import",
    )
    assert _slot(meter, JUNE_14, 50).source is None  # nothing stored there
    assert _source(meter) == (1, "both")
    total = DailyTotal.objects.get(meter=meter)
    assert (total.offtake_wh, total.estimated_values, total.offtake_slots_present) == (400, 1, 2)


def test_the_same_value_imported_over_a_fluvius_value_stays_fluvius():
    meter = MeterFactory()
    readings_ingest(meter=meter, values=[qh("2025-06-14T10:00", kwh="0.300")])
    before = _xmins(meter)

    result = readings_ingest(meter=meter, values=[qh("2025-06-14T10:00", kwh="0.300")], source="import")

    assert (result.skipped_fluvius, result.days_touched) == (1, 0)
    assert _xmins(meter) == before
    assert _source(meter) == (0, "fluvius")


def test_fluvius_replaces_an_imported_value_whatever_its_state(ingest):
    meter = MeterFactory()
    readings_ingest(
        meter=meter,
        values=[qh("2025-06-14T10:00", kwh="0.280", state="VAL"), qh("2025-06-14T10:15", kwh="0.100")],
        source="import",
    )
    assert _source(meter) == (2, "import")

    result = ingest(meter=meter, values=[qh("2025-06-14T10:00", kwh="0.300", state="EST")])

    assert (result.updated, result.skipped_lower_quality, result.days_touched) == (1, 0, 1)
    slot = _slot(meter, JUNE_14, 48)
    assert (slot.offtake_kwh, slot.offtake_state, slot.source) == (
        Decimal("0.300"),
        ValidationState.EST,
        "fluvius",
    )
    assert _source(meter) == (1, "both")


def test_imports_replace_imports_by_quality():
    meter = MeterFactory()
    readings_ingest(meter=meter, values=[qh("2025-06-14T10:00", kwh="0.300", state="EST")], source="import")

    better = readings_ingest(meter=meter, values=[qh("2025-06-14T10:00", kwh="0.280")], source="import")
    worse = readings_ingest(
        meter=meter, values=[qh("2025-06-14T10:00", kwh="0.290", state="EST")], source="import"
    )

    assert (better.updated, worse.skipped_lower_quality, worse.skipped_fluvius) == (1, 1, 0)
    slot = _slot(meter, JUNE_14, 48)
    assert (slot.offtake_kwh, slot.offtake_state, slot.source) == (
        Decimal("0.280"),
        ValidationState.VAL,
        "import",
    )
    assert DailyTotal.objects.get(meter=meter).estimated_values == 0


def test_a_slot_with_imported_offtake_and_fluvius_injection_is_from_both():
    meter = MeterFactory()
    readings_ingest(meter=meter, values=[qh("2025-06-14T10:00", "injection", "0.700")])
    readings_ingest(meter=meter, values=[qh("2025-06-14T10:00", "offtake", "0.020")], source="import")

    slot = _slot(meter, JUNE_14, 48)
    assert (slot.offtake_kwh, slot.injection_kwh, slot.source) == (Decimal("0.020"), Decimal("0.700"), "both")
    assert _source(meter) == (1, "both")


def test_the_per_day_entry_point_takes_fluvius_codes_only():
    meter = MeterFactory()
    (day,) = as_days([qh("2025-06-14T10:00", kwh="0.300")])
    imported = day.offtake_quality.replace("V", "Z")  # an import's code for a validated day value
    with pytest.raises(ValueError):
        readings_ingest_days(
            meter=meter,
            days=[
                DayReadings(
                    day=day.day,
                    offtake_wh=day.offtake_wh,
                    injection_wh=day.injection_wh,
                    offtake_quality=imported,
                    injection_quality=day.injection_quality,
                )
            ],
        )
    assert not ReadingDay.objects.exists()


def test_rebuilding_the_totals_keeps_the_imported_count():
    from meters.services.ingest import daily_totals_rebuild

    meter = MeterFactory()
    readings_ingest(meter=meter, values=[qh("2025-06-14T10:00", kwh="0.300")])
    readings_ingest(meter=meter, values=[qh("2025-06-14T10:15", kwh="0.100")], source="import")
    DailyTotal.objects.filter(meter=meter).update(imported_values=0)

    result = daily_totals_rebuild(meter=meter)

    assert result.rewritten == 1
    assert _source(meter) == (1, "both")
