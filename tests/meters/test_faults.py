"""Fault detection (meters.services.faults) end to end: the simulator over HTTP, PostgreSQL, the hooks
in sync, back-fill and CSV import, and the operator commands ``detect_faults`` and ``faults``.

Summer tests use the latest July that lies wholly in the past by the project clock (the simulator
serves any past day), so they hold whatever day the suite runs on.
"""

import json
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from consents.models import Mandate
from consents.services.mandates import mandates_poll
from ilusmart import clock
from ilusmart.fluvius.client import format_utc
from meters.models import Fault
from meters.services.csv_import import readings_csv_import
from meters.services.faults import fault_close
from meters.services.sync import (
    backfill_start,
    local_midnight,
    mandates_refresh,
    meter_backfill,
    meter_sync_daily,
    meter_sync_range,
)
from tests.factories import MeterFactory, ProductFactory, UserFactory
from tests.meters.conftest import local_today, request_mandate

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

TOLERANCE = timedelta(days=2)


# --- Helpers -----------------------------------------------------------------------------------


def summer_year() -> int:
    """The latest year whose July to September lies wholly before today (project clock)."""
    today = local_today()
    return today.year if today >= date(today.year, 9, 15) else today.year - 1


def faults_json(ean: str) -> list[dict]:
    """``manage.py faults --ean EAN --json``, parsed."""
    out = StringIO()
    call_command("faults", "--ean", ean, "--json", stdout=out)
    return json.loads(out.getvalue())


def detect(ean: str, *extra: str) -> None:
    call_command("detect_faults", "--ean", ean, *extra, stdout=StringIO())


def fault_versions(meter) -> list[tuple]:
    """(id, xmin, ctid) of every fault row of ``meter``: changes when a row is written at all."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, xmin::text, ctid::text FROM meters_fault WHERE meter_id = %s ORDER BY id", [meter.pk]
        )
        return cursor.fetchall()


def of_type(rows: list[dict], fault_type: str) -> list[dict]:
    return [row for row in rows if row["type"] == fault_type]


def move_clocks(sim, settings, by: timedelta) -> None:
    """Move the project clock and the simulator's frozen clock by ``by``."""
    sim.frozen_now = sim.frozen_now + by
    sim.post("/_sim/clock", {"now": format_utc(sim.frozen_now)}).raise_for_status()
    settings.CLOCK_SHIFT = settings.CLOCK_SHIFT + by


@pytest.fixture
def summer_meter(sim, connected_meter):
    """summer_meter(pv_failure=(first, end) | None, product=True): a PV meter synced May–August.

    The meter is connected through the real mandate flow, registered in the simulator with a
    6.2 kWp installation (and ``pv_failure``: no production from ``first`` to ``end``, exclusive)
    and synced with ``meter_sync_range``, whose hook runs fault detection over those days.
    ``product=False`` leaves out the PV product: detection must see the PV in the meter's history.
    """

    def make(*, pv_failure=None, product=True):
        year = summer_year()
        first, end = date(year, 5, 1), date(year, 9, 1)
        meter, _mandate = connected_meter(days=(local_today() - first).days + 1)
        sim.remote.meter_register(
            ean=meter.ean, install_date=date(year - 1, 1, 1), kwp=6.2, pv_failure=pv_failure
        )
        if product:
            ProductFactory(meter=meter, kwp=Decimal("6.200"), installed_on=date(year - 1, 1, 1))
        meter_sync_range(meter=meter, start=local_midnight(first), end=local_midnight(end))
        return meter

    return make


# --- inverter_suspected (the acceptance test) -----------------------------------------------------


@pytest.mark.parametrize("pv_known_from", ["product", "history"])
def test_a_pv_failure_in_july_opens_and_closes_exactly_one_inverter_fault(summer_meter, pv_known_from):
    year = summer_year()
    failure = (date(year, 7, 8), date(year, 7, 19))  # the simulator's `to` is exclusive
    meter = summer_meter(pv_failure=failure, product=pv_known_from == "product")

    inverter = of_type(faults_json(meter.ean), "inverter_suspected")
    assert len(inverter) == 1, inverter
    fault = inverter[0]
    started, resolved = date.fromisoformat(fault["started"]), date.fromisoformat(fault["resolved"])
    assert abs(started - failure[0]) <= TOLERANCE
    assert abs(resolved - failure[1]) <= TOLERANCE
    assert fault["status"] == "resolved"
    first_day = fault["evidence"]["days"][0]
    assert first_day["injection_wh"] <= first_day["threshold_wh"] and first_day["offtake_wh"] > 0
    assert first_day["pv"] == pv_known_from
    assert not of_type(faults_json(meter.ean), "data_anomaly")

    # detect_faults (with and without the summer in its range) finds the same: nothing changes.
    before = fault_versions(meter)
    inverter_row = [v for v in before if v[0] == fault["id"]]
    detect(meter.ean, "--since", f"{year}-05-01")
    first_run = fault_versions(meter)
    detect(meter.ean, "--since", f"{year}-05-01")
    detect(meter.ean)
    assert fault_versions(meter) == first_run
    assert [v for v in first_run if v[0] == fault["id"]] == inverter_row


def test_a_meter_without_a_failure_opens_no_inverter_or_data_fault(summer_meter):
    meter = summer_meter(pv_failure=None)

    rows = faults_json(meter.ean)
    assert not of_type(rows, "inverter_suspected")
    assert not of_type(rows, "data_anomaly")
    detect(meter.ean, "--since", f"{summer_year()}-05-01")
    assert not of_type(faults_json(meter.ean), "inverter_suspected")


def test_a_failure_still_going_on_stays_open_until_injection_returns(summer_meter, sim):
    year = summer_year()
    meter = summer_meter(pv_failure=(date(year, 8, 20), date(year, 12, 31)))

    [fault] = of_type(faults_json(meter.ean), "inverter_suspected")
    assert fault["status"] == "open" and fault["resolved"] is None
    assert abs(date.fromisoformat(fault["started"]) - date(year, 8, 20)) <= TOLERANCE

    # The installer repairs it: from 1 September on the panels produce again.
    sim.remote.meter_register(
        ean=meter.ean,
        install_date=date(year - 1, 1, 1),
        kwp=6.2,
        pv_failure=(date(year, 8, 20), date(year, 9, 1)),
    )
    meter_sync_range(
        meter=meter, start=local_midnight(date(year, 9, 1)), end=local_midnight(date(year, 9, 10))
    )

    [fault] = of_type(faults_json(meter.ean), "inverter_suspected")
    assert fault["status"] == "resolved"
    assert abs(date.fromisoformat(fault["resolved"]) - date(year, 9, 1)) <= TOLERANCE


@pytest.mark.slow
def test_a_three_year_backfill_finds_a_past_failure_and_closes_it(sim):
    """The real flow of a new homeowner: mandate over 3 years of history, then the back-fill."""
    year = summer_year() - 1
    failure = (date(year, 7, 1), date(year, 7, 15))
    meter = MeterFactory(owner=UserFactory())
    ProductFactory(meter=meter, kwp=Decimal("6.200"), installed_on=date(year - 2, 1, 1))
    sim.remote.meter_register(ean=meter.ean, install_date=date(year - 2, 1, 1), kwp=6.2, pv_failure=failure)
    mandate = request_mandate(user=meter.owner, ean=meter.ean, history_days=3 * 365)
    sim.remote.decide(short_id=mandate.short_url_id, eans=[meter.ean], decision="approve")
    mandates_poll(reference_number=mandate.reference_number)
    mandate.refresh_from_db()
    backfill_start(mandate=mandate)

    meter_backfill(meter=meter)

    [fault] = of_type(faults_json(meter.ean), "inverter_suspected")
    assert fault["status"] == "resolved"
    assert abs(date.fromisoformat(fault["started"]) - failure[0]) <= TOLERANCE
    assert abs(date.fromisoformat(fault["resolved"]) - failure[1]) <= TOLERANCE
    versions = fault_versions(meter)
    detect(meter.ean, "--since", (local_today() - timedelta(days=3 * 365)).isoformat())
    assert fault_versions(meter) == versions


def test_staff_closing_a_fault_as_false_alarm_is_never_undone_by_detection(summer_meter):
    year = summer_year()
    meter = summer_meter(pv_failure=(date(year, 8, 20), date(year, 12, 31)))
    fault = Fault.objects.get(meter=meter, type=Fault.Type.INVERTER_SUSPECTED)
    staff = UserFactory(is_staff=True)
    fault_close(fault=fault, by=staff, false_alarm=True, reason="Panelen bewust uitgeschakeld (verbouwing).")
    versions = fault_versions(meter)

    detect(meter.ean, "--since", f"{year}-05-01")

    assert fault_versions(meter) == versions
    fault.refresh_from_db()
    assert fault.status == Fault.Status.FALSE_ALARM and fault.closed_by == staff


# --- feed_stale -------------------------------------------------------------------------------------


def test_no_new_readings_for_more_than_three_days_opens_feed_stale_and_a_sync_closes_it(
    sim, connected_meter, settings
):
    meter, _mandate = connected_meter(days=30)
    today = local_today()
    meter_sync_range(meter=meter, start=local_midnight(today - timedelta(days=20)), end=clock.now())
    assert not of_type(faults_json(meter.ean), "feed_stale")
    newest = max(date.fromisoformat(r["day"]) for r in _days_with_values(meter))

    move_clocks(sim, settings, timedelta(days=6))  # no sync for six days
    detect(meter.ean)

    [stale] = of_type(faults_json(meter.ean), "feed_stale")
    assert stale["status"] == "open" and stale["resolved"] is None
    assert stale["started"] == (newest + timedelta(days=1)).isoformat()
    versions = fault_versions(meter)
    detect(meter.ean)
    assert fault_versions(meter) == versions

    meter_sync_daily(meter=meter)  # its hook runs detection

    [stale] = of_type(faults_json(meter.ean), "feed_stale")
    assert stale["status"] == "resolved" and stale["resolved"] == local_today().isoformat()


def test_a_sync_three_days_behind_is_not_stale_yet(sim, connected_meter, settings):
    meter, _mandate = connected_meter(days=30)
    meter_sync_range(meter=meter, start=local_midnight(local_today() - timedelta(days=20)), end=clock.now())
    newest = max(date.fromisoformat(r["day"]) for r in _days_with_values(meter))
    # Move to the last day on which "newest" is at most 3 days later than normal (day D arrives on D + 1).
    move_clocks(sim, settings, (newest + timedelta(days=4)) - local_today())
    detect(meter.ean)
    assert not of_type(faults_json(meter.ean), "feed_stale")
    move_clocks(sim, settings, timedelta(days=1))
    detect(meter.ean)
    assert len(of_type(faults_json(meter.ean), "feed_stale")) == 1


def _days_with_values(meter) -> list[dict]:
    from meters.models import DailyTotal

    return [
        {"day": d.isoformat()}
        for d in DailyTotal.objects.filter(meter=meter, offtake_slots_present__gt=0).values_list(
            "day", flat=True
        )
    ]


# --- mandate_action ---------------------------------------------------------------------------------


def test_a_mandate_still_requested_after_seven_days_needs_action_until_approved(
    sim, connected_meter, settings
):
    meter, mandate = connected_meter(days=30, decision="pending_holder")
    assert mandate.status == Mandate.Status.REQUESTED
    detect(meter.ean)
    assert not of_type(faults_json(meter.ean), "mandate_action")

    move_clocks(sim, settings, timedelta(days=8))
    detect(meter.ean)

    [action] = of_type(faults_json(meter.ean), "mandate_action")
    assert action["status"] == "open"
    assert action["evidence"]["situation"] == "requested_too_long"
    waited = (mandate.requested_at + timedelta(days=7)).astimezone(clock.BRUSSELS).date()
    assert action["started"] == waited.isoformat()
    versions = fault_versions(meter)
    detect(meter.ean)
    assert fault_versions(meter) == versions

    sim.remote.decide(short_id=mandate.short_url_id, eans=[meter.ean], decision="approve")
    mandates_poll(reference_number=mandate.reference_number)
    detect(meter.ean)

    [action] = of_type(faults_json(meter.ean), "mandate_action")
    assert action["status"] == "resolved" and action["resolved"] == local_today().isoformat()


@pytest.mark.parametrize("ending", ["rejected", "revoked"])
def test_a_rejected_or_revoked_mandate_needs_action_until_a_new_one_is_approved(sim, connected_meter, ending):
    meter, mandate = connected_meter(days=30, decision="reject" if ending == "rejected" else "approve")
    if ending == "revoked":
        sim.remote.revoke(reference=mandate.reference_number, ean=meter.ean)
        mandates_poll(reference_number=mandate.reference_number)
    mandate.refresh_from_db()
    assert mandate.status == (Mandate.Status.REJECTED if ending == "rejected" else Mandate.Status.FINISHED)

    detect(meter.ean)

    [action] = of_type(faults_json(meter.ean), "mandate_action")
    assert action["status"] == "open"
    assert action["evidence"]["situation"] == ("rejected" if ending == "rejected" else "finished")
    assert action["started"] == mandate.ended_at.astimezone(clock.BRUSSELS).date().isoformat()
    versions = fault_versions(meter)
    detect(meter.ean)
    assert fault_versions(meter) == versions

    again = request_mandate(user=meter.owner, ean=meter.ean, history_days=30)
    sim.remote.decide(short_id=again.short_url_id, eans=[meter.ean], decision="approve")
    mandates_poll(reference_number=again.reference_number)
    detect(meter.ean)

    [action] = of_type(faults_json(meter.ean), "mandate_action")
    assert action["status"] == "resolved" and action["resolved"] == local_today().isoformat()


def test_the_mandate_poll_raises_the_fault_of_a_revoked_mandate_at_once(sim, connected_meter):
    meter, mandate = connected_meter(days=30)
    sim.remote.revoke(reference=mandate.reference_number, ean=meter.ean)

    mandates_refresh(reference_number=mandate.reference_number)  # what beat and the return page call

    [action] = of_type(faults_json(meter.ean), "mandate_action")
    assert (action["status"], action["evidence"]["situation"]) == ("open", "finished")


def test_a_mandate_to_be_renewed_and_then_expired_is_one_fault(sim, connected_meter, settings):
    meter, mandate = connected_meter(days=30)
    assert mandate.expires_at is not None
    detect(meter.ean)
    assert not of_type(faults_json(meter.ean), "mandate_action")

    move_clocks(sim, settings, (mandate.expires_at - timedelta(days=60)) - clock.now())
    mandates_poll(reference_number=mandate.reference_number)
    detect(meter.ean)
    [action] = of_type(faults_json(meter.ean), "mandate_action")
    assert (action["status"], action["evidence"]["situation"]) == ("open", "to_be_renewed")

    move_clocks(sim, settings, timedelta(days=61))
    mandates_poll(reference_number=mandate.reference_number)
    detect(meter.ean)
    [again] = of_type(faults_json(meter.ean), "mandate_action")
    assert (again["id"], again["status"], again["evidence"]["situation"]) == (action["id"], "open", "expired")
    versions = fault_versions(meter)
    detect(meter.ean)
    assert fault_versions(meter) == versions


# --- data_anomaly (through the CSV import: the simulator never delivers impossible values) ------

HEADER = "Van datum;Van tijdstip;Tot datum;Tot tijdstip;EAN;Meter;Metertype;Register;Volume;Eenheid;Validatiestatus"


def csv_days(ean: str, days: list[date], *, volume=None) -> bytes:
    """A Mijn Fluvius export (old header) of whole days; ``volume(day, slot, direction)`` → "0,123"/""."""
    lines = [HEADER]
    for day in days:
        start = local_midnight(day)
        slots = int((local_midnight(day + timedelta(days=1)) - start).total_seconds() // 900)
        for slot in range(slots):
            begin = (start + timedelta(minutes=15 * slot)).astimezone(clock.BRUSSELS)
            finish = (start + timedelta(minutes=15 * (slot + 1))).astimezone(clock.BRUSSELS)
            for direction, register in (("offtake", "Afname Dag"), ("injection", "Injectie Dag")):
                value = (
                    volume(day, slot, direction)
                    if volume
                    else ("0,100" if direction == "offtake" else "0,000")
                )
                status = "Gevalideerd" if value else "Geen verbruik"
                lines.append(
                    f"{begin:%d-%m-%Y};{begin:%H:%M:%S};{finish:%d-%m-%Y};{finish:%H:%M:%S};"
                    f'="{ean}";1SAG1;Digitale Meter;{register};{value};kWh;{status}'
                )
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def import_days(meter, days, **kwargs):
    content = csv_days(meter.ean, days, **kwargs)
    return readings_csv_import(
        meter=meter, file=SimpleUploadedFile("export.csv", content), uploaded_by=meter.owner
    )


def test_an_impossible_value_opens_a_data_anomaly_closed_by_the_next_normal_day():
    meter = MeterFactory()
    days = [date(2025, 3, 10), date(2025, 3, 11), date(2025, 3, 12)]

    def volume(day, slot, direction):
        if day == days[1] and slot == 40 and direction == "offtake":
            return "60,000"  # 60 kWh in 15 minutes = 240 kW: no home has such a connection
        return "0,100" if direction == "offtake" else "0,000"

    import_days(meter, days, volume=volume)

    [anomaly] = faults_json(meter.ean)
    assert anomaly["type"] == "data_anomaly"
    assert (anomaly["started"], anomaly["resolved"], anomaly["status"]) == (
        "2025-03-11",
        "2025-03-12",
        "resolved",
    )
    assert anomaly["evidence"]["max_offtake_wh"] == 60_000
    versions = fault_versions(meter)
    detect(meter.ean, "--since", "2025-03-01")
    detect(meter.ean, "--since", "2025-03-01")
    assert fault_versions(meter) == versions


def test_a_long_gap_opens_a_data_anomaly_that_stays_open_until_a_normal_day_arrives():
    meter = MeterFactory()

    def volume(day, slot, direction):
        if day == date(2025, 4, 2) and 40 <= slot < 52:  # 10:00–13:00: three hours without a value
            return ""
        return "0,100" if direction == "offtake" else "0,000"

    import_days(meter, [date(2025, 4, 1), date(2025, 4, 2)], volume=volume)
    [anomaly] = faults_json(meter.ean)
    assert (anomaly["type"], anomaly["started"], anomaly["status"], anomaly["resolved"]) == (
        "data_anomaly",
        "2025-04-02",
        "open",
        None,
    )
    assert anomaly["evidence"]["gap_slots"] == 12

    import_days(meter, [date(2025, 4, 3)])

    [anomaly] = faults_json(meter.ean)
    assert (anomaly["status"], anomaly["resolved"]) == ("resolved", "2025-04-03")


def test_a_short_gap_and_missing_trailing_values_are_no_anomaly():
    meter = MeterFactory()

    def volume(day, slot, direction):
        if day == date(2025, 4, 1) and 40 <= slot < 44:  # one hour: within what Fluvius leaves out
            return ""
        if day == date(2025, 4, 2) and slot >= 60:  # not delivered yet
            return ""
        return "0,100" if direction == "offtake" else "0,000"

    import_days(meter, [date(2025, 4, 1), date(2025, 4, 2)], volume=volume)
    assert faults_json(meter.ean) == []


# --- The homeowner's mail ------------------------------------------------------------------------


def test_a_new_open_fault_mails_an_opted_in_homeowner_once_on_commit(django_capture_on_commit_callbacks):
    meter = MeterFactory(fault_email=True)

    def volume(day, slot, direction):
        return "60,000" if (day == date(2025, 4, 2) and slot == 3) else "0,100"

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_days(meter, [date(2025, 4, 1), date(2025, 4, 2)], volume=volume)
    assert mail.outbox == []  # nothing is mailed before the transaction commits
    for callback in callbacks:  # the fault mail (and the upload's queued import task)
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [meter.owner.email]
    assert f"/meters/{meter.pk}/" in message.body
    assert "Mail me als er een nieuwe storing is" in message.body  # how to stop these mails

    with django_capture_on_commit_callbacks(execute=True):
        detect(meter.ean, "--since", "2025-03-01")
    assert len(mail.outbox) == 1  # nothing new opened: no second mail


def test_no_mail_without_opt_in_nor_for_a_past_episode_found_closed(django_capture_on_commit_callbacks):
    quiet = MeterFactory(fault_email=False)
    keen = MeterFactory(fault_email=True)

    def volume(day, slot, direction):
        return "60,000" if (day == date(2025, 4, 2) and slot == 3) else "0,100"

    with django_capture_on_commit_callbacks(execute=True):
        import_days(quiet, [date(2025, 4, 1), date(2025, 4, 2)], volume=volume)  # open, but no opt-in
        import_days(
            keen, [date(2025, 4, 1), date(2025, 4, 2), date(2025, 4, 3)], volume=volume
        )  # found closed

    assert Fault.objects.get(meter=quiet).status == Fault.Status.OPEN
    assert Fault.objects.get(meter=keen).status == Fault.Status.RESOLVED
    assert mail.outbox == []
