"""Policy documents in the admin (privacy/admin.py): the DPO drafts and publishes, a published
version is read-only and undeletable for everyone, support only reads. Who may open which page
is the matrix of tests/test_admin_permissions.py; this file follows the work itself."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from privacy.models import PolicyDocument
from privacy.selectors import policy_current

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_role(staff_user, admin_login):
    def make(role):
        user = staff_user(role)
        return admin_login(Client(), user), user

    return make


def _draft(**fields):
    return PolicyDocument.objects.create(
        **{
            "kind": "cookies",
            "language": "nl",
            "title": "Cookiebeleid",
            "body": "Tabel:\n\n[[cookies]]",
            **fields,
        }
    )


def test_the_dpo_drafts_previews_and_publishes(as_role):
    client, dpo = as_role("dpo")
    before = policy_current(kind="cookies", language="nl")
    add = client.post(
        reverse("admin:privacy_policydocument_add"),
        {"kind": "cookies", "language": "nl", "title": "Cookiebeleid 2", "body": "## Nieuw\n\n[[cookies]]"},
    )
    assert add.status_code == 302
    draft = PolicyDocument.objects.get(title="Cookiebeleid 2")
    assert draft.status == "draft" and draft.version is None

    page = client.get(reverse("admin:privacy_policydocument_change", args=[draft.pk]))
    assert "<h2>Nieuw</h2>" in page.text  # the preview, as visitors will read it
    publish = reverse("admin:privacy_policydocument_publish", args=[draft.pk])
    assert f'href="{publish}"' in page.text

    confirm = client.get(publish)
    assert confirm.status_code == 200 and "niet meer wijzigen of verwijderen" in confirm.text
    done = client.post(publish)
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published and draft.version == before.version + 1 and draft.published_by == dpo
    assert policy_current(kind="cookies", language="nl") == draft
    assert "[[cookies]]" not in draft.body and "| sessionid |" in draft.body


def test_a_published_version_is_read_only_and_stays(as_role):
    client, _dpo = as_role("superuser")
    published = policy_current(kind="privacy", language="nl")
    body = published.body
    change = reverse("admin:privacy_policydocument_change", args=[published.pk])

    page = client.get(change)
    assert page.status_code == 200 and 'name="body"' not in page.text  # shown, not editable
    assert client.post(change, {"title": "Anders", "body": "Anders"}).status_code == 403
    assert client.get(reverse("admin:privacy_policydocument_delete", args=[published.pk])).status_code == 403
    assert (
        client.post(
            reverse("admin:privacy_policydocument_delete", args=[published.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    client.post(
        reverse("admin:privacy_policydocument_changelist"),
        {"action": "delete_selected", "_selected_action": [published.pk], "post": "yes"},
    )
    # Publishing it again is refused; the page says so instead of failing.
    assert (
        client.post(reverse("admin:privacy_policydocument_publish", args=[published.pk])).status_code == 409
    )
    published.refresh_from_db()
    assert published.body == body and published.is_published


def test_a_new_version_starts_as_a_draft_copy(as_role):
    client, _dpo = as_role("dpo")
    published = policy_current(kind="privacy", language="en")
    url = reverse("admin:privacy_policydocument_new_version", args=[published.pk])
    assert client.get(url).status_code == 200
    response = client.post(url)
    draft = PolicyDocument.objects.filter(status="draft").latest("pk")
    assert response["Location"] == reverse("admin:privacy_policydocument_change", args=[draft.pk])
    assert (draft.kind, draft.language, draft.body) == ("privacy", "en", published.body)


def test_support_reads_and_cannot_publish(as_role):
    client, _support = as_role("support")
    draft = _draft()
    page = client.get(reverse("admin:privacy_policydocument_change", args=[draft.pk]))
    assert page.status_code == 200
    assert reverse("admin:privacy_policydocument_publish", args=[draft.pk]) not in page.text
    assert client.post(reverse("admin:privacy_policydocument_publish", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"
