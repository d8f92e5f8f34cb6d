"""The mandate lifecycle (consents/services/mandates.py) against the real simulator over HTTP.

Request → decision in the stand-in Mijn Fluvius → status poll; and the "no mandate, no fetch"
gate: a revoked, rejected, pending or unknown mandate stops every fetch, and each refusal is kept.
"""

from datetime import timedelta
from urllib.parse import parse_qs

import pytest

from consents.models import FetchRefusal, Mandate, MandatePollState
from consents.services.mandates import POLL_STATE, mandate_authorize_fetch, mandates_poll
from ilusmart import clock
from ilusmart.fluvius.client import format_utc
from ilusmart.fluvius.errors import FluviusMandateNotActive, FluviusNotFound, FluviusPayloadError
from meters.models import MeterSyncState
from meters.services.sync import (
    NoActiveMandate,
    local_midnight,
    meter_backfill,
    meter_sync_daily,
    meter_sync_range,
)
from tests.factories import MandateFactory, MeterFactory
from tests.meters.conftest import energy_requests, local_today, request_mandate

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def _sync_last_days(*, meter, days: int = 3):
    return meter_sync_range(
        meter=meter,
        start=local_midnight(local_today() - timedelta(days=days)),
        end=local_midnight(local_today()),
    )


def _mandate_polls(sim) -> list[dict]:
    """The query parameters of every GET /api/mandate the simulator served."""
    return [
        parse_qs(r["query"])
        for r in sim.get("/_sim/requests").json()["requests"]
        if r["path"].lower().endswith("/api/mandate")
    ]


def test_a_revoked_mandate_stops_fetching_within_one_poll(sim, connected_meter):
    meter, mandate = connected_meter(days=10)
    mandates_poll()  # the regular poll has run before: the next one is incremental
    assert _sync_last_days(meter=meter).requests == 1

    sim.remote.revoke(reference=mandate.reference_number, ean=meter.ean)
    result = mandates_poll()

    assert "lastUpdatedFrom" in _mandate_polls(sim)[-1]
    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.FINISHED
    assert mandate.end_reason == Mandate.EndReason.FINISHED
    assert mandate.ended_at is not None
    assert result.ended == [mandate.pk]
    fetched = len(energy_requests(sim))
    for sync in (_sync_last_days, meter_sync_daily, meter_backfill):
        with pytest.raises(NoActiveMandate):
            sync(meter=meter)
    assert len(energy_requests(sim)) == fetched  # not one more request went to Fluvius
    assert FetchRefusal.objects.filter(ean=meter.ean, user=meter.owner).count() == 3


def test_a_fetch_after_revocation_but_before_the_poll_gets_403_and_suspends(
    sim, connected_meter, django_capture_on_commit_callbacks
):
    meter, mandate = connected_meter(days=10)
    sim.remote.revoke(reference=mandate.reference_number, ean=meter.ean)

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(FluviusMandateNotActive):
        _sync_last_days(meter=meter)

    assert len(callbacks) == 1  # a status poll is queued for when the transaction commits
    assert energy_requests(sim)[-1]["status"] == 403
    mandate.refresh_from_db()
    assert mandate.fetch_suspended_at is not None
    assert mandate.status == Mandate.Status.APPROVED  # until the poll says otherwise
    state = MeterSyncState.objects.get(meter=meter)
    assert state.last_error.startswith("FluviusMandateNotActive")
    assert state.last_error_at is not None and state.last_success_at is None

    fetched = len(energy_requests(sim))
    with pytest.raises(NoActiveMandate):
        _sync_last_days(meter=meter)
    assert len(energy_requests(sim)) == fetched
    assert FetchRefusal.objects.filter(ean=meter.ean, user=meter.owner).exists()

    mandates_poll()
    mandate.refresh_from_db()
    assert (mandate.status, mandate.end_reason) == (Mandate.Status.FINISHED, Mandate.EndReason.FINISHED)


def test_an_incremental_poll_picks_up_a_decision_made_after_the_previous_poll(sim, connected_meter):
    t0 = sim.frozen_now
    first_meter = MeterFactory()
    second_meter = MeterFactory(owner=first_meter.owner)
    mandates = {}
    for meter in (first_meter, second_meter):
        sim.remote.meter_register(ean=meter.ean, install_date=local_today() - timedelta(days=60))
        mandates[meter] = request_mandate(user=meter.owner, ean=meter.ean, history_days=30)
    sim.remote.decide(short_id=mandates[first_meter].short_url_id, eans=[first_meter.ean])
    sim.post("/_sim/clock", {"now": format_utc(t0 + timedelta(hours=1))}).raise_for_status()
    assert mandates_poll().newly_approved == [mandates[first_meter].pk]

    sim.post("/_sim/clock", {"now": format_utc(t0 + timedelta(hours=2))}).raise_for_status()
    sim.remote.decide(short_id=mandates[second_meter].short_url_id, eans=[second_meter.ean])
    result = mandates_poll()

    assert _mandate_polls(sim)[-1]["lastUpdatedFrom"] == [format_utc(t0 + timedelta(minutes=50))]
    assert result.seen == 1  # only what changed since the previous poll
    assert result.newly_approved == [mandates[second_meter].pk]
    for mandate in mandates.values():
        mandate.refresh_from_db()
        assert mandate.status == Mandate.Status.APPROVED
    assert mandate_authorize_fetch(user=second_meter.owner, ean=second_meter.ean) == mandates[second_meter]


def test_pending_holder_keeps_the_mandate_requested_until_the_holder_approves(sim, connected_meter):
    meter, mandate = connected_meter(days=10, decision="pending_holder")

    assert mandate.status == Mandate.Status.REQUESTED
    assert mandate.approved_at is None and mandate.ended_at is None
    with pytest.raises(NoActiveMandate):
        _sync_last_days(meter=meter)
    assert energy_requests(sim) == []

    sim.remote.decide(short_id=mandate.short_url_id, eans=[meter.ean], decision="approve")
    result = mandates_poll()

    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.APPROVED
    assert result.newly_approved == [mandate.pk]
    assert _sync_last_days(meter=meter).requests == 1


def test_a_rejected_mandate_is_ended_with_its_reason(sim, connected_meter):
    meter, mandate = connected_meter(days=10, decision="reject")

    assert mandate.status == Mandate.Status.REJECTED
    assert mandate.end_reason == Mandate.EndReason.REJECTED
    assert mandate.ended_at is not None and mandate.approved_at is None
    with pytest.raises(NoActiveMandate):
        _sync_last_days(meter=meter)
    assert energy_requests(sim) == []


def test_a_mandate_fluvius_does_not_know_is_marked_not_found(sim):
    mandate = MandateFactory()  # approved in our database; Fluvius has no mandate for the EAN
    meter = MeterFactory(owner=mandate.user, ean=mandate.ean)
    sim.remote.meter_register(ean=meter.ean, install_date=local_today() - timedelta(days=60))

    with pytest.raises(FluviusNotFound):
        _sync_last_days(meter=meter)

    assert energy_requests(sim)[-1]["status"] == 404
    mandate.refresh_from_db()
    assert (mandate.status, mandate.end_reason) == (Mandate.Status.FINISHED, Mandate.EndReason.NOT_FOUND)
    assert mandate.ended_at is not None
    assert MeterSyncState.objects.get(meter=meter).last_error.startswith("FluviusNotFound")
    fetched = len(energy_requests(sim))
    with pytest.raises(NoActiveMandate):
        _sync_last_days(meter=meter)
    assert len(energy_requests(sim)) == fetched


def test_a_poll_answer_that_breaks_the_contract_changes_nothing(fluvius_stub):
    mandate = MandateFactory(status=Mandate.Status.REQUESTED, approved_at=None)
    watermark = clock.now() - timedelta(hours=1)
    MandatePollState.objects.create(name=POLL_STATE, last_updated_until=watermark)
    # Approved, but without an EAN: Fluvius's contract always sends one.
    fluvius_stub.body = {
        "_meta": {"fetchTime": format_utc(clock.now())},
        "data": {"mandates": [{"referenceNumber": mandate.reference_number, "status": "Approved"}]},
    }

    with pytest.raises(FluviusPayloadError, match="has no 'ean'"):
        mandates_poll(client=fluvius_stub.client())

    mandate.refresh_from_db()
    assert (mandate.status, mandate.approved_at) == (Mandate.Status.REQUESTED, None)
    assert MandatePollState.objects.get(name=POLL_STATE).last_updated_until == watermark


def test_the_poll_s_watermark_is_fluvius_s_fetch_time_or_else_our_clock(fluvius_stub):
    fetch_time = clock.now().replace(microsecond=0) - timedelta(minutes=7)
    fluvius_stub.body = {"_meta": {"fetchTime": format_utc(fetch_time)}, "data": {"mandates": []}}
    mandates_poll(client=fluvius_stub.client())
    assert MandatePollState.objects.get(name=POLL_STATE).last_updated_until == fetch_time

    fluvius_stub.body = {"data": {"mandates": []}}  # no _meta at all
    before = clock.now()
    mandates_poll(client=fluvius_stub.client())
    assert before <= MandatePollState.objects.get(name=POLL_STATE).last_updated_until <= clock.now()
