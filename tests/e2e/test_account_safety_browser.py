"""Account safety in a real browser: email change by link, the sessions list, the 429 page (issue 8)."""

import re

import pytest
from django.core import mail

from tests.e2e.conftest import login
from tests.factories import DEFAULT_PASSWORD, ProfileFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_change_the_email_address_with_the_mailed_link(page, live_server, settings, screenshot):
    settings.SITE_URL = live_server.url
    ProfileFactory(user__email="veilig@example.be", first_name="Katrien")
    login(page, "veilig@example.be", DEFAULT_PASSWORD)
    page.get_by_role("heading", name="Welkom, Katrien").wait_for()
    page.get_by_role("link", name="Mijn gegevens").click()
    page.get_by_role("link", name="E-mailadres wijzigen").click()
    page.get_by_label("Nieuw e-mailadres").fill("nieuw@example.be")
    page.get_by_label("Huidig wachtwoord").fill(DEFAULT_PASSWORD)
    screenshot(page, "email-change")
    page.get_by_role("button", name="Link versturen").click()
    page.get_by_text("We stuurden een link naar nieuw@example.be").wait_for()

    confirm = next(m for m in mail.outbox if m.to == ["nieuw@example.be"])
    notice = next(m for m in mail.outbox if m.to == ["veilig@example.be"])
    assert "n***@e***.be" in notice.body and "/annuleren/" in notice.body
    page.goto(re.search(r"http://\S+/bevestigen/\S+", confirm.body).group(0))
    page.get_by_role("button", name="Bevestigen").click()
    page.get_by_text("Je e-mailadres is nu nieuw@example.be").wait_for()
    screenshot(page, "email-change-confirmed")


def test_sessions_list_and_log_out_the_others(chromium, page, phone_page, screenshot):
    ProfileFactory(user__email="twee@example.be")
    login(page, "twee@example.be", DEFAULT_PASSWORD)
    login(phone_page, "twee@example.be", DEFAULT_PASSWORD)
    phone_page.get_by_role("link", name="Mijn gegevens").click()
    phone_page.get_by_role("link", name="Waar ben je aangemeld?").click()
    phone_page.get_by_text("dit toestel").wait_for()
    assert phone_page.locator(".session-list li").count() == 2
    assert _no_horizontal_scroll(phone_page)
    screenshot(phone_page, "sessions-375")

    page.goto("/accounts/sessies/")
    screenshot(page, "sessions")
    page.get_by_role("button", name="Alle andere toestellen afmelden").click()
    page.get_by_text("Je bent op 1 ander toestel afgemeld.").wait_for()
    phone_page.goto("/accounts/profiel/")
    assert "/accounts/aanmelden/" in phone_page.url


def test_the_429_page(page, settings, screenshot, browser_checks):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "export": {"user": 1, "seconds": 3600}}
    from tests.factories import MeterFactory

    meter = MeterFactory(owner=ProfileFactory(user__email="veel@example.be").user)
    login(page, "veel@example.be", DEFAULT_PASSWORD)
    url = f"/meters/{meter.pk}/exporteren/csv/?van=2025-01-01&tot=2025-01-31&resolutie=day"
    page.request.get(url)  # the one allowed download
    browser_checks.expect_status(f"/meters/{meter.pk}/exporteren/csv/", 429)
    page.goto(url)
    page.get_by_role("heading", name="Even geduld").wait_for()
    assert "Probeer het over" in page.content()
    screenshot(page, "rate-limited-429")
