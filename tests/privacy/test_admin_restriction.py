"""Support and the DPO pause and resume a customer's processing in the admin (privacy/admin_restriction.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from consents.selectors.restriction import processing_restricted, restriction_active
from consents.services.restriction import restriction_start
from tests.factories import MeterFactory, ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    user = ProfileFactory().user
    MeterFactory(owner=user)
    return user


def test_support_pauses_from_the_console_with_a_reason_and_everyone_sees_it(
    customer, staff_user, admin_login
):
    support = admin_login(Client(), staff_user("support"))
    console = reverse("admin:customer_detail", args=[customer.pk])
    page = support.get(console)
    assert 'data-testid="pause-form"' in page.text and "Niet gepauzeerd." in page.text

    response = support.post(
        reverse("admin:customer_pause", args=[customer.pk]),
        {"reason": "Klant belde: verhuist", "next": console},
    )
    assert response.status_code == 302 and response["Location"] == console
    pause = restriction_active(user=customer)
    assert (pause.source, pause.reason) == ("support", "Klant belde: verhuist")
    assert 'data-testid="resume-form"' in support.get(console).text
    user_page = support.get(reverse("admin:accounts_user_change", args=[customer.pk]))
    assert "Gepauzeerd" in user_page.text and "Klant belde: verhuist" in user_page.text

    homeowner = Client()
    homeowner.force_login(customer)
    assert 'data-testid="pause-banner"' in homeowner.get(reverse("home")).text

    support.post(reverse("admin:customer_resume", args=[customer.pk]), {"next": console})
    assert not processing_restricted(user=customer)
    assert 'data-testid="pause-banner"' not in homeowner.get(reverse("home")).text


def test_the_dpo_pauses_from_the_user_page_and_resumes(customer, staff_user, admin_login):
    dpo = admin_login(Client(), staff_user("dpo"))
    user_page = reverse("admin:accounts_user_change", args=[customer.pk])
    assert 'data-testid="pause-form"' in dpo.get(user_page).text
    response = dpo.post(
        reverse("admin:customer_pause", args=[customer.pk]), {"reason": "Klacht", "next": user_page}
    )
    assert response.status_code == 302
    assert restriction_active(user=customer).source == "dpo"
    dpo.post(reverse("admin:customer_resume", args=[customer.pk]))
    assert not processing_restricted(user=customer)


def test_a_pause_without_a_reason_is_refused_with_a_message(customer, staff_user, admin_login):
    support = admin_login(Client(), staff_user("support"))
    response = support.post(reverse("admin:customer_pause", args=[customer.pk]), {"reason": "  "})
    assert response.status_code == 400
    assert "geef een reden" in response.text
    assert not processing_restricted(user=customer)


def test_a_homeowners_own_pause_shows_on_the_console_and_support_may_lift_it(
    customer, staff_user, admin_login
):
    restriction_start(user=customer, source="homeowner", by=customer)
    support = admin_login(Client(), staff_user("support"))
    page = support.get(reverse("admin:customer_detail", args=[customer.pk]))
    assert "de klant zelf" in page.text
    support.post(reverse("admin:customer_resume", args=[customer.pk]))
    assert not processing_restricted(user=customer)


def test_staff_accounts_cannot_be_paused(staff_user, admin_login):
    support = admin_login(Client(), staff_user("support"))
    colleague = staff_user("dpo")
    response = support.post(reverse("admin:customer_pause", args=[colleague.pk]), {"reason": "x"})
    assert response.status_code == 404
    assert not processing_restricted(user=colleague)
