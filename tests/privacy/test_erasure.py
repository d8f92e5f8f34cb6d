"""Erasing a person (privacy.services.erasure and each app's services/erasure.py; issue 10).

The canary: a person made through the real flows, every personal value carrying a unique
marker; a confirmed permanent erasure of both categories; then every column of every table,
every Redis key and value, the outbox after the confirmation mail and the log output are
searched for every marker: nothing may be found. Erasing again changes nothing.
"""

import logging
import re
import zipfile
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import AccessRecord, SuppressedAddress, User
from accounts.selectors import address_suppressed
from accounts.services.users import user_sign_up
from consents.models import Mandate
from ilusmart.erasure import email_hash
from meters.models import DailyTotal, Meter, ReadingDay
from privacy.models import ErasureReceipt
from privacy.services.deletion_mail import deletion_mail_parse
from privacy.services.deletion_requests import deletion_request_from_mail
from privacy.services.erasure import ErasureOutcome, erasure_preview, person_erase, services_cover_the_map
from tests.factories import DEFAULT_PASSWORD, MeterFactory
from tests.privacy.conftest import database_hits, reading_day, redis_hits, table_fingerprint

pytestmark = pytest.mark.django_db


def test_every_app_with_people_in_the_data_map_has_an_erasure_service():
    assert services_cover_the_map() == []


def test_the_canary_leaves_no_trace_anywhere(
    canary_person, client, ledger, caplog, django_capture_on_commit_callbacks
):
    canary = canary_person()
    user = canary.user
    # The canary is really there, everywhere we will look.
    assert database_hits(canary.needles)
    assert redis_hits(canary.needles)
    assert "privacy_pageview" in database_hits([canary.ip]) and redis_hits([canary.ip])  # logged and buffered
    [download] = canary.export_dir.iterdir()  # the ZIP of Mijn gegevens, waiting to be fetched
    with zipfile.ZipFile(download) as archive:
        assert canary.marker in archive.read("gegevens.json").decode()
    preview = erasure_preview(user=user, personal=True, meter=True)
    assert preview["meters.readingday"] > 0 and preview["accounts.profile"] == 1

    # They ask by mail (their name in it), and confirm with the link mailed to their address.
    raw = (
        f"From: Voor{canary.marker} <{canary.email}>\r\nTo: ilusmart@ilumen.be\r\nSubject: Wissen {canary.marker}\r\n"
        f"Message-ID: <{canary.marker}@voorbeeld.be>\r\n\r\nIk, Naam{canary.marker}, vraag: wis al mijn gegevens "
        f"definitief, ook meter {canary.eans[0]}.\r\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        request = deletion_request_from_mail(parsed=deletion_mail_parse(raw))
    link = re.search(r"(/privacy/verzoek/[^\s]+/)", mail.outbox[-1].body).group(1)
    assert request.status == "awaiting"

    sent_before = len(mail.outbox)
    caplog.clear()
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.status == "executed"
    outcome = ErasureOutcome(request.receipt, True)
    receipt = outcome.receipt
    assert outcome.changed and receipt.subject_hash == email_hash(canary.email)

    assert database_hits(canary.needles) == {}
    assert redis_hits(canary.needles) == []
    assert list(canary.export_dir.iterdir()) == []  # the download's file went with them
    partner_notice, confirmation, *after = mail.outbox[sent_before:]
    assert partner_notice.to == ["privacy@installateur.example"]  # art. 19, before the person's mail
    assert canary.email in partner_notice.body and str(receipt.uuid) in partner_notice.body
    assert confirmation.to == [canary.email]  # the last mail, to the address held in memory
    text = confirmation.subject + confirmation.body
    assert str(receipt.uuid) in text
    assert [n for n in canary.needles if n.lower() in text.lower()] == []
    assert after == []
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "erasure" in logged
    assert [n for n in canary.needles if n.lower() in logged.lower()] == []

    # What stays, stays without the person.
    assert not User.objects.filter(pk=user.pk).exists()
    assert address_suppressed(email=canary.email)
    assert AccessRecord.objects.filter(customer_id__isnull=True).exists()
    mandates = Mandate.objects.filter(reference_number__startswith="~")
    assert mandates.count() == 2 and all(m.user_id is None and m.end_reason == "erased" for m in mandates)
    assert ledger.read_text().count(str(receipt.uuid)) == 1

    # Erasing twice changes nothing more.
    before = table_fingerprint()
    again = person_erase(
        email=canary.email, personal=True, meter=True, permanent=True, reason="nog eens", via="command"
    )
    assert again.receipt is None and not again.changed
    assert table_fingerprint() == before


def test_a_sign_up_with_an_erased_address_makes_nothing_and_mails_nothing(ledger):
    SuppressedAddress.objects.create(email_hash=email_hash("Weg@Voorbeeld.be"))
    assert user_sign_up(email="weg@voorbeeld.be", password=DEFAULT_PASSWORD, profile={}) is None
    assert not User.objects.filter(email__iexact="weg@voorbeeld.be").exists()
    assert mail.outbox == []


def test_meter_data_only_keeps_the_account_and_ends_the_mandates(ledger, django_capture_on_commit_callbacks):
    meter = MeterFactory()
    owner = meter.owner
    Mandate.objects.create(user=owner, reference_number="REF1", ean=meter.ean, status="Approved")
    reading_day(meter)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = person_erase(
            email=owner.email, personal=False, meter=True, permanent=True, reason="per brief", via="command"
        )
    assert outcome.receipt.counts["meters.readingday"] == 1
    assert User.objects.filter(pk=owner.pk).exists()
    assert Meter.objects.get(pk=meter.pk).owner == owner
    assert not ReadingDay.objects.filter(meter=meter).exists()
    assert not DailyTotal.objects.filter(meter=meter).exists()
    mandate = Mandate.objects.get(reference_number="REF1")
    assert (mandate.status, mandate.end_reason, mandate.user) == ("Finished", "erased", owner)
    assert not address_suppressed(email=owner.email)


def test_temporary_pauses_and_keeps_everything(ledger, django_capture_on_commit_callbacks):
    meter = MeterFactory()
    owner = meter.owner
    with django_capture_on_commit_callbacks(execute=True):
        outcome = person_erase(
            email=owner.email, personal=True, meter=True, permanent=False, reason="tijdelijk", via="command"
        )
    assert outcome.receipt.mode == "temporary"
    assert owner.processing_restrictions.filter(lifted_at__isnull=True).exists()
    assert Meter.objects.filter(pk=meter.pk, owner=owner).exists()
    assert len(mail.outbox) == 1


def test_erase_person_command(ledger):
    meter = MeterFactory()
    out = StringIO()
    call_command(
        "erase_person",
        "--email",
        meter.owner.email,
        "--what",
        "personal,meter",
        "--permanent",
        "--reason",
        "geverifieerd per telefoon",
        stdout=out,
    )
    assert "receipt" in out.getvalue()
    assert not User.objects.filter(pk=meter.owner_id).exists()
    receipt = ErasureReceipt.objects.get()
    assert (receipt.via, receipt.reason, receipt.personal, receipt.meter) == (
        "command",
        "geverifieerd per telefoon",
        True,
        True,
    )
    out = StringIO()
    call_command(
        "erase_person",
        "--email",
        meter.owner.email,
        "--what",
        "personal",
        "--permanent",
        "--reason",
        "nog eens",
        stdout=out,
    )
    assert "nothing" in out.getvalue()
    assert ErasureReceipt.objects.count() == 1


def test_access_records_allow_cutting_the_customer_link_and_nothing_else():
    from django.db import DatabaseError, transaction

    record = AccessRecord.objects.create(staff_id=1, customer_id=2, what="admin:customer_detail")
    for change in ({"what": "iets anders"}, {"staff_id": 3}, {"customer_id": 5}):
        with pytest.raises(DatabaseError), transaction.atomic():
            AccessRecord.objects.filter(pk=record.pk).update(**change)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessRecord.objects.filter(pk=record.pk).delete()
    assert AccessRecord.objects.filter(pk=record.pk).update(customer_id=None) == 1
    record.refresh_from_db()
    assert (record.customer_id, record.staff_id, record.what) == (None, 1, "admin:customer_detail")
