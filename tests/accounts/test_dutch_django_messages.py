"""Django's own messages (password rules) read in Dutch, with "je", on Dutch pages (locale/nl)."""

import re

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import User


def _refusals(password: str) -> list[str]:
    user = User(email="els.janssens@example.be")
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password(password, user)
    return refused.value.messages


def test_password_rules_and_refusals_in_dutch_with_je():
    with translation.override("nl-be"):
        help_texts = password_validation.password_validators_help_texts()
        refusals = _refusals("abc") + _refusals("els.janssens") + _refusals("1234567890123")
    assert help_texts == [
        "Je wachtwoord mag niet te veel op je andere persoonlijke gegevens lijken.",
        "Je wachtwoord moet minstens 10 tekens lang zijn.",
        "Je wachtwoord mag geen veelgebruikt wachtwoord zijn.",
        "Je wachtwoord mag niet alleen uit cijfers bestaan.",
    ]
    assert "Dit wachtwoord is te kort: het moet minstens 10 tekens lang zijn." in refusals
    assert "Het wachtwoord lijkt te veel op je e-mailadres." in refusals
    assert "Dit wachtwoord bestaat alleen uit cijfers." in refusals
    formal = re.compile(r"\b[Uu]w?\b")  # "u", "uw": the portal says "je"
    assert not any(formal.search(m) or "This password" in m for m in refusals + help_texts)


def test_and_in_english_on_english_pages():
    with translation.override("en"):
        assert "This password is too short. It must contain at least 10 characters." in _refusals("abc")


@pytest.mark.django_db
def test_a_wrong_current_password_is_told_in_dutch_with_je(client):
    """Django's PasswordChangeForm says "Uw oude wachtwoord…"; the portal says "je"."""
    from django.urls import reverse

    from tests.factories import DEFAULT_PASSWORD, ProfileFactory

    client.force_login(ProfileFactory().user)
    new = {"new_password1": "nieuw-zonnedak-2027", "new_password2": "nieuw-zonnedak-2027"}
    html = client.post(reverse("accounts:password_change"), {"old_password": "fout", **new}).text
    assert "Je huidige wachtwoord klopt niet. Geef het opnieuw in." in html
    assert not re.search(r"\b[Uu]w?\b", html.split("<main", 1)[1].split("</main>", 1)[0])
    assert DEFAULT_PASSWORD != "fout"
    english = client.post(
        reverse("accounts:password_change"), {"old_password": "fout", **new}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Your old password was entered incorrectly" in english.text
