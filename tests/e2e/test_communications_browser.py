"""Communication choices and the unsubscribe link in a real browser, on a 375-px phone and a laptop
(console, CSP and axe-core are checked on every page by tests/e2e/conftest.py)."""

import pytest

from consents.models import CommunicationConsent
from consents.selectors.communications import communication_opted_in, unsubscribe_token_make
from consents.services.communications import communication_choose
from tests.e2e.conftest import login
from tests.factories import DEFAULT_PASSWORD, ProfileFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("width", [375, 1280])
def test_the_homeowner_ticks_what_they_want_on_the_communicatie_page(width, page, phone_page, screenshot):
    browser = phone_page if width == 375 else page
    person = ProfileFactory(user=UserFactory(email=f"keuze{width}@example.be")).user
    login(browser, person.email, DEFAULT_PASSWORD)
    browser.goto("/accounts/profiel/")
    browser.get_by_role("link", name="Communicatie").click()
    browser.get_by_role("heading", level=1, name="Wat mogen we je sturen?").wait_for()
    boxes = browser.get_by_role("checkbox")
    assert boxes.count() == 6
    assert not any(boxes.nth(i).is_checked() for i in range(6))  # no pre-ticked boxes
    assert browser.evaluate(FITS)

    browser.get_by_role("group", name="Per e-mail").get_by_label("Nieuwsbrieven").check()
    browser.get_by_role("group", name="Per post").get_by_label("Enquêtes").check()
    browser.get_by_role("button", name="Keuzes bewaren").click()
    browser.get_by_text("Je keuzes zijn bewaard.").wait_for()
    browser.get_by_role("heading", name="Wat je eerder koos").wait_for()
    assert browser.get_by_role("group", name="Per e-mail").get_by_label("Nieuwsbrieven").is_checked()
    assert browser.evaluate(FITS)
    screenshot(browser, f"communications-{width}")
    assert communication_opted_in(user=person, channel="email", topic="newsletter")
    assert communication_opted_in(user=person, channel="post", topic="survey")
    assert not communication_opted_in(user=person, channel="email", topic="survey")


def test_the_unsubscribe_link_asks_then_unsubscribes_on_a_phone(phone_page, screenshot, browser_checks):
    person = UserFactory()
    communication_choose(user=person, channel="email", topic="newsletter", opted_in=True, source="page")
    path = (
        f"/communicatie/afmelden/{unsubscribe_token_make(user=person, channel='email', topic='newsletter')}/"
    )

    phone_page.goto(path)
    phone_page.get_by_role("heading", level=1, name="Afmelden?").wait_for()
    phone_page.get_by_text("Wil je geen nieuwsbrieven meer per e-mail").wait_for()
    assert phone_page.evaluate(FITS)
    screenshot(phone_page, "unsubscribe-confirm-375")
    assert communication_opted_in(user=person, channel="email", topic="newsletter")  # opening did nothing

    phone_page.get_by_role("button", name="Ja, meld me af").click()
    phone_page.get_by_role("heading", level=1, name="Je bent afgemeld").wait_for()
    assert phone_page.evaluate(FITS)
    screenshot(phone_page, "unsubscribe-done-375")
    assert not communication_opted_in(user=person, channel="email", topic="newsletter")
    assert CommunicationConsent.objects.filter(user=person).first().source == "unsubscribe_link"

    tampered = path.replace("/afmelden/", "/afmelden/x")
    browser_checks.expect_status(tampered, 400)
    phone_page.goto(tampered)
    phone_page.get_by_role("heading", level=1, name="Ongeldige afmeldlink").wait_for()
    assert phone_page.evaluate(FITS)
    screenshot(phone_page, "unsubscribe-invalid-375")


def test_the_sign_up_form_offers_the_newsletter_unticked_on_a_phone(phone_page, screenshot):
    phone_page.goto("/accounts/registreren/")
    box = phone_page.get_by_label("Ja, stuur me de nieuwsbrief van iLusmart per e-mail.")
    box.wait_for()
    assert not box.is_checked()
    box.scroll_into_view_if_needed()
    assert phone_page.evaluate(FITS)
    screenshot(phone_page, "sign-up-newsletter-375")
