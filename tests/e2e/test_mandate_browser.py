"""A homeowner connects their meter: our page → the simulator's Mijn Fluvius page → back."""

import pytest
from django.utils.csp import CSP

from consents.models import Mandate
from ilusmart.fluvius.simulator.remote import SimulatorRemote
from tests.e2e.conftest import login
from tests.factories import DEFAULT_PASSWORD, MeterFactory, ProfileFactory, _meter_ean

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portal_on_live_server(settings, live_server, fluvius_settings):
    """Return URLs must start with SITE_URL, which the simulator must accept as its only root."""
    settings.SITE_URL = live_server.url
    # The connect form redirects to Mijn Fluvius; CSP form-action must allow the simulator's origin.
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": [CSP.SELF, fluvius_settings.url]}
    response = fluvius_settings.post("/_sim/config", json={"siteUrl": live_server.url})
    assert response.status_code == 200, response.text
    return fluvius_settings


def test_connect_my_meter_through_mijn_fluvius(page, screenshot, portal_on_live_server):
    from datetime import date

    profile = ProfileFactory(user__email="verbind@example.be")
    meter = MeterFactory(owner=profile.user, ean=_meter_ean(4242), label="Thuis")
    SimulatorRemote(portal_on_live_server.url).meter_register(ean=meter.ean, install_date=date(2024, 1, 1))

    login(page, "verbind@example.be", DEFAULT_PASSWORD)
    page.get_by_role("link", name="Mijn meters").click()
    page.get_by_text("Nog niet verbonden").wait_for()
    screenshot(page, "meters-not-connected")
    page.get_by_role("button", name="Verbind mijn meter via Mijn Fluvius").click()

    # On the stand-in Mijn Fluvius page.
    page.get_by_role("heading", name="Toegang tot je verbruiksgegevens").wait_for()
    screenshot(page, "mijn-fluvius-simulator")
    page.get_by_label(meter.ean, exact=False).check()
    page.get_by_role("button", name="Goedkeuren", exact=True).click()

    # Back on the portal, the status was polled at once.
    page.get_by_test_id("mandate-state").filter(has_text="Actief").wait_for()
    screenshot(page, "meters-connected")
    mandate = Mandate.objects.get(ean=meter.ean)
    assert mandate.status == Mandate.Status.APPROVED
