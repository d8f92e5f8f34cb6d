"""The policy pages /privacy/ and /cookies/ (privacy/views.py), their first versions (migration
0003) and the links to them in every footer and on the sign-up page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime

from privacy.cookies import cookie_table
from privacy.models import PolicyDocument
from privacy.selectors import policy_current
from privacy.services.policies import policy_draft_save, policy_publish
from tests.factories import MeterFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = {"privacy:statement": PolicyDocument.Kind.PRIVACY, "privacy:cookies": PolicyDocument.Kind.COOKIES}


def _in_words(moment, language="nl-be"):
    with translation.override(language):
        return date_format(localtime(moment), "j F Y")


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


@pytest.mark.parametrize("name", PAGES)
def test_the_current_version_in_dutch_with_its_date(client, name):
    document = policy_current(kind=PAGES[name], language="nl")
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert response["Content-Language"] == "nl-be"
    text = _text(response)
    assert document.title in text
    assert f"Laatst gewijzigd op {_in_words(document.published_at)} (versie {document.version})." in text
    assert "Er zijn nog geen eerdere versies" in text


@pytest.mark.parametrize("name", PAGES)
def test_in_english_with_the_language_switch(client, name):
    client.post(reverse("set_language"), {"language": "en", "next": reverse(name)})
    document = policy_current(kind=PAGES[name], language="en")
    response = client.get(reverse(name))
    assert response["Content-Language"] == "en"
    text = _text(response)
    assert document.language == "en" and document.title in text
    assert f"Last changed on {_in_words(document.published_at, 'en')} (version {document.version})." in text


def test_earlier_versions_stay_readable(client):
    first = policy_current(kind="privacy", language="nl")
    draft = policy_draft_save(
        document=PolicyDocument(kind="privacy", language="nl"),
        title="Privacyverklaring (nieuw)",
        body="Nieuwe tekst.",
    )
    second = policy_publish(document=draft, user=UserFactory(is_staff=True))

    current = client.get(reverse("privacy:statement"))
    assert "Privacyverklaring (nieuw)" in _text(current)
    assert f'href="?versie={first.version}"' in current.text
    assert f'href="?versie={second.version}"' not in current.text  # the current one is not "earlier"

    old = client.get(reverse("privacy:statement"), {"versie": first.version})
    text = _text(old)
    assert old.status_code == 200 and first.title in text
    assert (
        f"Dit is een eerdere versie (versie {first.version}, gepubliceerd op {_in_words(first.published_at)})"
        in text
    )
    assert f'href="{reverse("privacy:statement")}"' in old.text

    for wrong in ("99", "abc", "-1", ""):
        assert client.get(reverse("privacy:statement"), {"versie": wrong}).status_code == 404


def test_a_draft_is_never_shown(client):
    draft = policy_draft_save(
        document=PolicyDocument(kind="cookies", language="nl"), title="Geheim ontwerp", body="Nog niet klaar."
    )
    assert "Geheim ontwerp" not in client.get(reverse("privacy:cookies")).text
    assert client.get(reverse("privacy:cookies"), {"versie": str(draft.pk)}).status_code == 404


def test_the_first_versions_keep_the_promises_of_2021(client):
    """Every commitment of iLumen's statement of 22 October 2021, in both languages."""
    promises = {
        "nl": [
            "logbestanden",
            "IP-adres",
            "geen analyses van IP-adressen",
            "opdrachtgevers",
            "ook voor commerciële doeleinden",
            "zusterondernemingen, klanten en onderaannemers",
            "op te vragen en te laten wijzigen",
            "tijdelijk of definitief laten verwijderen",
            "mailto:ilusmart@ilumen.be",
            "onmiddellijk",
            "In elke communicatie van iLumen krijg je duidelijk de mogelijkheid om ze stop te zetten",
            "Links naar andere sites",
            "naam en voornaam",
            "postadres",
            "telefoonnummer",
            "Mijn Fluvius",
        ],
        "en": [
            "log files",
            "IP address",
            "do not analyse IP addresses",
            "opdrachtgevers",
            "also for commercial purposes",
            "sister companies, customers and subcontractors",
            "to have it changed",
            "temporarily or for good",
            "mailto:ilusmart@ilumen.be",
            "immediately",
            "Every communication from iLumen clearly offers you the possibility to stop them",
            "Links to other sites",
            "first and last name",
            "postal address",
            "phone number",
            "Mijn Fluvius",
        ],
    }
    for language, phrases in promises.items():
        body = policy_current(kind="privacy", language=language).body
        for phrase in phrases:
            assert phrase.lower() in body.lower(), (language, phrase)
    # What the portal really stores, named in the statement.
    body = policy_current(kind="privacy", language="nl").body
    for stored in ("EAN", "mandaat", "per kwartier", "mislukte aanmeldpogingen", "Inzages", "cookie"):
        assert stored in body, stored


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_published_cookie_table_is_the_registry(language):
    """The cookie policy in force lists exactly the cookies of privacy/cookies.py, as they are
    described now. A cookie added to (or changed in) the registry fails here until a new version
    of the cookie policy is published (a data migration, as 0003_first_policies)."""
    body = policy_current(kind="cookies", language=language).body
    with translation.override(language):
        table = cookie_table()
    assert table in body, f"publish a new cookie policy ({language}); the registry's table is now:\n{table}"


@pytest.mark.parametrize(
    "url_name",
    ["accounts:login", "accounts:sign_up", "accounts:password_reset", "privacy:statement", "privacy:cookies"],
)
def test_every_footer_links_to_both_policies(client, url_name):
    response = client.get(reverse(url_name))
    assert f'href="{reverse("privacy:statement")}"' in response.text
    assert f'href="{reverse("privacy:cookies")}"' in response.text


def test_the_footer_of_logged_in_pages_and_of_an_error_page(client):
    user = ProfileFactory().user
    MeterFactory(owner=user)
    client.force_login(user)
    for url in (reverse("home"), reverse("accounts:profile"), reverse("meters:list"), "/bestaat-niet/"):
        response = client.get(url)
        assert f'href="{reverse("privacy:cookies")}"' in response.text, url
        assert f'href="{reverse("privacy:statement")}"' in response.text, url


def test_the_sign_up_page_says_where_to_read_them_before_the_button(client):
    html = client.get(reverse("accounts:sign_up")).text
    main = html[html.index("<main") :]
    form = main[main.index("<form") : main.index("</form>")]
    assert form.index(f'href="{reverse("privacy:statement")}"') < form.index('type="submit"')
    assert f'href="{reverse("privacy:cookies")}"' in form
