"""The privacy API (privacy/api, issue 11): pause, download and erasure asked from the app, by the
same services and checks as Mijn gegevens."""

import pytest
from django.urls import reverse

from accounts.models import ApiToken, User
from consents.selectors.restriction import processing_restricted
from privacy.models import DataExport, DeletionRequest
from tests.factories import DEFAULT_PASSWORD, MeterFactory, ProfileFactory, covering_mandate

pytestmark = pytest.mark.django_db(transaction=True)


def _post(client, name, body, auth):
    return client.post(reverse(name), body, content_type="application/json", **auth)


def test_a_pause_from_the_app_restricts_the_processing(client, bearer):
    user = ProfileFactory().user
    covering_mandate(MeterFactory(owner=user))
    auth = bearer(user)
    response = _post(client, "api:pause", {"reason": "even niet"}, auth)
    assert response.status_code == 201, response.content
    assert response.json()["reason"] == "even niet"
    assert processing_restricted(user=user)
    again = _post(client, "api:pause", {}, auth)
    assert again.status_code == 201 and again.json()["started_at"] == response.json()["started_at"]
    assert client.get(reverse("api:me"), **auth).status_code == 200  # paused, not gone


def test_a_download_is_asked_once_at_a_time(client, bearer):
    user = ProfileFactory().user
    auth = bearer(user)
    first = _post(client, "api:export", {}, auth)
    assert first.status_code == 202 and first.json()["status"] == "requested"
    assert _post(client, "api:export", {}, auth).json()["id"] == first.json()["id"]
    assert DataExport.objects.filter(user=user).count() == 1


def test_an_erasure_needs_the_password_and_ends_the_account_and_its_token(client, bearer):
    user = ProfileFactory().user
    auth = bearer(user)
    wrong = _post(client, "api:deletion_request", {"personal": True, "meter": True, "password": "fout"}, auth)
    assert wrong.status_code == 400 and "password" in wrong.json()["error"]["fields"]
    nothing = _post(
        client,
        "api:deletion_request",
        {"personal": False, "meter": False, "password": DEFAULT_PASSWORD},
        auth,
    )
    assert nothing.status_code == 400
    assert not DeletionRequest.objects.exists()
    response = _post(
        client, "api:deletion_request", {"personal": True, "meter": True, "password": DEFAULT_PASSWORD}, auth
    )
    assert response.status_code == 201, response.content
    assert response.json()["mode"] == "permanent"
    assert DeletionRequest.objects.get().source == "api"
    assert not User.objects.filter(pk=user.pk).exists()
    assert not ApiToken.objects.exists()
    assert client.get(reverse("api:me"), **auth).status_code == 401
