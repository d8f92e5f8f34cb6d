"""The consents API (consents/api, issue 11): communication choices over the page's service."""

import pytest
from django.urls import reverse

from consents.models import CommunicationConsent
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

PAIRS = [(c, t) for c in CommunicationConsent.Channel.values for t in CommunicationConsent.Topic.values]


def _put(client, auth, yes):
    choices = [{"channel": c, "topic": t, "opted_in": (c, t) in yes} for c, t in PAIRS]
    return client.put(
        reverse("api:communications"), {"choices": choices}, content_type="application/json", **auth
    )


@pytest.mark.parametrize("how", ["token", "session"])
def test_choices_start_unticked_and_each_change_is_recorded_as_from_the_app(client, bearer, how):
    user, other = ProfileFactory().user, ProfileFactory().user
    auth = bearer(user) if how == "token" else {}
    if how == "session":
        client.force_login(user)
    start = client.get(reverse("api:communications"), **auth).json()["choices"]
    assert {(c["channel"], c["topic"]) for c in start} == set(PAIRS)
    assert not any(c["opted_in"] for c in start) and all(c["at"] is None for c in start)
    answer = _put(client, auth, {("email", "newsletter")})
    assert answer.status_code == 200, answer.content
    chosen = [c for c in answer.json()["choices"] if c["opted_in"]]
    assert [(c["channel"], c["topic"], c["source"]) for c in chosen] == [("email", "newsletter", "api")]
    assert CommunicationConsent.objects.filter(user=user, source="api").count() == 1
    assert _put(client, auth, {("email", "newsletter")}).status_code == 200  # unchanged: no new row
    assert CommunicationConsent.objects.filter(user=user).count() == 1
    assert not CommunicationConsent.objects.filter(user=other).exists()


def test_every_channel_and_topic_must_be_answered_once(client, bearer):
    auth = bearer(ProfileFactory().user)
    partial = client.put(
        reverse("api:communications"),
        {"choices": [{"channel": "email", "topic": "newsletter", "opted_in": True}]},
        content_type="application/json",
        **auth,
    )
    assert partial.status_code == 400 and "choices" in partial.json()["error"]["fields"]
    unknown = client.put(
        reverse("api:communications"),
        {"choices": [{"channel": "fax", "topic": "newsletter", "opted_in": True}]},
        content_type="application/json",
        **auth,
    )
    assert unknown.status_code == 400
    assert not CommunicationConsent.objects.exists()
