"""The account pages in a real browser, on a laptop and on a 375-px phone."""

import pytest

from tests.e2e.conftest import login
from tests.factories import DEFAULT_PASSWORD, ProfileFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_login_edit_profile_and_switch_language(page, browser_checks, screenshot):
    profile = ProfileFactory(user__email="browser@example.be", first_name="Katrien")
    page.goto("/")
    assert "/accounts/aanmelden/" in page.url  # anonymous → login
    screenshot(page, "login")
    login(page, "browser@example.be", DEFAULT_PASSWORD)
    page.get_by_role("heading", name="Welkom, Katrien").wait_for()

    page.get_by_role("link", name="Mijn gegevens").click()
    page.get_by_role("link", name="Naam, adres of telefoon verbeteren").click()
    page.get_by_label("Telefoon").fill("0470 99 88 77")
    page.get_by_role("button", name="Bewaren").click()
    page.get_by_text("Je gegevens zijn bewaard.").wait_for()
    profile.refresh_from_db()
    assert profile.phone == "+32470998877"

    browser_checks.expect_status("/accounts/profiel/", 400)  # a refused form answers 400
    page.get_by_label("Telefoon").fill("12")
    page.get_by_role("button", name="Bewaren").click()
    page.get_by_text("Geef een geldig telefoonnummer").wait_for()
    screenshot(page, "profile-error")

    page.select_option("#lang-select", "en")
    page.get_by_role("button", name="Kies").click()
    page.get_by_role("heading", name="My details").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"


def test_pages_fit_a_375px_phone(phone_page, screenshot):
    ProfileFactory(user__email="gsm@example.be")
    phone_page.goto("/accounts/registreren/")
    assert _no_horizontal_scroll(phone_page)
    screenshot(phone_page, "sign-up-375")
    login(phone_page, "gsm@example.be", DEFAULT_PASSWORD)
    phone_page.get_by_role("link", name="Mijn gegevens").click()
    phone_page.get_by_role("heading", name="Mijn gegevens").wait_for()
    assert _no_horizontal_scroll(phone_page)
    screenshot(phone_page, "profile-375")
