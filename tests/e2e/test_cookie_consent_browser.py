"""Cookie consent in a real browser (issue 9, item 3), on a laptop and a 375-px phone.

Before a choice only strictly necessary cookies, and no request to Google, Facebook, X or
LinkedIn, on every public page and the logged-in pages. With ANALYTICS_GA4_ID set: "Alles
weigeren" leaves no _ga cookie and asks nothing of Google; "Alles aanvaarden" loads the GA4 tag
(its requests to googletagmanager.com are answered here by a small script that sets the _ga
cookies: there is no internet); withdrawing deletes them; the record is found by the id the
settings page shows and names the cookie policy version. Console, CSP and axe-core are checked
on every page by tests/e2e/conftest.py.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from consents.cookie_choice import CONSENT_COOKIE
from consents.selectors.cookies import cookie_consent_find
from privacy.cookies import Category, portal_cookies
from tests.e2e.conftest import login
from tests.factories import DEFAULT_PASSWORD, MeterFactory, ProfileFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GA4 = "G-TEST123"
THIRD_PARTIES = re.compile(r"google|doubleclick|facebook|fbcdn|(^|\.)x\.com|twitter|twimg|linkedin|licdn")
# Filled into URL keywords when walking the URL patterns (the homeowner's meter; a day, month, year).
FILL = {"day": "2026-11-01", "month": "2026-11", "year": "2026"}
NOT_PAGES = ("healthz", "csp_report", "security_txt")  # not HTML pages for people


def _routes(patterns, namespaces=()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "admin":
                yield from _routes(
                    entry.url_patterns, (*namespaces, entry.namespace) if entry.namespace else namespaces
                )
        elif isinstance(entry, URLPattern) and entry.name and entry.name not in NOT_PAGES:
            yield ":".join((*namespaces, entry.name)), set(entry.pattern.regex.groupindex)


def site_pages(client, meter=None) -> list[str]:
    """Every page of the portal (URL patterns walked, outside the admin) that ``client`` gets as HTML."""
    fill = FILL | ({"meter_id": meter.pk} if meter else {})
    pages = []
    for name, keywords in _routes(get_resolver().url_patterns):
        if not keywords <= set(fill):
            continue  # a token link (verification, reset, unsubscribe): not a page one browses to
        url = reverse(name, kwargs={k: fill[k] for k in keywords})
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append(url)
    return sorted(set(pages))


# Answers the GA4 loader like Google's would, as far as cookies go: _ga and the session cookie.
FAKE_GTAG = """
document.cookie = "_ga=GA1.1.123456789.1764460800; path=/; max-age=15724800; SameSite=Lax";
document.cookie = "_ga_TEST123=GS2.1.s1764460800$o1$g0$t1764460800; path=/; max-age=15724800; SameSite=Lax";
window.__fakeGtagLoaded = (window.__fakeGtagLoaded || 0) + 1;
"""
FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def strictly_necessary() -> set[str]:
    return {c.name for c in portal_cookies() if c.category == str(Category.STRICTLY_NECESSARY)}


class Traffic:
    """Every request the browser makes in a context; Google's tag answered locally."""

    def __init__(self, context):
        self.urls: list[str] = []
        self.gtag: list[str] = []
        context.on("request", lambda request: self.urls.append(request.url))
        context.route("https://www.googletagmanager.com/**", self._fulfil_gtag)

    def _fulfil_gtag(self, route):
        self.gtag.append(route.request.url)
        route.fulfill(status=200, content_type="application/javascript", body=FAKE_GTAG)

    def third_party(self) -> list[str]:
        hosts = [(url, re.match(r"https?://([^/:]+)", url)) for url in self.urls]
        return [url for url, host in hosts if host and THIRD_PARTIES.search(host.group(1))]


def cookie_names(page) -> set[str]:
    return {c["name"] for c in page.context.cookies()}


def cookie_value(page, name) -> str | None:
    return next((c["value"] for c in page.context.cookies() if c["name"] == name), None)


def assert_equal_weight(where):
    """'Alles weigeren' and 'Alles aanvaarden': the same size, colour and type."""
    # measured once the stylesheet is in: a heading can be there before it (on a busy machine the
    # buttons were once measured unstyled, 21 px high and as wide as their words)
    where.page.wait_for_load_state("load")
    refuse = where.get_by_role("button", name="Alles weigeren")
    accept = where.get_by_role("button", name="Alles aanvaarden")
    refuse_box, accept_box = refuse.bounding_box(), accept.bounding_box()
    assert abs(refuse_box["width"] - accept_box["width"]) < 1, (refuse_box, accept_box)
    assert abs(refuse_box["height"] - accept_box["height"]) < 1, (refuse_box, accept_box)
    style = "(b) => ['backgroundColor', 'color', 'fontSize', 'fontWeight'].map((p) => getComputedStyle(b)[p])"
    assert refuse.evaluate(style) == accept.evaluate(style)


def walk(page, paths):
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("load")
        if not path.startswith("/api/"):  # the API's docs (Swagger UI) are not in the site's layout
            assert page.locator("h1").count() >= 1, path


@pytest.fixture
def analytics(settings):
    settings.ANALYTICS_GA4_ID = GA4
    return settings


@pytest.fixture
def homeowner():
    user = ProfileFactory(user__email="koekje@example.be", first_name="Koen").user
    MeterFactory(owner=user)
    return user


@pytest.mark.parametrize("ga4_id", ["", GA4], ids=["no-analytics", "analytics"])
def test_a_first_visit_sets_only_necessary_cookies_and_asks_nothing_of_third_parties(
    page, settings, homeowner, ga4_id
):
    settings.ANALYTICS_GA4_ID = ga4_id
    public = site_pages(Client())
    logged_in_client = Client()
    logged_in_client.force_login(homeowner)
    logged_in = site_pages(logged_in_client, meter=homeowner.meters.first())
    assert {
        "/accounts/aanmelden/",
        "/accounts/registreren/",
        "/privacy/",
        "/cookies/",
        "/cookies/instellingen/",
    } <= set(public)
    assert {"/", "/meters/", "/accounts/profiel/", "/cookies/instellingen/"} <= set(logged_in)
    assert any(
        path.startswith("/meters/") and path != "/meters/" for path in logged_in
    )  # a meter's pages too
    traffic = Traffic(page.context)
    walk(page, public)
    page.goto("/privacy/")  # the settings page is the second layer itself: no banner there
    assert page.get_by_test_id("cookie-banner").count() == (1 if ga4_id else 0)
    login(page, "koekje@example.be", DEFAULT_PASSWORD)
    page.get_by_role("heading", name="Welkom, Koen").wait_for()
    walk(page, logged_in)
    assert cookie_names(page) <= strictly_necessary(), cookie_names(page) - strictly_necessary()
    assert "sessionid" in cookie_names(page) and not any(n.startswith("_ga") for n in cookie_names(page))
    assert traffic.third_party() == [] and traffic.gtag == []
    assert len(traffic.urls) > len(public) + len(logged_in)  # the pages and their files really were fetched
    if not ga4_id:
        page.goto("/cookies/instellingen/")
        page.get_by_test_id("nothing-to-choose").wait_for()
        assert page.get_by_role("checkbox").count() == 0


def test_refuse_all_sets_no_analytics_cookie_and_calls_no_google(page, analytics, screenshot):
    traffic = Traffic(page.context)
    page.goto("/accounts/aanmelden/")
    banner = page.get_by_test_id("cookie-banner")
    assert_equal_weight(banner)
    assert page.evaluate(FITS)
    screenshot(page, "cookie-banner-1280")
    banner.get_by_role("button", name="Alles weigeren").click()
    page.get_by_text("Je keuze is bewaard.").wait_for()
    assert page.get_by_test_id("cookie-banner").count() == 0
    assert page.url.endswith("/accounts/aanmelden/")
    walk(page, ("/privacy/", "/cookies/", "/accounts/registreren/"))
    assert not any(name.startswith("_ga") for name in cookie_names(page))
    assert traffic.gtag == [] and traffic.third_party() == []

    page.goto("/cookies/instellingen/")
    consent_id = page.get_by_test_id("consent-id").inner_text()
    record = cookie_consent_find(consent_id=consent_id)
    assert (record.action, record.analytics, record.social_media, record.via) == (
        "choice",
        False,
        False,
        "banner",
    )
    assert record.policy_version == "cookies/nl/v1" and record.user is None
    assert CONSENT_COOKIE in cookie_names(page)


def test_accept_all_loads_the_tag_and_withdrawing_removes_its_cookies(page, analytics, screenshot):
    traffic = Traffic(page.context)
    page.goto("/privacy/")
    page.get_by_test_id("cookie-banner").get_by_role("button", name="Alles aanvaarden").click()
    page.get_by_text("Je keuze is bewaard.").wait_for()
    page.wait_for_function("() => window.__fakeGtagLoaded === 1")
    assert traffic.gtag == [f"https://www.googletagmanager.com/gtag/js?id={GA4}"]
    assert {"_ga", "_ga_TEST123"} <= cookie_names(page)
    assert page.evaluate("() => window.dataLayer.length") >= 2  # gtag('js'), gtag('config')
    page.goto("/cookies/instellingen/")
    page.wait_for_function("() => window.__fakeGtagLoaded === 1")
    consent_id = page.get_by_test_id("consent-id").inner_text()
    accepted = cookie_consent_find(consent_id=consent_id)
    assert (accepted.action, accepted.analytics, accepted.social_media) == ("choice", True, True)
    assert accepted.policy_version == "cookies/nl/v1"
    assert page.get_by_label("Ik aanvaard: Analytisch (Google Analytics)").is_checked()
    screenshot(page, "cookie-settings-accepted-1280")

    # Withdrawing: one click in the footer, as consenting took one click in the banner.
    before = len(traffic.gtag)
    page.get_by_role("contentinfo").get_by_role("button", name="Cookietoestemming intrekken").click()
    page.get_by_text("Je toestemming is ingetrokken").wait_for()
    assert not any(name.startswith("_ga") for name in cookie_names(page)), cookie_names(page)
    assert len(traffic.gtag) == before
    page.goto("/accounts/aanmelden/")
    assert not any(name.startswith("_ga") for name in cookie_names(page))
    assert len(traffic.gtag) == before and page.get_by_test_id("cookie-banner").count() == 0
    page.goto("/cookies/instellingen/")
    withdrawal = cookie_consent_find(consent_id=page.get_by_test_id("consent-id").inner_text())
    assert withdrawal.consent_id != accepted.consent_id
    assert (withdrawal.action, withdrawal.analytics, withdrawal.via) == ("withdrawal", False, "footer")
    assert withdrawal.policy_version == "cookies/nl/v1"


def test_choose_per_category_on_a_phone_when_logged_in(phone_page, analytics, homeowner, screenshot):
    traffic = Traffic(phone_page.context)
    login(phone_page, "koekje@example.be", DEFAULT_PASSWORD)
    phone_page.get_by_role("heading", name="Welkom, Koen").wait_for()
    banner = phone_page.get_by_test_id("cookie-banner")
    assert_equal_weight(banner)
    assert phone_page.evaluate(FITS)
    screenshot(phone_page, "cookie-banner-375")
    banner.get_by_role("link", name="Kiezen per categorie").click()
    phone_page.get_by_role("heading", level=1, name="Cookie-instellingen").wait_for()
    boxes = phone_page.get_by_role("checkbox")
    assert boxes.count() == 2 and not boxes.nth(0).is_checked() and not boxes.nth(1).is_checked()
    assert_equal_weight(phone_page.locator("main"))
    assert phone_page.evaluate(FITS)
    screenshot(phone_page, "cookie-settings-375")
    phone_page.get_by_label("Ik aanvaard: Analytisch (Google Analytics)").check()
    phone_page.get_by_role("button", name="Keuze bewaren").click()
    phone_page.get_by_text("Je keuze is bewaard.").wait_for()
    phone_page.wait_for_function("() => window.__fakeGtagLoaded === 1")
    assert len(traffic.gtag) == 1
    record = cookie_consent_find(consent_id=phone_page.get_by_test_id("consent-id").inner_text())
    assert (record.analytics, record.social_media, record.via, record.user) == (
        True,
        False,
        "settings",
        homeowner,
    )

    # English too.
    phone_page.select_option("#lang-select", "en")
    phone_page.get_by_role("button", name="Kies").click()
    phone_page.get_by_role("heading", level=1, name="Cookie settings").wait_for()
    phone_page.get_by_role("button", name="Refuse all").click()
    phone_page.get_by_text("Your consent is withdrawn").wait_for()
    assert not any(name.startswith("_ga") for name in cookie_names(phone_page))
    record = cookie_consent_find(consent_id=phone_page.get_by_test_id("consent-id").inner_text())
    assert (record.action, record.policy_version) == ("withdrawal", "cookies/en/v1")
    assert phone_page.evaluate(FITS)
    screenshot(phone_page, "cookie-settings-en-375")


def test_the_settings_page_without_analytics(page, screenshot):
    page.goto("/accounts/aanmelden/")
    page.get_by_role("contentinfo").get_by_role("link", name="Cookie-instellingen").click()
    page.get_by_role("heading", level=1, name="Cookie-instellingen").wait_for()
    page.get_by_test_id("nothing-to-choose").wait_for()
    page.locator("[data-category=necessary]").get_by_text("csrftoken").wait_for()
    screenshot(page, "cookie-settings-nothing-to-choose-1280")


def test_the_choice_works_without_javascript(chromium, live_server, browser_checks, analytics):
    context = chromium.new_context(
        browser_checks, base_url=live_server.url, locale="nl-BE", java_script_enabled=False
    )
    try:
        page = context.new_page()
        traffic = Traffic(context)
        page.goto("/cookies/")
        page.get_by_test_id("cookie-banner").get_by_role("button", name="Alles aanvaarden").click()
        page.get_by_text("Je keuze is bewaard.").wait_for()
        assert page.url.endswith("/cookies/") and page.get_by_test_id("cookie-banner").count() == 0
        assert CONSENT_COOKIE in cookie_names(page)
        assert traffic.gtag == []  # the tag is a script: nothing runs without JavaScript
        page.get_by_role("contentinfo").get_by_role("button", name="Cookietoestemming intrekken").click()
        page.get_by_text("Je toestemming is ingetrokken").wait_for()
        page.goto("/cookies/instellingen/")
        page.get_by_label("Ik aanvaard: Analytisch (Google Analytics)").check()
        page.get_by_role("button", name="Keuze bewaren").click()
        page.get_by_text("Je keuze is bewaard.").wait_for()
        record = cookie_consent_find(consent_id=page.get_by_test_id("consent-id").inner_text())
        assert (record.analytics, record.social_media, record.via) == (True, False, "settings")
    finally:
        context.close()
