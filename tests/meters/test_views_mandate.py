"""The homeowner's "connect my meter" flow through the pages, against the real simulator."""

import base64
import json
import logging
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from consents.models import Mandate
from ilusmart.fluvius.simulator.remote import SimulatorRemote
from meters.models import ContactNote, Meter, MeterSyncState
from tests.factories import MeterFactory, ProfileFactory, _meter_ean

pytestmark = pytest.mark.django_db


@pytest.fixture
def homeowner(client):
    profile = ProfileFactory()
    client.force_login(profile.user)
    return profile.user


def test_adding_a_meter_validates_the_ean(client, homeowner):
    response = client.post(reverse("meters:add"), {"ean": "541448820050357908", "label": "Thuis"})
    assert response.status_code == 400
    assert "controlecijfer" in response.text
    response = client.post(reverse("meters:add"), {"ean": "12345", "label": "Thuis"})
    assert response.status_code == 400
    assert "18 cijfers" in response.text
    assert not Meter.objects.exists()

    response = client.post(reverse("meters:add"), {"ean": "5414 4882 0050 3579 09", "label": "Thuis"})
    assert response.status_code == 302
    assert Meter.objects.get().ean == "541448820050357909"
    assert Meter.objects.get().owner == homeowner


def test_a_meter_of_someone_else_cannot_be_taken(client, homeowner, caplog):
    other = MeterFactory()
    caplog.set_level(logging.WARNING, logger="ilusmart.meters")
    response = client.post(reverse("meters:add"), {"ean": other.ean})
    assert response.status_code == 400
    other.refresh_from_db()
    assert other.owner != homeowner
    # The homeowner is told what to do, and nothing about other accounts (issue 8, item 2).
    assert "We kunnen deze meter niet aan je account koppelen" in response.text
    for telling in ("ander account", "al gekoppeld", "andere klant", other.owner.email):
        assert telling not in response.text
    # Support is told instead: a note on the customer's page in the console, and a log line.
    note = ContactNote.objects.get(customer=homeowner)
    assert other.ean in note.text and f"#{other.owner_id}" in note.text
    assert note.author is None and note.meter is None
    assert any(other.ean in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    assert not ContactNote.objects.filter(customer=other.owner).exists()


def test_the_same_refusal_in_english(client, homeowner):
    other = MeterFactory()
    client.cookies["django_language"] = "en"
    response = client.post(reverse("meters:add"), {"ean": other.ean})
    assert response.status_code == 400
    assert "We cannot link this meter to your account" in response.text
    assert "another account" not in response.text


def test_connect_approve_and_return_shows_the_honest_state(client, homeowner, fluvius_settings):
    meter = MeterFactory(owner=homeowner, ean=_meter_ean(777))
    SimulatorRemote(fluvius_settings.url).meter_register(ean=meter.ean, install_date=date(2024, 1, 1))
    assert "Nog niet verbonden" in client.get(reverse("meters:list")).text

    response = client.post(reverse("meters:connect", args=[meter.pk]))
    assert response.status_code == 302
    mandate = Mandate.objects.get(user=homeowner, ean=meter.ean)
    assert response["Location"] == fluvius_settings.portal_url + mandate.short_url_id
    assert mandate.status == Mandate.Status.REQUESTED
    assert mandate.requested_by == homeowner  # evidence for Fluvius audits
    assert "Aangevraagd, wacht op goedkeuring" in client.get(reverse("meters:list")).text

    SimulatorRemote(fluvius_settings.url).decide(
        short_id=mandate.short_url_id, eans=[meter.ean], decision="approve"
    )
    return_path = urlsplit(reverse("meters:mandate_return", args=[mandate.reference_number])).path
    response = client.get(return_path, {"uitkomst": "ok"})
    assert response.status_code == 302
    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.APPROVED
    assert mandate.approved_at is not None
    page = client.get(reverse("meters:list")).text
    assert "Actief" in page
    # The back-fill of the whole data period is planned for this meter.
    state = MeterSyncState.objects.get(meter=meter)
    assert state.backfill_from == mandate.data_period_from


def test_rejected_in_mijn_fluvius(client, homeowner, fluvius_settings):
    meter = MeterFactory(owner=homeowner, ean=_meter_ean(778))
    client.post(reverse("meters:connect", args=[meter.pk]))
    mandate = Mandate.objects.get(ean=meter.ean)
    SimulatorRemote(fluvius_settings.url).decide(
        short_id=mandate.short_url_id, eans=[meter.ean], decision="reject"
    )
    client.get(reverse("meters:mandate_return", args=[mandate.reference_number]), {"uitkomst": "mislukt"})
    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.REJECTED
    assert mandate.end_reason == Mandate.EndReason.REJECTED
    page = client.get(reverse("meters:list")).text
    assert "Geweigerd" in page and "Start een nieuwe aanvraag" in page


def test_fluvius_down_gives_a_clear_message_not_a_500(client, homeowner, settings):
    settings.FLUVIUS_BASE_URL = "http://127.0.0.1:1/esco-sim/v3"
    settings.FLUVIUS_TOKEN_URL = "http://127.0.0.1:1/oauth2/v2.0/token"
    settings.FLUVIUS_MAX_RETRIES = 0
    meter = MeterFactory(owner=homeowner)
    response = client.post(reverse("meters:connect", args=[meter.pk]), follow=True)
    assert response.status_code == 200
    assert "Fluvius is nu niet bereikbaar" in response.text
    assert not Mandate.objects.exists()


def test_another_homeowners_meter_and_mandate_are_404(client, homeowner):
    other_meter = MeterFactory()
    other_mandate = Mandate.objects.create(
        user=other_meter.owner, ean=other_meter.ean, reference_number="ILUX1"
    )
    assert client.post(reverse("meters:connect", args=[other_meter.pk])).status_code == 404
    assert (
        client.get(reverse("meters:mandate_return", args=[other_mandate.reference_number])).status_code == 404
    )
    assert other_meter.ean not in client.get(reverse("meters:list")).text


def test_anonymous_is_sent_to_login(client):
    for url in (reverse("meters:list"), reverse("meters:mandate_return", args=["ILUX1"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_meter_page_in_english(client, homeowner):
    MeterFactory(owner=homeowner)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("meters:list")).text
    assert "My meters" in page
    assert "Not connected yet" in page
    assert "Connect my meter through Mijn Fluvius" in page


# --- The return page never waits for Fluvius (issue 8, item 4) ---------------------------------


def _queued_tasks():
    """(task name, args, kwargs) of what is waiting in this run's default queue, oldest first."""
    from django.conf import settings

    from ilusmart.celery import app

    with app.connection_for_write() as conn:
        raw = conn.default_channel.client.lrange(settings.CELERY_TASK_DEFAULT_QUEUE, 0, -1)
    messages = [json.loads(m) for m in reversed(raw)]
    return [(m["headers"]["task"], *json.loads(base64.b64decode(m["body"]))[:2]) for m in messages]


def _mandate_calls(sim) -> list[dict]:
    return [
        r for r in sim.get("/_sim/requests").json()["requests"] if r["path"].lower().endswith("/api/mandate")
    ]


@pytest.fixture
def approved_in_mijn_fluvius(client, homeowner, fluvius_settings):
    meter = MeterFactory(owner=homeowner, ean=_meter_ean(779))
    client.post(reverse("meters:connect", args=[meter.pk]))
    mandate = Mandate.objects.get(ean=meter.ean)
    SimulatorRemote(fluvius_settings.url).decide(
        short_id=mandate.short_url_id, eans=[meter.ean], decision="approve"
    )
    return mandate


def test_a_fluvius_429_on_return_costs_one_call_and_queues_a_poll(
    client, approved_in_mijn_fluvius, fluvius_settings, django_capture_on_commit_callbacks
):
    mandate = approved_in_mijn_fluvius
    fluvius_settings.post(
        "/_sim/faults", {"path": "/api/mandate", "status": 429, "retryAfter": 1, "count": 3}
    )
    url = reverse("meters:mandate_return", args=[mandate.reference_number])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, {"uitkomst": "ok"}, follow=True)
    assert response.status_code == 200
    assert "We kijken je toestemming na bij Fluvius" in response.text
    assert len(_mandate_calls(fluvius_settings)) == 1  # one quick call, no retry in the request
    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.REQUESTED
    assert ("meters.poll_mandate", [mandate.reference_number], {}) in _queued_tasks()

    # Back again within the minute (a reload): no call to Fluvius at all, nor a second poll.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, {"uitkomst": "ok"}, follow=True)
    assert "We kijken je toestemming na bij Fluvius" in response.text
    assert len(_mandate_calls(fluvius_settings)) == 1
    assert [t[0] for t in _queued_tasks()].count("meters.poll_mandate") == 1

    # The queued poll (run here in-process, as a worker would) settles it once Fluvius answers.
    from meters.tasks import poll_mandate

    result = _run_poll_until_it_passes(poll_mandate, mandate.reference_number)
    assert result["approved"] == 1
    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.APPROVED


def _run_poll_until_it_passes(task, reference):
    from ilusmart.fluvius.errors import FluviusUnavailable

    for _ in range(5):  # the two 429s still queued in the simulator, then the answer
        try:
            return task.run(reference)
        except FluviusUnavailable:
            continue
    raise AssertionError("the poll never passed")


def test_a_hanging_fluvius_holds_the_return_page_only_for_the_short_timeout(
    client, settings, approved_in_mijn_fluvius, fluvius_settings, django_capture_on_commit_callbacks
):
    settings.FLUVIUS_IN_REQUEST_TIMEOUT_SECONDS = 1
    mandate = approved_in_mijn_fluvius
    fluvius_settings.post("/_sim/faults", {"path": "/api/mandate", "status": "timeout", "seconds": 3})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("meters:mandate_return", args=[mandate.reference_number]), follow=True)
    assert "We kijken je toestemming na bij Fluvius" in response.text
    calls = _mandate_calls(fluvius_settings)
    assert len(calls) == 1 and calls[0]["status"] is None  # given up on, not retried
    assert ("meters.poll_mandate", [mandate.reference_number], {}) in _queued_tasks()


def test_a_quick_answer_on_return_settles_it_at_once(client, approved_in_mijn_fluvius, fluvius_settings):
    mandate = approved_in_mijn_fluvius
    client.get(reverse("meters:mandate_return", args=[mandate.reference_number]), {"uitkomst": "ok"})
    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.APPROVED
    assert not [t for t in _queued_tasks() if t[0] == "meters.poll_mandate"]


def test_a_fluvius_429_on_connect_costs_one_quick_call_not_a_wait(client, homeowner, fluvius_settings):
    """Starting the mandate also happens in a web request: no retry, no Retry-After sleep there."""
    meter = MeterFactory(owner=homeowner, ean=_meter_ean(780))
    fluvius_settings.post(
        "/_sim/faults", {"path": "/api/shortUrlIdentifier", "status": 429, "retryAfter": 1, "count": 2}
    )
    response = client.post(reverse("meters:connect", args=[meter.pk]), follow=True)
    assert "Fluvius is nu niet bereikbaar" in response.text
    calls = [
        r
        for r in fluvius_settings.get("/_sim/requests").json()["requests"]
        if r["path"].lower().endswith("/api/shorturlidentifier")
    ]
    assert len(calls) == 1
    assert not Mandate.objects.filter(ean=meter.ean).exists()
