"""Changing the email address: current password, a one-time 24-hour link that names no address,
a notice with a cancel link to the old address, the same page for a free and a taken address.

Issue 8, items 2 and 3. Through the real views, mails (locmem), PostgreSQL and Redis.
"""

import base64
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import EmailChange, User
from tests.factories import DEFAULT_PASSWORD, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:email_change")


@pytest.fixture
def homeowner(client):
    user = ProfileFactory(user__email="els@example.be").user
    client.force_login(user)
    return user


def _links(message) -> list[str]:
    return [link.replace("http://127.0.0.1:8000", "") for link in re.findall(r"http://\S+", message.body)]


def _page(response, address: str) -> str:
    """The page's text without the address it names and the (per-response masked) CSRF tokens."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.text).replace(address, "X@")


def _request(client, new_email, password=DEFAULT_PASSWORD):
    return client.post(URL, {"new_email": new_email, "password": password}, follow=True)


def _mail_to(address):
    return [m for m in mail.outbox if m.to == [address]][-1]


def _confirm_link(address):
    return next(link for link in _links(_mail_to(address)) if "/bevestigen/" in link)


def _cancel_link(address="els@example.be"):
    return next(link for link in _links(_mail_to(address)) if "/annuleren/" in link)


def test_the_current_password_is_required(client, homeowner):
    response = client.post(URL, {"new_email": "nieuw@example.be", "password": "fout-wachtwoord"})
    assert response.status_code == 400
    assert "Dit is niet je huidige wachtwoord" in response.text
    assert not EmailChange.objects.exists() and mail.outbox == []
    response = client.post(URL, {"new_email": "nieuw@example.be"})
    assert response.status_code == 400 and not EmailChange.objects.exists()


def test_a_confirmed_link_changes_the_address_once(client, homeowner):
    page = _request(client, "Nieuw@Example.be")
    assert "We stuurden een link naar Nieuw@Example.be" in page.text
    homeowner.refresh_from_db()
    assert homeowner.email == "els@example.be"  # nothing changes before the link is used

    link = _confirm_link("Nieuw@example.be")
    # The link names no address, in any readable or decodable form.
    token = link.rstrip("/").rsplit("/", 1)[1]
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for address in (b"nieuw@example.be", b"els@example.be"):
        assert address not in link.lower().encode() and address not in decoded.lower()
    # The database keeps only a digest of it.
    change = EmailChange.objects.get()
    assert token not in (change.confirm_digest, change.cancel_digest)

    # A GET (a mail scanner following the link) changes nothing; the POST does.
    assert client.get(link).status_code == 200
    homeowner.refresh_from_db()
    assert homeowner.email == "els@example.be"
    response = client.post(link)
    assert response.status_code == 200
    assert "Je e-mailadres is nu Nieuw@example.be" in response.text
    homeowner.refresh_from_db()
    assert homeowner.email == "Nieuw@example.be" and homeowner.email_verified

    # Used once: again is refused.
    again = client.post(link)
    assert again.status_code == 404 and "ongeldig of verlopen" in again.text


def test_the_old_address_gets_a_notice_with_a_cancel_link(client, homeowner):
    _request(client, "nieuw@example.be")
    notice = _mail_to("els@example.be")
    assert "n***@e***.be" in notice.body and "nieuw@example.be" not in notice.body
    cancel = _cancel_link()
    assert client.post(cancel).status_code == 200
    # The confirm link no longer works.
    assert client.post(_confirm_link("nieuw@example.be")).status_code == 404
    homeowner.refresh_from_db()
    assert homeowner.email == "els@example.be"


def test_cancelling_after_confirmation_restores_the_address_and_ends_every_session(client, homeowner):
    _request(client, "kaper@example.be")
    client.post(_confirm_link("kaper@example.be"))
    homeowner.refresh_from_db()
    assert homeowner.email == "kaper@example.be"

    response = client.post(_cancel_link())
    assert response.status_code == 200 and "Je e-mailadres is els@example.be" in response.text
    homeowner.refresh_from_db()
    assert homeowner.email == "els@example.be"
    # Everyone is logged out, the browser that asked for the change included.
    profile_page = client.get(reverse("accounts:profile"))
    assert profile_page.status_code == 302 and profile_page["Location"].startswith(reverse("accounts:login"))


def test_the_link_expires_after_24_hours(client, homeowner, settings):
    _request(client, "nieuw@example.be")
    link = _confirm_link("nieuw@example.be")
    settings.CLOCK_SHIFT = settings.CLOCK_SHIFT + timedelta(hours=24, seconds=1)
    assert client.post(link).status_code == 404
    homeowner.refresh_from_db()
    assert homeowner.email == "els@example.be"


def test_forged_and_withdrawn_links_are_refused(client, homeowner):
    _request(client, "eerste@example.be")
    first = _confirm_link("eerste@example.be")
    _request(client, "tweede@example.be")  # withdraws the first request
    assert client.post(first).status_code == 404
    for forged in ("x" * 43, "a", "x" * 5000, "' OR 1=1 --", first[:-5] + "AAAA/"):
        url = forged if forged.startswith("/") else reverse("accounts:email_change_confirm", args=[forged])
        assert client.post(url).status_code == 404, forged
    assert client.post(_confirm_link("tweede@example.be")).status_code == 200


def test_a_taken_address_reads_the_same_and_clashes_only_at_the_link(client, homeowner):
    UserFactory(email="bezet@example.be")
    free = _request(client, "vrij@example.be")
    taken = _request(client, "bezet@example.be")
    # The same page and the same mails (a link to the new address, a notice to the old one).
    assert free.status_code == taken.status_code == 200
    assert _page(free, "vrij@") == _page(taken, "bezet@")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["vrij@example.be", "els@example.be", "bezet@example.be", "els@example.be"]
    )
    assert _mail_to("bezet@example.be").subject == _mail_to("vrij@example.be").subject
    # Only who clicks in that mailbox learns it has an account; nothing changes.
    response = client.post(_confirm_link("bezet@example.be"))
    assert response.status_code == 409 and "hoort al bij een ander iLusmart-account" in response.text
    homeowner.refresh_from_db()
    assert homeowner.email == "els@example.be"
    assert User.objects.get(email="bezet@example.be")


def test_email_change_is_rate_limited_per_user(client, homeowner, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "email_change": {"user": 3, "ip": 100, "seconds": 3600}}
    for _ in range(3):
        assert client.post(URL, {"new_email": "n@example.be", "password": "gok"}).status_code == 400
    response = client.post(URL, {"new_email": "n@example.be", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429  # even the right password: no guessing by a session thief
    assert not EmailChange.objects.exists()


def test_the_page_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_cancel_link_works_once_and_for_seven_days(client, homeowner, settings):
    _request(client, "eerste@example.be")
    cancel = _cancel_link()
    assert client.post(cancel).status_code == 200
    assert client.post(cancel).status_code == 404  # used
    _request(client, "tweede@example.be")
    client.post(_confirm_link("tweede@example.be"))
    late = _cancel_link("els@example.be")
    settings.CLOCK_SHIFT = settings.CLOCK_SHIFT + timedelta(days=7, seconds=1)
    assert client.post(late).status_code == 404
    homeowner.refresh_from_db()
    assert homeowner.email == "tweede@example.be"


def test_the_sign_up_verification_link_does_not_carry_the_address_either(client):
    form = {
        "password1": "zonnepaneel-2026!",
        "password2": "zonnepaneel-2026!",
        "first_name": "Lies",
        "last_name": "Baar",
        "street": "Kerkstraat",
        "house_number": "1",
        "postal_code": "9000",
        "municipality": "Gent",
        "country": "BE",
        "phone": "0470 12 34 56",
    }
    client.post(reverse("accounts:sign_up"), {**form, "email": "leesbaar@example.be"})
    link = _links(mail.outbox[-1])[0]
    token = link.rstrip("/").rsplit("/", 1)[1]
    payload = token.split(":")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b"leesbaar" not in decoded.lower() and "leesbaar" not in link
    assert client.get(link).status_code == 302
    assert User.objects.get(email="leesbaar@example.be").email_verified


def test_a_password_reset_ends_every_session_and_its_rows(client):
    from django.test import Client

    from accounts.models import UserSession

    user = ProfileFactory(user__email="reset@example.be").user
    other = Client()
    other.post(reverse("accounts:login"), {"email": user.email, "password": DEFAULT_PASSWORD})
    assert UserSession.objects.filter(user=user).count() == 1
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    link = _links(mail.outbox[-1])[0]
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = {"new_password1": "nieuw-zonnedak-2027", "new_password2": "nieuw-zonnedak-2027"}
    assert client.post(form_url, new).status_code == 302
    assert other.get(reverse("accounts:profile")).status_code == 302
    assert not UserSession.objects.filter(user=user).exists()
