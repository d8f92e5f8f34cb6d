"""Deletion requests (privacy.services.deletion_requests): nothing destructive before confirmation;
the link goes to the address on file only, once, for 7 days; no account enumeration; the DPO's
override is recorded; files and mail give one request per message."""

import re
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import User
from consents.models import ProcessingRestriction
from meters.models import Meter
from privacy.models import DeletionRequest
from privacy.services.deletion_mail import deletion_mail_parse
from privacy.services.deletion_requests import (
    DeletionRequestRefused,
    deletion_request_create,
    deletion_request_execute,
    deletion_request_from_mail,
    deletion_request_override,
    due_date,
)
from tests.factories import MeterFactory, UserFactory

pytestmark = pytest.mark.django_db


def raw_mail(
    sender: str, body: str = "Verwijder al mijn gegevens definitief.", *, message_id="<r1@x.be>", extra=""
):
    return (
        f"From: {sender}\r\nTo: ilusmart@ilumen.be\r\nSubject: Wissen\r\nMessage-ID: {message_id}\r\n{extra}\r\n{body}\r\n"
    ).encode()


def link_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/privacy/verzoek/[^\s]+/)", message.body).group(1)


def from_mail(raw: bytes, capture) -> DeletionRequest:
    with capture(execute=True):
        return deletion_request_from_mail(parsed=deletion_mail_parse(raw))


def test_due_in_one_month_even_at_a_month_end():
    assert due_date(date(2026, 1, 31)) == date(2026, 2, 28)
    assert due_date(date(2026, 12, 15)) == date(2027, 1, 15)


def test_a_forged_sender_without_confirmation_erases_nothing(django_capture_on_commit_callbacks):
    victim = MeterFactory().owner
    request = from_mail(
        raw_mail(victim.email.upper(), extra="Reply-To: aanvaller@elders.be\r\n"),
        django_capture_on_commit_callbacks,
    )
    assert request.user == victim and request.status == "awaiting"
    assert [m.to for m in mail.outbox] == [[victim.email]]  # the address on file, never the Reply-To
    with pytest.raises(DeletionRequestRefused):
        deletion_request_execute(request=request, by=None)
    assert User.objects.filter(pk=victim.pk).exists() and Meter.objects.filter(owner=victim).exists()


def test_the_link_confirms_once_and_the_request_is_executed(client, django_capture_on_commit_callbacks):
    owner = MeterFactory().owner
    request = from_mail(raw_mail(owner.email), django_capture_on_commit_callbacks)
    path = link_path(mail.outbox[0])

    page = client.get(path)  # a GET (a mail scanner) changes nothing
    assert page.status_code == 200 and "Ja, ik bevestig" in page.content.decode()
    request.refresh_from_db()
    assert request.status == "awaiting"

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(path)
    assert done.status_code == 200 and "uitgevoerd" in done.content.decode()
    request.refresh_from_db()
    assert request.status == "executed" and request.confirmed_how == "link" and request.receipt is not None
    assert not User.objects.filter(pk=owner.pk).exists()
    assert request.sender_email == "" and request.raw_message in (b"", memoryview(b""))
    assert mail.outbox[-1].to == [owner.email]  # the confirmation of the erasure

    again = client.post(path)
    assert again.status_code == 400 and "al gebruikt" in again.content.decode()


def test_an_expired_or_tampered_link_is_refused_with_a_clear_message(
    client, django_capture_on_commit_callbacks
):
    owner = UserFactory()
    request = from_mail(raw_mail(owner.email), django_capture_on_commit_callbacks)
    path = link_path(mail.outbox[0])

    tampered = client.post(path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:])
    assert tampered.status_code == 400 and "ongeldig" in tampered.content.decode()

    DeletionRequest.objects.filter(pk=request.pk).update(
        confirmation_sent_at=request.confirmation_sent_at - timedelta(days=7, seconds=1)
    )
    expired = client.post(path)
    assert expired.status_code == 400 and "verlopen" in expired.content.decode()
    assert User.objects.filter(pk=owner.pk).exists()


def test_an_unknown_sender_gets_the_same_answer(django_capture_on_commit_callbacks):
    owner = UserFactory(email="gekend@voorbeeld.be")
    from_mail(raw_mail(owner.email, message_id="<a@x>"), django_capture_on_commit_callbacks)
    from_mail(raw_mail("onbekend@voorbeeld.be", message_id="<b@x>"), django_capture_on_commit_callbacks)
    known, unknown = mail.outbox
    assert (known.to, unknown.to) == ([owner.email], ["onbekend@voorbeeld.be"])
    assert known.subject == unknown.subject
    assert re.sub(r"http\S+", "LINK", known.body) == re.sub(r"http\S+", "LINK", unknown.body)


def test_a_request_while_logged_in_counts_as_confirmed(django_capture_on_commit_callbacks):
    owner = MeterFactory().owner
    with django_capture_on_commit_callbacks(execute=True):
        request = deletion_request_create(
            email="", what={"personal", "meter"}, permanent=False, source="mydata", user=owner
        )
    assert request.status == "executed" and request.confirmed_how == "logged_in"
    assert ProcessingRestriction.objects.filter(user=owner, lifted_at__isnull=True).exists()
    assert User.objects.filter(pk=owner.pk).exists()  # temporary: a pause, nothing deleted


def test_the_dpo_overrides_only_with_a_written_reason(django_capture_on_commit_callbacks, staff_user):
    owner = UserFactory()
    dpo = staff_user("dpo")
    request = from_mail(raw_mail(owner.email), django_capture_on_commit_callbacks)
    with pytest.raises(DeletionRequestRefused):
        deletion_request_override(request=request, by=dpo, reason="  ")
    deletion_request_override(request=request, by=dpo, reason="Identiteit gecontroleerd aan de telefoon")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = deletion_request_execute(request=request, by=dpo)
    request.refresh_from_db()
    assert (request.confirmed_how, request.override_reason) == (
        "override",
        "Identiteit gecontroleerd aan de telefoon",
    )
    assert outcome.receipt.executed_by == dpo and outcome.receipt.reason == request.override_reason
    assert not User.objects.filter(pk=owner.pk).exists()


def test_dpo_import_mail_makes_one_request_per_message_and_refuses_clearly(tmp_path):
    good = tmp_path / "verzoek.eml"
    good.write_bytes(raw_mail("iemand@voorbeeld.be"))
    bad = tmp_path / "kapot.eml"
    bad.write_bytes(b"\x00\xff geen mail")
    out, err = StringIO(), StringIO()
    call_command(
        "dpo_import_mail", str(good), str(good), str(bad), str(tmp_path / "weg.eml"), stdout=out, stderr=err
    )
    assert DeletionRequest.objects.count() == 1
    assert out.getvalue().count("request") == 2
    assert "kapot.eml: refused" in err.getvalue() and "weg.eml: cannot read" in err.getvalue()
