"""A staff member's first login to the admin in a real browser: password, second-factor
enrolment with the QR code, recovery codes, the admin. Checked for CSP violations and console
errors like every browser test (tests/e2e/conftest.py)."""

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _code(device):
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def test_support_enrols_a_second_factor_at_first_login(page, screenshot):
    support = UserFactory(email="support@ilumen.be", is_staff=True)
    support.groups.add(Group.objects.get(name="support"))
    page.goto("/beheer/")
    assert "/beheer/login/" in page.url
    screenshot(page, "admin-login")
    page.fill("#id_username", "support@ilumen.be")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/beheer/tweede-factor/instellen/**")
    qr = page.get_by_alt_text("QR-code met de sleutel voor je authenticator-app")
    qr.wait_for()
    # The QR code is an image the browser could draw (not a broken image).
    assert page.evaluate("img => img.complete && img.naturalWidth > 100", qr.element_handle())
    screenshot(page, "admin-second-factor-enrol")
    # Nothing else of the admin is reachable meanwhile.
    page.goto("/beheer/accounts/user/")
    page.wait_for_url("**/beheer/tweede-factor/instellen/**")

    device = TOTPDevice.objects.get(user=support, confirmed=False)
    page.get_by_label("Code").fill(_code(device))
    page.get_by_role("button", name="Bevestigen").click()
    page.get_by_text("Bewaar deze herstelcodes").wait_for()
    assert page.locator(".recovery-codes li").count() == 10
    screenshot(page, "admin-recovery-codes")
    # On to the page asked for before the second factor: the customers.
    page.get_by_role("link", name="Verder naar het beheer").click()
    page.wait_for_url("**/beheer/accounts/user/")
    page.goto("/beheer/")
    page.get_by_role("heading", name="Beheer van iLusmart").wait_for()
    assert "Klanten en medewerkers" in page.content()
    screenshot(page, "admin-index-support")
