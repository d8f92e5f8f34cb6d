"""Lock-out of failed logins over every login path (accounts.services.login_lockout via axes).

Paths: the portal's login form, the admin's login, the password-reset link, and a bare
``authenticate(request, email=, password=)`` as the API token endpoint of issue 11 will call it.
Attacks: one address hammering one account, rotating X-Forwarded-For, look-alike spellings of
the address, password spraying over many accounts, and a botnet on one account. Each time the
account's owner must still get in from another address (or their own browser).
"""

import re
import time

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.lockout import last_refusal
from accounts.services.login_lockout import KNOWN_DEVICE_COOKIE
from tests.factories import DEFAULT_PASSWORD, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

WRONG = "niet-het-wachtwoord"
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"
PROXY = "10.0.0.254"


@pytest.fixture
def alice():
    return ProfileFactory(user__email="alice@example.be").user


@pytest.fixture
def limits(settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_IP_MAX_FAILURES = 8
    settings.LOGIN_ACCOUNT_SLOW_AFTER = 6
    settings.LOGIN_ACCOUNT_SLOW_MAX_SECONDS = 60
    settings.TRUSTED_PROXY_COUNT = 0
    return settings


def portal_login(client, email, password, *, ip, xff=None):
    extra = {"REMOTE_ADDR": ip}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return client.post(reverse("accounts:login"), {"email": email, "password": password}, **extra)


def admin_password_login(client, email, password, *, ip):
    return client.post(
        reverse("admin:login"), {"username": email, "password": password, "next": "/"}, REMOTE_ADDR=ip
    )


def logged_in_as(client):
    return client.session.get("_auth_user_id")


# --- one address, one account ------------------------------------------------------------------


def test_portal_lock_after_failures_from_one_address_but_owner_gets_in_elsewhere(client, alice, limits):
    for _ in range(3):
        assert portal_login(client, "alice@example.be", WRONG, ip=ATTACKER).status_code == 400
    locked = portal_login(client, "alice@example.be", DEFAULT_PASSWORD, ip=ATTACKER)
    assert locked.status_code == 429
    assert "Te veel mislukte pogingen" in locked.text
    assert 0 < int(locked["Retry-After"]) <= limits.LOGIN_LOCKOUT_SECONDS
    assert logged_in_as(client) is None
    response = portal_login(client, "alice@example.be", DEFAULT_PASSWORD, ip=OWNER)
    assert response.status_code == 302
    assert int(logged_in_as(client)) == alice.pk


def test_admin_login_is_locked_out_too_and_shares_the_counter(client, alice, limits):
    staff = UserFactory(email="staf@example.be", is_staff=True)
    # Two failures on the portal and one on the admin: one counter, one lock.
    portal_login(client, "staf@example.be", WRONG, ip=ATTACKER)
    portal_login(client, "staf@example.be", WRONG, ip=ATTACKER)
    assert admin_password_login(client, "staf@example.be", WRONG, ip=ATTACKER).status_code == 200
    locked = admin_password_login(client, "staf@example.be", DEFAULT_PASSWORD, ip=ATTACKER)
    assert locked.status_code == 429
    assert logged_in_as(client) is None
    assert portal_login(client, "staf@example.be", DEFAULT_PASSWORD, ip=ATTACKER).status_code == 429
    # The staff member, from their own address, is not locked out.
    assert admin_password_login(client, "staf@example.be", DEFAULT_PASSWORD, ip=OWNER).status_code == 302
    assert int(logged_in_as(client)) == staff.pk


def test_api_style_authenticate_is_locked_out(alice, limits):
    """The API's token endpoint (issue 11) calls authenticate(request, email=, password=)."""
    factory = RequestFactory()

    def attempt(password, ip):
        request = factory.post("/api/v1/auth/token/", REMOTE_ADDR=ip)
        return authenticate(request, email="alice@example.be", password=password), request

    for _ in range(3):
        user, request = attempt(WRONG, ATTACKER)
        assert user is None and last_refusal(request) is None
    user, request = attempt(DEFAULT_PASSWORD, ATTACKER)
    assert user is None
    assert last_refusal(request).reason == "locked"
    user, request = attempt(DEFAULT_PASSWORD, OWNER)
    assert user == alice


# --- X-Forwarded-For ------------------------------------------------------------------------------


def test_rotating_forwarded_for_behind_our_proxy_does_not_escape_the_lock(client, alice, limits):
    limits.TRUSTED_PROXY_COUNT = 1
    # The attacker writes a new left-most address each time; our proxy appends the real one.
    for n in range(3):
        xff = f"192.0.2.{n + 1}, {ATTACKER}"
        assert portal_login(client, "alice@example.be", WRONG, ip=PROXY, xff=xff).status_code == 400
    xff = f"192.0.2.99, {ATTACKER}"
    assert portal_login(client, "alice@example.be", DEFAULT_PASSWORD, ip=PROXY, xff=xff).status_code == 429
    # The owner comes through the same proxy from their own address.
    response = portal_login(client, "alice@example.be", DEFAULT_PASSWORD, ip=PROXY, xff=OWNER)
    assert response.status_code == 302


def test_forged_forwarded_for_cannot_lock_out_a_victims_address(client, alice, limits):
    limits.TRUSTED_PROXY_COUNT = 1
    # The attacker claims to be the owner's address; the proxy appends the attacker's own.
    for _ in range(5):
        portal_login(client, "alice@example.be", WRONG, ip=PROXY, xff=f"{OWNER}, {ATTACKER}")
    response = portal_login(client, "alice@example.be", DEFAULT_PASSWORD, ip=PROXY, xff=OWNER)
    assert response.status_code == 302


def test_without_trusted_proxies_forwarded_for_is_ignored(client, alice, limits):
    for n in range(3):
        portal_login(client, "alice@example.be", WRONG, ip=ATTACKER, xff=f"192.0.2.{n + 1}")
    response = portal_login(client, "alice@example.be", DEFAULT_PASSWORD, ip=ATTACKER, xff="192.0.2.200")
    assert response.status_code == 429
    # And naming the owner's address in the header does not lock the owner out.
    response = portal_login(client, "alice@example.be", DEFAULT_PASSWORD, ip=OWNER)
    assert response.status_code == 302


# --- look-alike spellings ------------------------------------------------------------------------


def test_look_alike_spellings_share_the_accounts_counter(client, alice, limits):
    # Each of these logs in as alice@example.be (PostgreSQL compares them upper-cased).
    spellings = ["alıce@example.be", "ALICE@example.be", "Alice@Example.BE"]
    assert (
        authenticate(
            RequestFactory().post("/", REMOTE_ADDR=OWNER), email=spellings[0], password=DEFAULT_PASSWORD
        )
        == alice
    )
    for spelling in spellings:
        assert portal_login(client, spelling, WRONG, ip=ATTACKER).status_code == 400
    for spelling in ["alice@example.be", *spellings]:
        assert portal_login(client, spelling, DEFAULT_PASSWORD, ip=ATTACKER).status_code == 429
    assert portal_login(client, "alice@example.be", DEFAULT_PASSWORD, ip=OWNER).status_code == 302


# --- password spraying over many accounts ---------------------------------------------------------


def test_password_spraying_from_one_address_locks_that_address(client, alice, limits):
    victims = [UserFactory(email=f"slachtoffer{n}@example.be") for n in range(8)]
    for victim in victims:  # one try per account: no pair counter gets near its limit
        assert portal_login(client, victim.email, WRONG, ip=ATTACKER).status_code == 400
    # The address is now locked for every account, even with a right password.
    assert portal_login(client, "alice@example.be", DEFAULT_PASSWORD, ip=ATTACKER).status_code == 429
    assert admin_password_login(client, "alice@example.be", DEFAULT_PASSWORD, ip=ATTACKER).status_code == 429
    # Accounts themselves are not locked: their owners get in from elsewhere.
    assert portal_login(client, victims[0].email, DEFAULT_PASSWORD, ip=OWNER).status_code == 302


# --- a botnet on one account: slowed, never locked for the owner ---------------------------------


def test_one_account_from_many_addresses_is_slowed_but_its_owner_gets_in(client, alice, limits):
    owner_browser = client  # the owner's own browser, logged in from before
    response = portal_login(owner_browser, "alice@example.be", DEFAULT_PASSWORD, ip=OWNER)
    assert response.status_code == 302
    assert KNOWN_DEVICE_COOKIE in response.cookies
    owner_browser.post(reverse("accounts:logout"))
    botnet = Client()
    for n in range(6):  # 6 addresses, one or two tries each: never a pair lock
        assert portal_login(botnet, "alice@example.be", WRONG, ip=f"192.0.2.{n + 1}").status_code == 400
    slowed = portal_login(botnet, "alice@example.be", DEFAULT_PASSWORD, ip="192.0.2.50")
    assert slowed.status_code == 429
    assert "over een minuut opnieuw" in slowed.text
    assert 0 < int(slowed["Retry-After"]) <= limits.LOGIN_ACCOUNT_SLOW_MAX_SECONDS
    # The owner's own browser is exempt from the slow-down, from any address.
    response = portal_login(owner_browser, "alice@example.be", DEFAULT_PASSWORD, ip="192.0.2.51")
    assert response.status_code == 302
    assert int(logged_in_as(owner_browser)) == alice.pk


def test_the_slow_down_ends_by_itself(client, alice, limits):
    limits.LOGIN_ACCOUNT_SLOW_MAX_SECONDS = 1
    for n in range(7):
        portal_login(client, "alice@example.be", WRONG, ip=f"192.0.2.{n + 1}")
    assert portal_login(client, "alice@example.be", DEFAULT_PASSWORD, ip=OWNER).status_code == 429
    time.sleep(1.2)  # the capped delay has passed: a new browser, new address, gets in
    assert portal_login(client, "alice@example.be", DEFAULT_PASSWORD, ip=OWNER).status_code == 302


def test_a_forged_known_device_cookie_is_ignored(client, alice, limits):
    client.cookies[KNOWN_DEVICE_COOKIE] = "eyJhIjoidXNlcjoxIiwiZCI6Im5lcCJ9:forged:sig"
    for n in range(6):
        portal_login(client, "alice@example.be", WRONG, ip=f"192.0.2.{n + 1}")
    assert portal_login(client, "alice@example.be", DEFAULT_PASSWORD, ip="192.0.2.60").status_code == 429


def test_a_known_device_is_forgotten_when_the_password_changes(client, alice, limits):
    # a browser that logged in with the old password (say, someone who had it) ...
    old_browser = client
    assert portal_login(old_browser, "alice@example.be", DEFAULT_PASSWORD, ip=OWNER).status_code == 302
    old_browser.post(reverse("accounts:logout"))
    alice.set_password("een-nieuw-wachtwoord-2026")
    alice.save()
    botnet = Client()
    for n in range(6):  # 6 addresses: the account is slowed (as in the botnet test above)
        assert portal_login(botnet, "alice@example.be", WRONG, ip=f"192.0.2.{n + 1}").status_code == 400
    # ... is no longer exempt from the account's slow-down (its cookie named the old password)
    new_password = portal_login(old_browser, "alice@example.be", "een-nieuw-wachtwoord-2026", ip="192.0.2.60")
    assert new_password.status_code == 429


# --- password reset ------------------------------------------------------------------------------


def _reset_link(client, email):
    client.post(reverse("accounts:password_reset"), {"email": email})
    return re.search(r"http://127.0.0.1:8000(\S+)", mail.outbox[-1].body).group(1)


def test_bad_reset_links_count_for_the_address_and_a_locked_address_gets_429(client, alice, limits):
    uid = _reset_link(client, "alice@example.be").split("/")[-3]
    for n in range(8):
        response = client.get(
            reverse("accounts:password_reset_confirm", args=[uid, f"bad-{n}"]), REMOTE_ADDR=ATTACKER
        )
        assert response.status_code == 200
        assert "ongeldig" in response.text
    link = _reset_link(client, "alice@example.be")
    assert client.get(link, REMOTE_ADDR=ATTACKER).status_code == 429
    assert portal_login(client, "alice@example.be", DEFAULT_PASSWORD, ip=ATTACKER).status_code == 429
    # From another address the same (good) link works.
    assert client.get(link, REMOTE_ADDR=OWNER).status_code == 302


def test_a_completed_password_reset_lets_a_locked_out_owner_in_at_once(client, alice, limits):
    for _ in range(3):
        portal_login(client, "alice@example.be", WRONG, ip=OWNER)
    assert portal_login(client, "alice@example.be", DEFAULT_PASSWORD, ip=OWNER).status_code == 429
    link = _reset_link(client, "alice@example.be")
    form_url = client.get(link, REMOTE_ADDR=OWNER)["Location"]
    response = client.post(
        form_url,
        {"new_password1": "nieuw-wachtwoord-77", "new_password2": "nieuw-wachtwoord-77"},
        REMOTE_ADDR=OWNER,
    )
    assert response.status_code == 302
    assert portal_login(client, "alice@example.be", "nieuw-wachtwoord-77", ip=OWNER).status_code == 302


def test_an_address_field_added_to_a_bad_reset_link_does_not_count_against_that_account(
    client, alice, limits
):
    uid = _reset_link(client, "alice@example.be").split("/")[-3]
    for n in range(7):
        client.post(
            reverse("accounts:password_reset_confirm", args=[uid, f"bad-{n}"]),
            {"email": "alice@example.be", "username": "alice@example.be"},
            REMOTE_ADDR=f"192.0.2.{n + 1}",
        )
    # Seven bad links from seven addresses: alice's account is neither locked nor slowed.
    assert portal_login(client, "alice@example.be", DEFAULT_PASSWORD, ip="192.0.2.100").status_code == 302


# --- the same attacks on the admin's login ---------------------------------------------------------


def admin_login_via_proxy(client, email, password, *, xff):
    return client.post(
        reverse("admin:login"),
        {"username": email, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=xff,
    )


def test_admin_login_rotating_forwarded_for_and_look_alikes_share_one_lock(client, limits, staff_user):
    limits.TRUSTED_PROXY_COUNT = 1
    staff_user("support", email="bob@ilumen.be")
    attempts = ["bob@ilumen.be", "BOB@ilumen.be", "Bob@Ilumen.BE"]
    for n, spelling in enumerate(attempts):
        response = admin_login_via_proxy(client, spelling, WRONG, xff=f"192.0.2.{n + 1}, {ATTACKER}")
        assert response.status_code == 200  # the form again, with an error
    locked = admin_login_via_proxy(client, "bob@ilumen.be", DEFAULT_PASSWORD, xff=f"192.0.2.77, {ATTACKER}")
    assert locked.status_code == 429
    assert "Te veel mislukte pogingen" in locked.text  # said on the admin's own login page
    assert "id_username" in locked.text
    # bob, through the same proxy from his own address, gets to his second factor.
    response = admin_login_via_proxy(client, "bob@ilumen.be", DEFAULT_PASSWORD, xff=OWNER)
    assert response.status_code == 302
