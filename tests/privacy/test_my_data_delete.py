"""Asking for deletion on Mijn gegevens hands the request to the DPO workflow (privacy.services.deletion_requests)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from meters.models import ReadingDay
from privacy.models import DeletionRequest
from tests.factories import DEFAULT_PASSWORD, ProfileFactory

pytestmark = pytest.mark.django_db


def test_the_page_explains_and_asks_for_the_password(client):
    user = ProfileFactory().user
    client.force_login(user)
    page = client.get(reverse("privacy:my_data_delete"))
    assert page.status_code == 200 and "definitief" in page.text
    assert f'href="{reverse("privacy:my_data_delete")}"' in client.get(reverse("privacy:my_data")).text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"personal": "on", "password": "fout"}, "Dit wachtwoord klopt niet."),
        ({"password": DEFAULT_PASSWORD}, "Kies wat we moeten wissen."),
        ({"personal": "on"}, "Dit veld is vereist"),
    ],
)
def test_a_wrong_request_is_refused_and_nothing_is_erased(client, data, message):
    user = ProfileFactory().user
    client.force_login(user)
    response = client.post(reverse("privacy:my_data_delete"), data)
    assert response.status_code == 400
    assert message in response.text
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert not DeletionRequest.objects.exists()


def test_erasing_everything_ends_the_account_and_says_so(client, person_with_everything):
    user = person_with_everything["user"]
    client.force_login(user)
    response = client.post(
        reverse("privacy:my_data_delete"), {"personal": "on", "meter": "on", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    assert 'data-testid="delete-done"' in response.text
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    request = DeletionRequest.objects.get()
    assert (request.source, request.status) == ("mydata", "executed")
    assert not ReadingDay.objects.filter(meter=person_with_everything["meter"]).exists()
    assert client.get(reverse("privacy:my_data")).status_code == 302  # logged out


def test_erasing_the_meter_data_only_keeps_the_account(client, person_with_everything):
    user, meter = person_with_everything["user"], person_with_everything["meter"]
    client.force_login(user)
    response = client.post(reverse("privacy:my_data_delete"), {"meter": "on", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert not ReadingDay.objects.filter(meter=meter).exists()
    assert "Je meetgegevens zijn gewist." in client.get(reverse("privacy:my_data")).text
