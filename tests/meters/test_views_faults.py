"""The homeowner's side of faults: open faults on the dashboard in plain words, only their own,
and the mail opt-in (meters.views.faults, templates/meters/dashboard/_faults.html)."""

from datetime import date

import pytest
from django.urls import reverse

from meters.models import Fault
from meters.selectors import faults_open_for_user
from tests.factories import MeterFactory, ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def homeowner(client):
    profile = ProfileFactory(first_name="Katrien")
    client.force_login(profile.user)
    return profile.user


def fault(meter, fault_type=Fault.Type.INVERTER_SUSPECTED, **fields):
    return Fault.objects.create(meter=meter, type=fault_type, started=date(2026, 7, 8), **fields)


def test_the_dashboard_tells_an_open_fault_in_plain_dutch_with_what_to_do(client, homeowner):
    meter = MeterFactory(owner=homeowner)
    fault(meter)
    fault(meter, Fault.Type.FEED_STALE, status=Fault.Status.ACKNOWLEDGED)
    fault(meter, Fault.Type.DATA_ANOMALY, status=Fault.Status.RESOLVED, resolved=date(2026, 7, 9))

    for url in (reverse("home"), reverse("meters:dashboard", args=[meter.pk])):
        html = client.get(url).content.decode()
        assert html.count('data-testid="fault"') == 2  # the resolved one is history, not shown
        assert "Je zonnepanelen leveren (bijna) niets meer aan het net" in html
        assert "Sinds 8 juli 2026 meet je digitale meter (bijna) geen injectie meer" in html
        assert "Kijk of je omvormer aan staat" in html
        assert "We ontvangen geen nieuwe meetgegevens" in html and "iLumen volgt dit op" in html
        assert "Er klopt iets niet in je meetgegevens" not in html


def test_the_dashboard_tells_it_in_english_too(client, homeowner):
    meter = MeterFactory(owner=homeowner)
    fault(meter, Fault.Type.MANDATE_ACTION)
    client.post(reverse("set_language"), {"language": "en"})

    html = client.get(reverse("meters:dashboard", args=[meter.pk])).content.decode()

    assert "Your consent at Fluvius needs action" in html
    assert "Since 8 July 2026 we cannot (or soon no longer can) fetch your readings" in html
    assert "Email me when there is a new fault" in html


def test_without_faults_the_dashboard_says_so(client, homeowner):
    meter = MeterFactory(owner=homeowner)

    html = client.get(reverse("meters:dashboard", args=[meter.pk])).content.decode()

    assert 'data-testid="no-faults"' in html and 'data-testid="fault"' not in html


def test_another_homeowners_faults_never_show(client, homeowner):
    mine = MeterFactory(owner=homeowner)
    theirs = MeterFactory(owner=ProfileFactory().user)
    fault(theirs)
    fault(theirs, Fault.Type.FEED_STALE)

    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="fault"' not in html
    assert client.get(reverse("meters:dashboard", args=[theirs.pk])).status_code == 404
    # The selector scopes by owner, whatever meter it is handed.
    assert list(faults_open_for_user(user=homeowner)) == []
    assert list(faults_open_for_user(user=homeowner, meter=theirs)) == []
    assert [f.meter for f in faults_open_for_user(user=theirs.owner)] == [theirs, theirs]
    assert mine.faults.count() == 0


def test_the_homeowner_turns_the_fault_mail_on_and_off(client, homeowner):
    meter = MeterFactory(owner=homeowner)
    url = reverse("meters:fault_email", args=[meter.pk])

    response = client.post(url, {"fault_email": "on"})
    assert response.status_code == 302 and response.url == reverse("meters:dashboard", args=[meter.pk])
    meter.refresh_from_db()
    assert meter.fault_email is True
    html = client.get(response.url).content.decode()
    assert 'name="fault_email" value="on" checked' in html
    assert "Je krijgt een e-mail als er een nieuwe storing is." in html

    client.post(url, {})  # the unticked checkbox is not sent
    meter.refresh_from_db()
    assert meter.fault_email is False


def test_nobody_else_can_change_the_fault_mail_of_a_meter(client, homeowner):
    theirs = MeterFactory(owner=ProfileFactory().user)

    response = client.post(reverse("meters:fault_email", args=[theirs.pk]), {"fault_email": "on"})

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.fault_email is False
    assert client.get(reverse("meters:fault_email", args=[theirs.pk])).status_code == 405
