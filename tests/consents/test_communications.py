"""Communication choices (consents/services/communications.py, selectors/communications.py, views).

Opt-in per channel and topic with its history; the Communicatie page; the unsubscribe link of
every message: GET asks, POST (a mail program's RFC 8058 one-click: no cookie, no CSRF token)
unsubscribes at once, an altered token gets 400. Sending campaigns: tests/privacy/test_campaigns.py.
"""

import pytest
from django.test import Client
from django.urls import reverse

from consents.models import CommunicationConsent
from consents.selectors.communications import (
    UnsubscribeLinkInvalid,
    communication_audience,
    communication_choices,
    communication_opted_in,
    unsubscribe_token_make,
    unsubscribe_token_read,
    unsubscribe_url,
)
from consents.services.communications import (
    CommunicationChoiceRefused,
    communication_choices_save,
    communication_choose,
    communication_unsubscribe,
)
from consents.services.restriction import restriction_lift, restriction_start
from ilusmart.errors import http_status
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

Source = CommunicationConsent.Source
EMAIL, POST = "email", "post"


def _opt_in(user, channel=EMAIL, topic="newsletter", source=Source.PAGE):
    return communication_choose(user=user, channel=channel, topic=topic, opted_in=True, source=source)


def test_nobody_is_opted_in_until_they_say_so_and_every_change_is_a_row_with_source_and_time():
    person = UserFactory()
    choices = communication_choices(user=person)
    assert len(choices) == 6 and not any(c.opted_in for c in choices)
    assert (
        communication_choose(user=person, channel=EMAIL, topic="survey", opted_in=False, source="page")
        is None
    )

    first = _opt_in(person, topic="survey", source=Source.SIGN_UP)
    assert _opt_in(person, topic="survey") is None  # already yes: nothing written
    assert communication_opted_in(user=person, channel=EMAIL, topic="survey")
    assert not communication_opted_in(user=person, channel=POST, topic="survey")  # per channel
    assert not communication_opted_in(user=person, channel=EMAIL, topic="newsletter")  # per topic

    out = communication_choose(user=person, channel=EMAIL, topic="survey", opted_in=False, source=Source.API)
    assert not communication_opted_in(user=person, channel=EMAIL, topic="survey")
    rows = list(CommunicationConsent.objects.filter(user=person).order_by("at", "pk"))
    assert [(r.opted_in, r.source) for r in rows] == [(True, "sign_up"), (False, "api")]
    assert rows[0].pk == first.pk and rows[1].pk == out.pk and rows[0].at <= rows[1].at
    survey = next(c for c in communication_choices(user=person) if (c.channel, c.topic) == (EMAIL, "survey"))
    assert (survey.opted_in, survey.source, survey.at) == (False, "api", out.at)


@pytest.mark.parametrize(
    "fields", [{"channel": "sms"}, {"topic": "spam"}, {"source": "guess"}], ids=["channel", "topic", "source"]
)
def test_an_unknown_channel_topic_or_source_is_refused(fields):
    person = UserFactory()
    kwargs = {"channel": EMAIL, "topic": "newsletter", "opted_in": True, "source": "page", **fields}
    with pytest.raises(CommunicationChoiceRefused) as refused:
        communication_choose(user=person, **kwargs)
    assert http_status(refused.value) == 400
    assert not CommunicationConsent.objects.exists()


def test_the_audience_is_opted_in_active_confirmed_not_staff_and_not_paused():
    yes = ProfileFactory().user
    _opt_in(yes)
    _opt_in(yes, channel=POST)
    said_no = UserFactory()
    _opt_in(said_no)
    communication_choose(user=said_no, channel=EMAIL, topic="newsletter", opted_in=False, source="page")
    unconfirmed = UserFactory(email_verified_at=None)
    _opt_in(unconfirmed)
    inactive = UserFactory(is_active=False)
    _opt_in(inactive)
    staff = UserFactory(is_staff=True)
    _opt_in(staff)
    other_topic = UserFactory()
    _opt_in(other_topic, topic="survey")
    no_address = UserFactory()  # no profile: no postal address
    _opt_in(no_address, channel=POST)
    paused = UserFactory()
    _opt_in(paused)
    restriction_start(user=paused, source="homeowner", by=paused)

    assert list(communication_audience(channel=EMAIL, topic="newsletter")) == [yes]
    assert list(communication_audience(channel=POST, topic="newsletter")) == [yes]

    restriction_lift(user=paused, by=paused)
    assert set(communication_audience(channel=EMAIL, topic="newsletter")) == {yes, paused}


def test_the_page_shows_unticked_boxes_and_records_what_the_person_ticks(client):
    person = ProfileFactory().user
    client.force_login(person)
    url = reverse("consents:communications")
    page = client.get(url)
    assert page.status_code == 200
    html = page.text
    for name in ("email_newsletter", "email_survey", "email_information", "post_newsletter"):
        assert f'name="{name}"' in html
    assert "checked" not in html  # no pre-ticked boxes

    response = client.post(url, {"email_newsletter": "on", "post_survey": "on"})
    assert response.status_code == 302
    assert communication_opted_in(user=person, channel=EMAIL, topic="newsletter")
    assert communication_opted_in(user=person, channel=POST, topic="survey")
    assert not communication_opted_in(user=person, channel=EMAIL, topic="survey")
    assert set(CommunicationConsent.objects.filter(user=person).values_list("source", flat=True)) == {"page"}
    again = client.get(url).text
    assert again.count("checked") == 2
    assert again.count("(pagina Communicatie)") == 2

    client.post(url, {"post_survey": "on"})  # untick the newsletter
    assert not communication_opted_in(user=person, channel=EMAIL, topic="newsletter")
    assert CommunicationConsent.objects.filter(user=person).count() == 3


def test_the_page_needs_a_login_and_says_when_processing_is_paused(client):
    url = reverse("consents:communications")
    assert client.get(url).status_code == 302
    person = UserFactory()
    restriction_start(user=person, source="homeowner", by=person)
    client.force_login(person)
    assert "gepauzeerd" in client.get(url).text


def test_communication_choices_save_writes_only_the_changes():
    person = UserFactory()
    _opt_in(person)
    rows = communication_choices_save(
        user=person, choices={(EMAIL, "newsletter"): True, (POST, "information"): True}, source=Source.API
    )
    assert [(r.channel, r.topic) for r in rows] == [(POST, "information")]


# --- the unsubscribe link ----------------------------------------------------------------------


def _csrf_client():
    """A mail program: no cookies, no CSRF token, and Django checking CSRF as in production."""
    return Client(enforce_csrf_checks=True)


def test_one_click_post_without_cookie_or_csrf_token_unsubscribes_at_once():
    person = UserFactory()
    _opt_in(person)
    _opt_in(person, topic="survey")
    url = unsubscribe_url(user=person, channel=EMAIL, topic="newsletter")
    assert url.startswith("http") and "/communicatie/afmelden/" in url
    path = url.split("://", 1)[1].split("/", 1)[1]

    client = _csrf_client()
    response = client.post("/" + path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "Je bent afgemeld" in response.text
    assert not client.cookies.get("sessionid")
    assert not communication_opted_in(user=person, channel=EMAIL, topic="newsletter")
    assert communication_opted_in(user=person, channel=EMAIL, topic="survey")  # only that list
    last = CommunicationConsent.objects.filter(user=person).first()
    assert (last.topic, last.opted_in, last.source) == ("newsletter", False, "one_click")

    # A second click changes nothing and still answers kindly.
    assert client.post("/" + path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert CommunicationConsent.objects.filter(user=person, source="one_click").count() == 1


def test_get_only_asks_and_the_button_unsubscribes_with_source_unsubscribe_link():
    person = UserFactory()
    _opt_in(person, channel=EMAIL, topic="information")
    token = unsubscribe_token_make(user=person, channel=EMAIL, topic="information")
    url = reverse("consents:unsubscribe", args=[token])
    client = _csrf_client()
    page = client.get(url)
    assert page.status_code == 200
    assert "Ja, meld me af" in page.text and 'method="post"' in page.text
    assert communication_opted_in(user=person, channel=EMAIL, topic="information")  # GET did nothing

    assert client.post(url, {}).status_code == 200  # the page's button: no CSRF token either
    assert not communication_opted_in(user=person, channel=EMAIL, topic="information")
    assert CommunicationConsent.objects.filter(user=person).first().source == "unsubscribe_link"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_token_gets_400_with_a_clear_page(method):
    person, other = UserFactory(), UserFactory()
    _opt_in(person)
    _opt_in(other)
    token = unsubscribe_token_make(user=person, channel=EMAIL, topic="newsletter")
    payload, signature = token.rsplit(":", 1)
    forged_payload = unsubscribe_token_make(user=other, channel=EMAIL, topic="newsletter").rsplit(":", 1)[0]
    for bad in (payload + ":" + signature[:-2] + "xx", forged_payload + ":" + signature, "zomaar-iets"):
        response = getattr(_csrf_client(), method)(
            reverse("consents:unsubscribe", args=[bad]), {"List-Unsubscribe": "One-Click"}
        )
        assert response.status_code == 400, bad
        assert "Ongeldige afmeldlink" in response.text
    assert communication_opted_in(user=person, channel=EMAIL, topic="newsletter")
    assert communication_opted_in(user=other, channel=EMAIL, topic="newsletter")
    with pytest.raises(UnsubscribeLinkInvalid):
        unsubscribe_token_read(token=forged_payload + ":" + signature)


def test_a_link_of_a_deleted_account_is_refused_clearly():
    person = UserFactory()
    token = unsubscribe_token_make(user=person, channel=EMAIL, topic="newsletter")
    person.delete()
    with pytest.raises(UnsubscribeLinkInvalid) as refused:
        communication_unsubscribe(token=token, one_click=True)
    assert refused.value.code == "unsubscribe_account_gone"
