"""The DPO's queue in admin (privacy.admin.DeletionRequestAdmin): open requests by due date with the
matched account and the counts of what would be erased; execute, reject with a reason, ask for
clarification (mailed), confirm without the link with a written reason."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from privacy.models import DeletionRequest
from tests.factories import MeterFactory, UserFactory
from tests.privacy.conftest import reading_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def dpo_client(client, staff_user, admin_login):
    dpo = staff_user("dpo")
    admin_login(client, dpo)
    client.dpo = dpo
    return client


def a_request(user, **fields) -> DeletionRequest:
    values = {
        "due_on": date(2026, 12, 30),
        "source": "mail",
        "sender_email": user.email,
        "sender_hash": "x" * 64,
        "user": user,
        "what_personal": True,
        "what_meter": True,
        "mode": "permanent",
        "body_text": "Wis alles a.u.b.",
        "raw_message": b"From: x\r\n\r\nWis alles a.u.b.",
        **fields,
    }
    return DeletionRequest.objects.create(**values)


def test_the_queue_lists_open_requests_by_due_date_with_account_and_counts(dpo_client):
    meter = MeterFactory()
    reading_day(meter)
    late = a_request(meter.owner, due_on=date(2026, 12, 31))
    early = a_request(UserFactory(), due_on=date(2026, 12, 20))
    a_request(UserFactory(), status="executed")
    page = dpo_client.get(reverse("admin:privacy_deletionrequest_changelist")).content.decode()
    assert page.index(f"#{early.pk} ") < page.index(f"#{late.pk} ")
    assert page.count("<tr") - 1 == 2  # the executed one is not open
    assert "meetgegevens: 1" in page and meter.owner.email in page

    detail = dpo_client.get(reverse("admin:privacy_deletionrequest_change", args=[late.pk])).content.decode()
    assert "meters.readingday" in detail and "Wis alles a.u.b." in detail  # counts and the raw message


def test_execute_needs_a_confirmation_then_erases(dpo_client, django_capture_on_commit_callbacks):
    owner = MeterFactory().owner
    request = a_request(owner)
    execute = reverse("admin:privacy_deletionrequest_execute", args=[request.pk])
    refused = dpo_client.post(execute)
    assert refused.status_code == 409 and "nog niet bevestigd" in refused.content.decode()
    assert User.objects.filter(pk=owner.pk).exists()

    override = reverse("admin:privacy_deletionrequest_override", args=[request.pk])
    assert dpo_client.post(override, {"text": ""}).status_code == 409
    assert dpo_client.post(override, {"text": "Identiteitskaart gezien aan de balie"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert dpo_client.post(execute).status_code == 302
    request.refresh_from_db()
    assert request.status == "executed" and request.receipt.executed_by == dpo_client.dpo
    assert request.override_reason == "Identiteitskaart gezien aan de balie"
    assert not User.objects.filter(pk=owner.pk).exists()


def test_reject_and_clarify_mail_the_account_address(dpo_client, django_capture_on_commit_callbacks):
    owner = UserFactory()
    request = a_request(owner, sender_email="Andere.Schrijfwijze@example.be")
    with django_capture_on_commit_callbacks(execute=True):
        dpo_client.post(
            reverse("admin:privacy_deletionrequest_clarify", args=[request.pk]),
            {"text": "Alles of enkel meetgegevens?"},
        )
    request.refresh_from_db()
    assert request.status == "clarify" and mail.outbox[-1].to == [owner.email]
    assert "Alles of enkel meetgegevens?" in mail.outbox[-1].body

    with django_capture_on_commit_callbacks(execute=True):
        assert (
            dpo_client.post(
                reverse("admin:privacy_deletionrequest_reject", args=[request.pk]), {"text": ""}
            ).status_code
            == 409
        )
        dpo_client.post(
            reverse("admin:privacy_deletionrequest_reject", args=[request.pk]),
            {"text": "Geen antwoord gekregen"},
        )
    request.refresh_from_db()
    assert (request.status, request.rejection_reason) == ("rejected", "Geen antwoord gekregen")
    assert "Geen antwoord gekregen" in mail.outbox[-1].body and User.objects.filter(pk=owner.pk).exists()
