"""Policy documents: drafts, publication as numbered versions, and published versions kept final
(privacy/services/policies.py, privacy/selectors.py, privacy/rendering.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction

from ilusmart import clock, errors
from privacy.cookies import portal_cookies
from privacy.models import PolicyDocument
from privacy.rendering import policy_html
from privacy.selectors import policy_current, policy_language, policy_versions
from privacy.services.policies import PolicyRefused, policy_draft_from, policy_draft_save, policy_publish
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PRIVACY, COOKIES = PolicyDocument.Kind.PRIVACY, PolicyDocument.Kind.COOKIES
NL, EN = PolicyDocument.Language.NL, PolicyDocument.Language.EN


def draft(kind=PRIVACY, language=NL, title="Privacyverklaring", body="## Wie zijn wij\n\niLumen."):
    return policy_draft_save(document=PolicyDocument(kind=kind, language=language), title=title, body=body)


@pytest.fixture
def dpo():
    return UserFactory(is_staff=True)


def test_publishing_numbers_the_versions_per_kind_and_language(dpo, settings):
    settings.CLOCK_SHIFT = timedelta(days=40)
    start = PolicyDocument.objects.filter(kind=PRIVACY, language=NL, status="published").count()
    first = policy_publish(document=draft(), user=dpo)
    second = policy_publish(document=draft(body="Nieuwe tekst."), user=dpo)
    english = policy_publish(document=draft(language=EN, title="Privacy statement"), user=dpo)

    assert (first.version, second.version) == (start + 1, start + 2)
    assert (
        english.version
        == PolicyDocument.objects.filter(kind=PRIVACY, language=EN, status="published").count()
    )
    assert second.is_published and second.published_by == dpo
    # The project clock, not the wall clock: a moved clock moves the date shown to visitors.
    assert abs(second.published_at - clock.now()) < timedelta(minutes=5)
    assert policy_current(kind=PRIVACY, language=NL) == second
    assert list(policy_versions(kind=PRIVACY, language=NL))[:2] == [second, first]


def test_a_published_version_is_not_published_twice_nor_edited(dpo):
    published = policy_publish(document=draft(), user=dpo)
    with pytest.raises(PolicyRefused) as refused:
        policy_publish(document=published, user=dpo)
    assert refused.value.kind == errors.CONFLICT
    with pytest.raises(PolicyRefused) as refused:
        policy_draft_save(document=published, title="Anders", body="Anders")
    assert refused.value.code == "policy_published"
    published.refresh_from_db()
    assert published.title == "Privacyverklaring"


def test_an_empty_text_is_not_published(dpo):
    empty = PolicyDocument.objects.create(kind=PRIVACY, language=NL, title="Leeg", body="  ")
    with pytest.raises(PolicyRefused) as refused:
        policy_publish(document=empty, user=dpo)
    assert refused.value.code == "policy_empty"
    empty.refresh_from_db()
    assert empty.status == PolicyDocument.Status.DRAFT and empty.version is None


def test_the_database_refuses_to_change_or_delete_a_published_version(dpo):
    published = policy_publish(document=draft(), user=dpo)
    for attempt in (
        lambda: PolicyDocument.objects.filter(pk=published.pk).update(body="stilletjes anders"),
        lambda: PolicyDocument.objects.filter(pk=published.pk).update(
            status="draft", version=None, published_at=None
        ),
        lambda: PolicyDocument.objects.filter(pk=published.pk).update(published_by=UserFactory()),
        lambda: PolicyDocument.objects.filter(pk=published.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    published.refresh_from_db()
    assert published.body == "## Wie zijn wij\n\niLumen." and published.is_published


def test_drafts_may_change_and_go(dpo):
    document = draft()
    policy_draft_save(document=document, title="Nieuw", body="Andere tekst.")
    document.refresh_from_db()
    assert document.title == "Nieuw"
    document.delete()
    assert not PolicyDocument.objects.filter(pk=document.pk).exists()


def test_the_publisher_can_leave_the_version_stays(dpo):
    """Erasing the staff member who published cuts the link (SET NULL), the version stays as it was."""
    published = policy_publish(document=draft(), user=dpo)
    dpo.delete()
    published.refresh_from_db()
    assert published.published_by is None and published.is_published


def test_a_new_draft_starts_from_a_published_version(dpo):
    published = policy_publish(document=draft(), user=dpo)
    copy = policy_draft_from(document=published)
    assert (copy.kind, copy.language, copy.title, copy.body) == (
        published.kind,
        published.language,
        published.title,
        published.body,
    )
    assert copy.status == PolicyDocument.Status.DRAFT and copy.version is None


def test_publishing_freezes_the_cookie_table_in_the_documents_language(dpo):
    nl = policy_publish(
        document=draft(kind=COOKIES, title="Cookiebeleid", body="Tabel:\n\n[[cookies]]"), user=dpo
    )
    en = policy_publish(
        document=draft(kind=COOKIES, language=EN, title="Cookie policy", body="Table:\n\n[[cookies]]"),
        user=dpo,
    )
    assert "[[cookies]]" not in nl.body and "[[cookies]]" not in en.body
    for cookie in portal_cookies():
        assert f"| {cookie.name} |" in nl.body and f"| {cookie.name} |" in en.body
    assert "| Naam | Waarvoor |" in nl.body
    assert "| Name | Purpose |" in en.body


def test_the_current_version_falls_back_to_dutch(dpo):
    """A language without a published version (a draft does not count) reads the Dutch one."""
    draft(language="fr", title="Déclaration de confidentialité")
    assert not policy_versions(kind=PRIVACY, language="fr").exists()
    assert policy_current(kind=PRIVACY, language="fr") == policy_current(kind=PRIVACY, language=NL)
    assert policy_current(kind=PRIVACY, language=EN).language == EN
    assert policy_language("nl-be") == NL and policy_language("en") == EN and policy_language(None) == NL


# --- the text format ----------------------------------------------------------------------------


def test_the_text_becomes_safe_html():
    html = policy_html(
        "## Titel <b>\n\nEen alinea\nover twee regels met **nadruk** en [mail](mailto:ilusmart@ilumen.be).\n\n"
        "- een\n- [twee](https://www.fluvius.be)\n\n"
        "| Naam | Waarvoor |\n|---|---|\n| sessionid | aangemeld |\n\n"
        "<script>alert(1)</script> [kwaad](javascript:alert(1)) [ook](//evil.example)"
    )
    assert "<h2>Titel &lt;b&gt;</h2>" in html
    assert "<p>Een alinea over twee regels met <strong>nadruk</strong> en" in html
    assert '<a href="mailto:ilusmart@ilumen.be">mail</a>' in html
    assert '<li><a href="https://www.fluvius.be" rel="noopener noreferrer">twee</a></li>' in html
    assert '<th scope="col" role="columnheader">Naam</th>' in html
    assert (
        '<td role="cell" data-label="Naam">sessionid</td><td role="cell" data-label="Waarvoor">aangemeld</td>'
        in html
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html and 'href="//evil' not in html
