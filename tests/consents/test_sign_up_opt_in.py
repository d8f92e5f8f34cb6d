"""The unticked newsletter opt-in on the sign-up form (consents/sign_up.py via accounts.sign_up_questions)."""

import pytest
from django.urls import reverse

from consents.models import CommunicationConsent
from consents.selectors.communications import communication_opted_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "email": "nieuws@example.be",
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


def test_the_sign_up_form_offers_the_newsletter_unticked(client):
    html = client.get(reverse("accounts:sign_up")).text
    assert 'type="checkbox" name="newsletter_by_email"' in html
    assert "checked" not in html


def test_ticked_at_sign_up_is_an_opt_in_with_source_sign_up(client):
    response = client.post(reverse("accounts:sign_up"), {**SIGN_UP, "newsletter_by_email": "on"})
    assert response.status_code == 302
    row = CommunicationConsent.objects.get()
    assert (row.user.email, row.channel, row.topic, row.opted_in, row.source) == (
        "nieuws@example.be",
        "email",
        "newsletter",
        True,
        "sign_up",
    )
    assert communication_opted_in(user=row.user, channel="email", topic="newsletter")


def test_not_ticked_records_nothing(client):
    assert client.post(reverse("accounts:sign_up"), SIGN_UP).status_code == 302
    assert not CommunicationConsent.objects.exists()


def test_a_sign_up_with_an_address_that_has_an_account_changes_nothing_of_it(client):
    owner = UserFactory(email="nieuws@example.be")
    assert (
        client.post(reverse("accounts:sign_up"), {**SIGN_UP, "newsletter_by_email": "on"}).status_code == 302
    )
    assert not communication_opted_in(user=owner, channel="email", topic="newsletter")
    assert not CommunicationConsent.objects.exists()
