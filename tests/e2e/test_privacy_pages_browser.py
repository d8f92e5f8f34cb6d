"""The privacy statement and the cookie policy in a real browser, on a laptop and a 375-px phone
(console, CSP and axe-core are checked on every page by tests/e2e/conftest.py)."""

import pytest

from privacy.models import PolicyDocument
from privacy.selectors import policy_current
from privacy.services.policies import policy_draft_from, policy_publish
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def test_policy_pages_at_1280_px(page, screenshot):
    statement = policy_current(kind="privacy", language="nl")
    page.goto("/accounts/aanmelden/")
    page.get_by_role("contentinfo").get_by_role("link", name="Privacyverklaring").click()
    page.get_by_role("heading", level=1, name=statement.title).wait_for()
    page.locator(".policy-meta", has_text="Laatst gewijzigd op").wait_for()
    assert page.locator("html").get_attribute("lang") == "nl-be"
    assert page.evaluate(FITS)
    screenshot(page, "privacy-1280")

    page.get_by_role("contentinfo").get_by_role("link", name="Cookiebeleid").click()
    page.get_by_role("heading", level=1, name="Cookiebeleid van iLusmart").wait_for()
    table = page.get_by_role("table")
    for name in ("sessionid", "csrftoken", "ilusmart_device", "messages", "django_language"):
        table.get_by_role("cell", name=name, exact=True).wait_for()
    assert page.evaluate(FITS)
    screenshot(page, "cookies-1280")

    page.select_option("#lang-select", "en")
    page.get_by_role("button", name="Kies").click()
    page.get_by_role("heading", level=1, name="iLusmart cookie policy").wait_for()
    page.locator(".policy-meta", has_text="Last changed on").wait_for()
    screenshot(page, "cookies-en-1280")


def test_an_earlier_version_is_one_click_away(page, screenshot):
    first = policy_current(kind="privacy", language="nl")
    draft = policy_draft_from(document=first)
    draft.title = "Privacyverklaring van iLusmart (versie 2)"
    draft.save()
    policy_publish(document=draft, user=UserFactory(is_staff=True))

    page.goto("/privacy/")
    page.get_by_role("heading", level=1, name="Privacyverklaring van iLusmart (versie 2)").wait_for()
    page.get_by_role("link", name=f"Versie {first.version}, gepubliceerd op").click()
    page.get_by_role("heading", level=1, name=first.title, exact=True).wait_for()
    page.get_by_text("Dit is een eerdere versie").wait_for()
    screenshot(page, "privacy-earlier-version-1280")
    page.get_by_role("link", name="Lees de huidige versie").click()
    page.get_by_role("heading", level=1, name="Privacyverklaring van iLusmart (versie 2)").wait_for()
    assert PolicyDocument.objects.filter(kind="privacy", language="nl", status="published").count() == 2


def test_policy_pages_fit_a_375px_phone(phone_page, screenshot):
    for path, name in (("/privacy/", "privacy-375"), ("/cookies/", "cookies-375")):
        phone_page.goto(path)
        phone_page.get_by_role("heading", level=1).wait_for()
        assert phone_page.evaluate(FITS), path
        screenshot(phone_page, name)
    # On a phone the cookie table's rows are stacked: every cell within the screen, none hidden.
    cells = phone_page.get_by_role("cell")
    assert cells.count() == 4 * 5
    for index in range(cells.count()):
        box = cells.nth(index).bounding_box()
        assert box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= 375, index
    phone_page.get_by_role("cell", name="ilusmart_device").wait_for()
