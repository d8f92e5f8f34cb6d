"""Mandates that come back approved (meters/services/sync.py: ``mandates_refresh``, ``backfill_start``).

In Mijn Fluvius a homeowner may approve our request for another EAN than the one they linked in
the portal. Such a mandate is never taken silently: no meter is created or changes owner, nothing
is fetched for it; the homeowner reads it on their dashboard and support finds a note on the
customer's page. Once the homeowner links that meter themselves, its history is fetched.

Real simulator, PostgreSQL and the real mandate flow (tests/meters/conftest.py).
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from consents.models import Mandate
from meters.models import ContactNote, Meter, MeterSyncState
from meters.services.meters import meter_link
from meters.services.sync import MandateNotLinked, backfill_start, mandates_refresh
from tests.factories import MeterFactory, ProfileFactory
from tests.meters.conftest import local_today, request_mandate

pytestmark = pytest.mark.django_db


@pytest.fixture
def homeowner(client):
    profile = ProfileFactory(first_name="Bart")
    client.force_login(profile.user)
    return profile.user


def _approve(sim, *, user, linked: Meter, picked: str):
    """``user`` asks a mandate for ``linked``, but picks the EAN ``picked`` in Mijn Fluvius."""
    for ean in (linked.ean, picked):
        sim.remote.meter_register(ean=ean, install_date=local_today() - timedelta(days=60))
    mandate = request_mandate(user=user, ean=linked.ean, history_days=20)
    sim.remote.decide(short_id=mandate.short_url_id, eans=[picked], decision="approve")
    return mandate


def test_an_ean_nobody_linked_is_not_created_for_the_homeowner(
    sim, homeowner, client, django_capture_on_commit_callbacks
):
    linked = MeterFactory(owner=homeowner)
    other_ean = MeterFactory.build(owner=None).ean
    mandate = _approve(sim, user=homeowner, linked=linked, picked=other_ean)

    with django_capture_on_commit_callbacks() as queued:
        mandates_refresh(reference_number=mandate.reference_number)

    unlinked = Mandate.objects.get(ean=other_ean)
    assert unlinked.user == homeowner and unlinked.status == Mandate.Status.APPROVED
    assert not Meter.objects.filter(ean=other_ean).exists()  # nothing created behind their back
    assert not queued  # no back-fill
    assert not MeterSyncState.objects.exists()
    # Support reads it on the customer's page.
    (note,) = ContactNote.objects.filter(customer=homeowner)
    assert other_ean in note.text and mandate.reference_number in note.text and note.meter is None
    # The homeowner reads it on the dashboard.
    html = client.get(reverse("home")).text
    assert 'data-testid="unlinked-mandates"' in html and other_ean in html
    assert reverse("meters:list") in html.split('data-testid="unlinked-mandates"', 1)[1]


def test_another_homeowners_meter_never_changes_hands(
    sim, homeowner, client, django_capture_on_commit_callbacks
):
    previous = ProfileFactory(first_name="Anna").user
    theirs = MeterFactory(owner=previous)
    MeterSyncState.objects.create(meter=theirs)
    linked = MeterFactory(owner=homeowner)
    mandate = _approve(sim, user=homeowner, linked=linked, picked=theirs.ean)

    with django_capture_on_commit_callbacks() as queued:
        mandates_refresh(reference_number=mandate.reference_number)

    theirs.refresh_from_db()
    assert theirs.owner == previous
    state = MeterSyncState.objects.get(meter=theirs)
    assert state.backfill_from is None and state.backfill_to is None  # no back-fill planned on it
    assert not queued
    (note,) = ContactNote.objects.filter(customer=homeowner)
    assert theirs.ean in note.text and f"#{previous.pk}" in note.text and note.meter == theirs
    html = client.get(reverse("home")).text
    assert theirs.ean in html.split('data-testid="unlinked-mandates"', 1)[1]
    assert "Anna" not in html and previous.email not in html  # nothing of the other account
    # The previous homeowner is told nothing of it.
    client.force_login(previous)
    assert 'data-testid="unlinked-mandates"' not in client.get(reverse("home")).text


def test_backfill_start_refuses_a_mandate_for_a_meter_the_homeowner_does_not_have(homeowner):
    from tests.factories import MandateFactory

    mandate = MandateFactory(user=homeowner)  # an approved mandate, no meter for its EAN
    with pytest.raises(MandateNotLinked):
        backfill_start(mandate=mandate)
    assert not Meter.objects.filter(ean=mandate.ean).exists()
    theirs = MeterFactory(ean=mandate.ean)
    with pytest.raises(MandateNotLinked):
        backfill_start(mandate=mandate)
    theirs.refresh_from_db()
    assert theirs.owner != homeowner
    assert not MeterSyncState.objects.filter(meter=theirs).exists()


def test_linking_the_meter_afterwards_fetches_its_history(
    sim, homeowner, client, django_capture_on_commit_callbacks
):
    linked = MeterFactory(owner=homeowner)
    other_ean = MeterFactory.build(owner=None).ean
    mandate = _approve(sim, user=homeowner, linked=linked, picked=other_ean)
    mandates_refresh(reference_number=mandate.reference_number)

    with django_capture_on_commit_callbacks() as queued:
        meter = meter_link(user=homeowner, ean=other_ean, label="Garage")

    assert meter.owner == homeowner
    state = MeterSyncState.objects.get(meter=meter)
    assert state.backfill_from == Mandate.objects.get(ean=other_ean).data_period_from
    assert len(queued) == 1  # its back-fill
    assert 'data-testid="unlinked-mandates"' not in client.get(reverse("home")).text
