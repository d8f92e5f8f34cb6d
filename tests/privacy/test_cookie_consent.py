"""The cookie choice on the web (privacy/views.py cookie_settings, privacy/cookie_consent.py):
no banner without analytics, the banner and its two equal buttons with it, a record per choice,
the GA4 tag and Google's CSP hosts only after consent, withdrawal deleting the cookies."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from consents.cookie_choice import CONSENT_COOKIE
from consents.models import CookieConsent
from privacy.cookies import consent_cookie_lists, cookie_names, portal_cookies
from privacy.models import PolicyDocument
from privacy.services.policies import policy_publish
from tests.factories import MeterFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

GA4 = "G-TEST123"
SETTINGS = reverse("privacy:cookie_settings")


@pytest.fixture
def analytics(settings):
    settings.ANALYTICS_GA4_ID = GA4
    return settings


def choose(client, choice, *, next_url="/accounts/aanmelden/", via="banner", **extra):
    return client.post(SETTINGS, {"choice": choice, "next": next_url, "via": via, **extra})


def csp(response) -> str:
    return response["Content-Security-Policy"]


def test_without_analytics_there_is_no_banner_and_nothing_to_choose(client):
    page = client.get(reverse("accounts:login"))
    assert 'data-testid="cookie-banner"' not in page.text
    assert f'href="{SETTINGS}"' in page.text  # the footer link is still there
    assert "googletagmanager" not in page.text and "googletagmanager" not in csp(page)
    settings_page = client.get(SETTINGS)
    assert settings_page.status_code == 200
    assert 'data-testid="nothing-to-choose"' in settings_page.text
    assert 'type="checkbox"' not in settings_page.text
    posted = choose(client, "accept_all")
    assert posted.status_code == 302 and posted["Location"] == SETTINGS
    assert CONSENT_COOKIE not in posted.cookies
    assert not CookieConsent.objects.exists()
    assert consent_cookie_lists() == {} and CONSENT_COOKIE not in cookie_names()


def test_the_banner_offers_refusing_and_accepting_alike(analytics, client):
    page = client.get(reverse("accounts:login"))
    banner = re.search(r'<section class="cookie-banner".*?</section>', page.text, re.S).group(0)
    buttons = re.findall(r"<button[^>]*>[^<]*</button>", banner)
    assert [re.sub(r"<[^>]+>", "", b) for b in buttons] == ["Alles weigeren", "Alles aanvaarden"]
    # Equal weight: the same element with the same class.
    assert {re.search(r'class="([^"]+)"', b).group(1) for b in buttons} == {"cookie-button"}
    assert 'href="/cookies/instellingen/"' in banner and "checked" not in banner
    assert "googletagmanager" not in page.text and "googletagmanager" not in csp(page)
    settings_page = client.get(SETTINGS)
    assert settings_page.text.count('type="checkbox"') == 2 and " checked" not in settings_page.text


def test_accepting_records_the_choice_and_loads_the_tag_with_the_nonce(analytics, client):
    posted = choose(client, "accept_all")
    assert posted.status_code == 302 and posted["Location"] == "/accounts/aanmelden/"
    consent = CookieConsent.objects.get()
    assert (consent.action, consent.analytics, consent.social_media, consent.via) == (
        "choice",
        True,
        True,
        "banner",
    )
    assert consent.policy_version == "cookies/nl/v1"
    assert consent.cookie_lists == {"analytics": ["_ga", "_ga_TEST123"], "social_media": []}
    cookie = posted.cookies[CONSENT_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) == 182 * 86400

    page = client.get(reverse("accounts:login"))
    assert 'data-testid="cookie-banner"' not in page.text
    nonce = re.search(r"'nonce-([^']+)'", csp(page)).group(1)
    assert f'src="https://www.googletagmanager.com/gtag/js?id={GA4}" nonce="{nonce}"' in page.text
    assert f'data-ga4-id="{GA4}"' in page.text
    policy = csp(page)
    assert "script-src 'self' 'nonce-" in policy and "https://www.googletagmanager.com" in policy
    assert "connect-src 'self' https://*.google-analytics.com" in policy
    settings_page = client.get(SETTINGS)
    assert consent.consent_id in settings_page.text and settings_page.text.count(" checked") == 2


def test_refusing_loads_nothing_and_is_recorded(analytics, client):
    choose(client, "reject_all")
    consent = CookieConsent.objects.get()
    assert (consent.action, consent.analytics, consent.social_media) == ("choice", False, False)
    page = client.get(reverse("accounts:login"))
    assert 'data-testid="cookie-banner"' not in page.text
    assert "googletagmanager" not in page.text and "google" not in csp(page)
    assert "Cookietoestemming intrekken" not in page.text


def test_a_choice_per_category(analytics, client):
    response = choose(client, "save", via="settings", analytics="on")
    assert response.status_code == 302
    consent = CookieConsent.objects.get()
    assert (consent.analytics, consent.social_media, consent.via) == (True, False, "settings")


def test_withdrawing_in_one_click_deletes_the_analytics_cookies(analytics, client):
    choose(client, "accept_all")
    client.cookies["_ga"] = "GA1.1.1.1"
    client.cookies["_ga_TEST123"] = "GS1.1.1"
    page = client.get(reverse("accounts:login"))
    assert "Cookietoestemming intrekken" in page.text  # in the footer, one button
    withdrawn = choose(client, "reject_all", via="footer")
    assert withdrawn.status_code == 302
    for name in ("_ga", "_ga_TEST123"):
        assert withdrawn.cookies[name]["max-age"] == 0, name
    assert "google" not in withdrawn.get("Content-Security-Policy", "")
    withdrawal = CookieConsent.objects.order_by("-pk").first()
    assert (withdrawal.action, withdrawal.analytics, withdrawal.via) == ("withdrawal", False, "footer")
    assert CookieConsent.objects.count() == 2
    assert withdrawn.cookies[CONSENT_COOKIE].value != ""
    assert 'data-testid="cookie-banner"' not in client.get(reverse("accounts:login")).text


def test_analytics_cookies_without_consent_are_deleted(analytics, client):
    client.cookies["_ga"] = "GA1.1.1.1"
    page = client.get(reverse("accounts:login"))
    assert page.cookies["_ga"]["max-age"] == 0


def test_the_banner_returns_after_six_months_and_when_the_cookies_change(analytics, client):
    choose(client, "accept_all")
    assert 'data-testid="cookie-banner"' not in client.get(reverse("accounts:login")).text
    analytics.CLOCK_SHIFT = timedelta(days=183)
    page = client.get(reverse("accounts:login"))
    assert 'data-testid="cookie-banner"' in page.text and "googletagmanager" not in page.text
    analytics.CLOCK_SHIFT = timedelta(0)
    analytics.ANALYTICS_GA4_ID = "G-OTHER456"  # another property: other cookie names
    assert 'data-testid="cookie-banner"' in client.get(reverse("accounts:login")).text


def test_a_logged_in_choice_names_the_user(analytics, client):
    user = ProfileFactory().user
    MeterFactory(owner=user)
    client.force_login(user)
    assert 'data-testid="cookie-banner"' in client.get(reverse("home")).text
    choose(client, "reject_all", next_url=reverse("home"))
    assert CookieConsent.objects.get().user == user


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"choice": "maybe"}, 400),
        ({"choice": "accept_all", "via": "elsewhere"}, 400),
        ({}, 400),
    ],
)
def test_a_wrong_form_gets_400(analytics, client, data, status):
    assert client.post(SETTINGS, data).status_code == status
    assert not CookieConsent.objects.exists()


def test_next_only_goes_to_our_own_pages(analytics, client):
    assert choose(client, "reject_all", next_url="https://evil.example/")["Location"] == SETTINGS
    assert choose(client, "reject_all", next_url="//evil.example/")["Location"] == SETTINGS


def test_a_post_needs_the_csrf_token(analytics):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(SETTINGS, {"choice": "accept_all"}).status_code == 403


def test_the_registry_lists_the_consent_and_analytics_cookies_only_with_analytics(analytics):
    cookies = {c.name: c for c in portal_cookies()}
    assert {CONSENT_COOKIE, "_ga", "_ga_TEST123"} <= set(cookies)
    assert cookies[CONSENT_COOKIE].consent == ""  # needs no consent itself
    assert consent_cookie_lists() == {"analytics": ("_ga", "_ga_TEST123"), "social_media": ()}


def test_the_choice_sets_only_registered_cookies(analytics, client):
    seen = set(choose(client, "accept_all").cookies) | set(client.get(SETTINGS).cookies)
    assert seen <= cookie_names(), seen - cookie_names()
    assert CONSENT_COOKIE in seen


def test_share_links_are_plain_links(client):
    page = client.get(reverse("accounts:login")).text
    for host in (
        "https://www.facebook.com/sharer/",
        "https://x.com/intent/",
        "https://www.linkedin.com/sharing/",
    ):
        assert f'href="{host}' in page
    assert not re.search(r"<(script|img|iframe)[^>]+(facebook|x\.com|twitter|linkedin)", page)


def test_a_cookie_policy_published_with_analytics_lists_its_cookies_and_choices_name_it(analytics, client):
    """Turning analytics on: the DPO publishes a new cookie policy; its table (from the registry)
    has the consent cookie and Google's, and the choices made after it name that version."""
    dpo = UserFactory(is_staff=True)
    draft = PolicyDocument.objects.create(
        kind="cookies", language="nl", title="Cookiebeleid", body="Welke cookies?\n\n[[cookies]]"
    )
    published = policy_publish(document=draft, user=dpo)
    for name in (CONSENT_COOKIE, "_ga", "_ga_TEST123"):
        assert f"| {name} |" in published.body, name
    assert "| analytisch (alleen met je toestemming) |" in published.body
    choose(client, "accept_all")
    assert CookieConsent.objects.get().policy_version == f"cookies/nl/v{published.version}"
    assert published.version == 2
