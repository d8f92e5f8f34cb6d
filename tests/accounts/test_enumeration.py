"""Nothing on the account pages tells a stranger whether an address (or a meter) has an account.

Issue 8, item 2: sign-up does the same work for a known and a new address (the password is
hashed in both paths; the time itself is measured in benchmarks/sign_up_timing.py, never here).
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.accounts.hashers import CountingArgon2PasswordHasher
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "email": "els.janssens@example.be",
    "password1": "zonnepaneel-2026!",
    "password2": "zonnepaneel-2026!",
    "first_name": "Els",
    "last_name": "Janssens",
    "street": "Stationsstraat",
    "house_number": "4",
    "postal_code": "2800",
    "municipality": "Mechelen",
    "country": "BE",
    "phone": "0470 12 34 56",
}


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.hashers.CountingArgon2PasswordHasher"]
    CountingArgon2PasswordHasher.encoded = 0
    return CountingArgon2PasswordHasher


def _page(response, address: str) -> str:
    """The page's text without the address it names and the (per-response masked) CSRF token."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.text).replace(address, "X")


def _sign_up(client, email):
    before = CountingArgon2PasswordHasher.encoded
    response = client.post(reverse("accounts:sign_up"), {**SIGN_UP, "email": email}, follow=True)
    return response, CountingArgon2PasswordHasher.encoded - before


def test_sign_up_hashes_the_password_for_a_known_address_as_for_a_new_one(client, counting_hasher):
    ProfileFactory(user__email="bekend@example.be")
    new_page, new_hashes = _sign_up(client, "nieuw@example.be")
    known_page, known_hashes = _sign_up(client, "BEKEND@example.be")

    assert new_hashes == known_hashes == 1
    # The same page, bar the address it names, and one mail each (to the address typed).
    assert new_page.status_code == known_page.status_code
    assert _page(new_page, "nieuw@example.be") == _page(known_page, "BEKEND@example.be")
    assert [m.to for m in mail.outbox] == [["nieuw@example.be"], ["bekend@example.be"]]
    # The known account was not touched: its password is still the factory's.
    assert User.objects.filter(email__iexact="bekend@example.be").count() == 1
    assert User.objects.get(email__iexact="bekend@example.be").check_password("zonnepaneel-2026!")
    # The new one stores the hash computed up front, usable to log in after verification.
    assert User.objects.get(email="nieuw@example.be").check_password(SIGN_UP["password1"])
