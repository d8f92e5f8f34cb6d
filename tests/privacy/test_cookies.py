"""Every cookie the portal sets is in the cookie registry (privacy/cookies.py), and every cookie
in the registry is really set: walked over real responses of the homeowner's and the staff's
ways through the portal (login, dashboard, profile, language switch, logout; admin login, second
factor, a saved draft). A Set-Cookie with a name the registry does not know fails the test."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from privacy.cookies import cookie_names, portal_cookies
from tests.factories import DEFAULT_PASSWORD, MeterFactory, ProfileFactory

pytestmark = pytest.mark.django_db


class CookieWatch:
    """A test client that notes every Set-Cookie of every response (deletions included)."""

    def __init__(self):
        self.client = Client()
        self.seen: dict[str, str] = {}  # cookie name -> first URL that set it

    def _note(self, method, url, response):
        for name in response.cookies:
            self.seen.setdefault(name, f"{method} {url}")
        return response

    def get(self, url, **kwargs):
        return self._note("GET", url, self.client.get(url, **kwargs))

    def post(self, url, data=None, **kwargs):
        return self._note("POST", url, self.client.post(url, data or {}, **kwargs))


@pytest.fixture
def homeowner():
    user = ProfileFactory(user__email="cookies@example.be").user
    MeterFactory(owner=user)
    return user


def test_the_registry_names_each_cookie_once_with_a_purpose_category_and_lifetime():
    cookies = portal_cookies()
    assert len({c.name for c in cookies}) == len(cookies)
    for cookie in cookies:
        assert cookie.name and cookie.purpose and cookie.category and cookie.lifetime and cookie.set_by


def homeowner_way(watch: CookieWatch) -> None:
    """Log in, look around, switch language, log out (the homeowner fixture's account)."""
    assert watch.get(reverse("home")).status_code == 302
    assert watch.get(reverse("accounts:login")).status_code == 200
    login = watch.post(
        reverse("accounts:login"), {"email": "cookies@example.be", "password": DEFAULT_PASSWORD}
    )
    assert login.status_code == 302, login.status_code
    assert watch.get(reverse("home")).status_code == 200
    assert watch.get(reverse("meters:list")).status_code == 200
    assert watch.get(reverse("accounts:profile")).status_code == 200
    assert watch.get(reverse("privacy:statement")).status_code == 200
    watch.post(reverse("set_language"), {"language": "en", "next": reverse("privacy:cookies")})
    assert watch.get(reverse("privacy:cookies")).status_code == 200
    assert watch.post(reverse("accounts:logout")).status_code == 302


def staff_way(watch: CookieWatch, staff_user, totp_code) -> None:
    """The DPO logs in to the admin with password and code, saves a draft policy, logs out."""
    dpo = staff_user("dpo", email="dpo@example.be")
    device = TOTPDevice.objects.create(user=dpo, name="telefoon", confirmed=True)
    watch.get(reverse("admin:login"))
    response = watch.post(
        reverse("admin:login"), {"username": "dpo@example.be", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    response = watch.post(reverse("admin:second_factor_verify"), {"token": totp_code(device)})
    assert response.status_code == 302
    assert watch.get(reverse("admin:index")).status_code == 200
    add = reverse("admin:privacy_policydocument_add")
    assert watch.get(add).status_code == 200
    saved = watch.post(add, {"kind": "privacy", "language": "nl", "title": "Ontwerp", "body": "Tekst."})
    assert saved.status_code == 302
    assert watch.get(saved["Location"]).status_code == 200  # shows (and so clears) the message
    assert watch.post(reverse("admin:logout")).status_code in (200, 302)


def _unknown(watch: CookieWatch) -> dict[str, str]:
    return {name: where for name, where in watch.seen.items() if name not in cookie_names()}


def test_a_homeowners_way_sets_only_registered_cookies(homeowner, cache_keys_cleared):
    watch = CookieWatch()
    homeowner_way(watch)
    assert not _unknown(watch), f"cookies set but not in privacy/cookies.py: {_unknown(watch)}"
    assert {"sessionid", "csrftoken", "django_language", "ilusmart_device"} <= set(watch.seen)


def test_the_staff_way_through_the_admin_sets_only_registered_cookies(
    staff_user, totp_code, cache_keys_cleared
):
    watch = CookieWatch()
    staff_way(watch, staff_user, totp_code)
    assert not _unknown(watch), f"cookies set but not in privacy/cookies.py: {_unknown(watch)}"
    assert "messages" in watch.seen


def test_every_registered_cookie_is_really_set(homeowner, staff_user, totp_code, cache_keys_cleared):
    """The other way round: a cookie the registry lists but nothing sets would be a false promise."""
    homeowners, staff = CookieWatch(), CookieWatch()
    homeowner_way(homeowners)
    staff_way(staff, staff_user, totp_code)
    seen = set(homeowners.seen) | set(staff.seen)
    assert cookie_names() <= seen, f"in the registry but never set: {cookie_names() - seen}"
