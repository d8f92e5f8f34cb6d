"""Mijn gegevens (privacy/views_my_data.py, privacy/selectors/my_data.py): see it all, pause, resume."""

import pytest
from django.urls import reverse

from consents.selectors.restriction import processing_restricted
from consents.services.restriction import restriction_start
from tests.factories import MeterFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def test_the_page_shows_everything_held_about_the_person_and_where_to_correct_it(
    client, person_with_everything
):
    user, meter = person_with_everything["user"], person_with_everything["meter"]
    client.force_login(user)
    page = client.get(reverse("privacy:my_data"))
    assert page.status_code == 200
    text = page.text
    profile = user.profile
    for shown in (
        user.email,
        profile.first_name,
        profile.last_name,
        profile.street,
        profile.municipality,
        meter.ean,
        "1SAG1100042",
        "SMA",
        "SN-77",
        "Zon &amp; Co",
        "uitvoering van de overeenkomst",
    ):
        assert shown in text, shown
    for link in ("accounts:profile", "accounts:email_change", "meters:list", "privacy:my_data_pause"):
        assert f'href="{reverse(link)}' in text, link
    assert "van 1 juni 2025 tot 1 juni 2025" in text  # their days only, not the previous occupant's


def test_the_page_shows_nobody_elses_data(client, person_with_everything):
    other = ProfileFactory().user
    client.force_login(other)
    text = client.get(reverse("privacy:my_data")).text
    assert person_with_everything["meter"].ean not in text
    assert person_with_everything["user"].email not in text
    assert "Zon &amp; Co" not in text


def test_the_page_needs_a_login(client):
    response = client.get(reverse("privacy:my_data"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_page_in_english(client):
    user = ProfileFactory().user
    client.force_login(user)
    text = client.get(reverse("privacy:my_data"), headers={"accept-language": "en"}).text
    assert "My details" in text and "Download everything" in text


def test_the_homeowner_pauses_after_a_confirmation_sees_it_everywhere_and_resumes(client):
    user = ProfileFactory().user
    meter = MeterFactory(owner=user)
    client.force_login(user)

    confirm = client.get(reverse("privacy:my_data_pause"))
    assert confirm.status_code == 200 and "Verwerking pauzeren?" in confirm.text
    assert not processing_restricted(user=user)  # a GET changes nothing

    response = client.post(reverse("privacy:my_data_pause"), {"reason": "Ik verhuis"})
    assert response.status_code == 302
    assert processing_restricted(user=user)
    pause = user.processing_restrictions.get()
    assert (pause.source, pause.started_by, pause.reason) == ("homeowner", user, "Ik verhuis")

    for url in (
        reverse("home"),
        reverse("meters:list"),
        reverse("meters:export", args=[meter.pk]),
        reverse("privacy:my_data"),
    ):
        page = client.get(url)
        assert 'data-testid="pause-banner"' in page.text, url

    assert "Verwerking hervatten?" in client.get(reverse("privacy:my_data_resume")).text
    assert processing_restricted(user=user)
    assert client.post(reverse("privacy:my_data_resume")).status_code == 302
    assert not processing_restricted(user=user)
    pause.refresh_from_db()
    assert pause.lifted_by == user and pause.lifted_at is not None
    assert 'data-testid="pause-banner"' not in client.get(reverse("home")).text


def test_a_too_long_reason_is_refused_with_a_message(client):
    user = ProfileFactory().user
    client.force_login(user)
    response = client.post(reverse("privacy:my_data_pause"), {"reason": "x" * 501})
    assert response.status_code == 400
    assert not processing_restricted(user=user)


def test_a_pause_by_staff_shows_too_and_the_homeowner_may_resume_it(client, staff_user):
    user = ProfileFactory().user
    restriction_start(user=user, source="dpo", by=staff_user("dpo"), reason="klacht")
    client.force_login(user)
    page = client.get(reverse("privacy:my_data"))
    assert 'data-testid="pause-banner"' in page.text
    assert "functionaris voor gegevensbescherming" in page.text
    client.post(reverse("privacy:my_data_resume"))
    assert not processing_restricted(user=user)


def test_the_page_shows_the_communication_choices_and_links_to_change_them(client):
    from consents.services.communications import communication_choose

    user = ProfileFactory().user
    communication_choose(user=user, channel="email", topic="newsletter", opted_in=True, source="page")
    client.force_login(user)
    text = client.get(reverse("privacy:my_data")).text
    assert "Nieuwsbrieven per e-mail: <strong>ja</strong>" in text
    assert "Enquêtes per post: <strong>nee</strong>" in text
    assert f'href="{reverse("consents:communications")}"' in text
    assert f'href="{reverse("privacy:cookie_settings")}"' in text
