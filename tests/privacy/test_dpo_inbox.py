"""The DPO mailbox against a real IMAP server on loopback (dovecot, started by the test, TLS with
its own certificate): a message sent in becomes exactly one request, also when polled twice, and
then sits in the processed folder; a message that cannot be a request goes to the rejected one."""

import ssl
import tempfile
from pathlib import Path

import pytest
from imap_tools import MailBox

from privacy.models import DeletionRequest
from privacy.services.deletion_requests import deletion_request_execute, deletion_request_override
from privacy.services.dpo_inbox import dpo_mailbox_poll
from privacy.services.imap import MailboxMisconfigured, mailbox_from_url
from privacy.tasks import poll_dpo_mailbox
from tests.factories import UserFactory
from tests.privacy.imap_server import imap_server_start

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def imap_server():
    server = imap_server_start(Path(tempfile.mkdtemp(prefix="ilusmart-dovecot-")))
    yield server
    server.stop()


@pytest.fixture
def mailbox(imap_server, settings):
    settings.DPO_IMAP_URL = imap_server.url()
    settings.DPO_IMAP_CA_FILE = imap_server.ca_file
    context = ssl.create_default_context(cafile=imap_server.ca_file)
    with MailBox("127.0.0.1", imap_server.port, ssl_context=context).login(
        imap_server.user, imap_server.password
    ) as box:
        for folder in ("INBOX", settings.DPO_IMAP_PROCESSED_FOLDER, settings.DPO_IMAP_REJECTED_FOLDER):
            if box.folder.exists(folder):
                box.folder.set(folder)
                box.delete(box.uids())
        box.folder.set("INBOX")
        yield box


def folder_count(box, folder: str) -> int:
    box.folder.set(folder)
    try:
        return len(box.uids())
    finally:
        box.folder.set("INBOX")


def test_a_mail_becomes_one_request_even_when_polled_twice(
    mailbox, settings, django_capture_on_commit_callbacks
):
    mailbox.append(
        b"From: Els Peeters <els@voorbeeld.be>\r\nTo: ilusmart@ilumen.be\r\nSubject: Verwijderen\r\n"
        b"Message-ID: <verzoek-1@voorbeeld.be>\r\nDate: Mon, 30 Nov 2026 09:00:00 +0100\r\n\r\n"
        b"Graag mijn meetgegevens tijdelijk niet meer verwerken.\r\n",
        "INBOX",
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = dpo_mailbox_poll()
    assert (first.read, first.requests, first.rejected) == (1, 1, 0)
    request = DeletionRequest.objects.get()
    assert (
        request.sender_email,
        request.source,
        request.mode,
        request.what_meter,
        request.what_personal,
    ) == (
        "els@voorbeeld.be",
        "mail",
        "temporary",
        True,
        False,
    )
    assert b"Message-ID: <verzoek-1@voorbeeld.be>" in bytes(request.raw_message)
    assert folder_count(mailbox, "INBOX") == 0
    assert folder_count(mailbox, settings.DPO_IMAP_PROCESSED_FOLDER) == 1

    # The same message back in the inbox (a crash before the move, or a copy): still one request.
    mailbox.folder.set(settings.DPO_IMAP_PROCESSED_FOLDER)
    mailbox.copy(mailbox.uids(), "INBOX")
    mailbox.folder.set("INBOX")
    second = poll_dpo_mailbox.apply().get()
    assert second == {"read": 1, "requests": 0, "rejected": 0}
    assert DeletionRequest.objects.count() == 1
    assert folder_count(mailbox, "INBOX") == 0


def test_a_mail_that_cannot_be_a_request_is_moved_aside(mailbox, settings):
    mailbox.append(b"Subject: zonder afzender\r\n\r\nwis alles\r\n", "INBOX")
    result = dpo_mailbox_poll()
    assert (result.read, result.requests, result.rejected) == (1, 0, 1)
    assert DeletionRequest.objects.count() == 0
    assert folder_count(mailbox, settings.DPO_IMAP_REJECTED_FOLDER) == 1


def test_the_poll_does_nothing_without_a_mailbox(settings):
    settings.DPO_IMAP_URL = ""
    assert poll_dpo_mailbox.apply().get() == {"skipped": "DPO_IMAP_URL is not set"}


@pytest.mark.parametrize(
    "url", ["", "http://x@host/", "imaps://host:993/INBOX", "imap://user:pw@mail.example.be/INBOX"]
)
def test_a_mailbox_url_without_tls_or_user_is_refused(url):
    with pytest.raises(MailboxMisconfigured):
        mailbox_from_url(url)


def test_the_url_gives_the_mailbox():
    box = mailbox_from_url("imaps://dpo%40ilumen.be:p%40ss@imap.example.be/DPO%20Postvak")
    assert (box.tls, box.host, box.port, box.user, box.password, box.folder) == (
        True,
        "imap.example.be",
        993,
        "dpo@ilumen.be",
        "p@ss",
        "DPO Postvak",
    )


def test_an_erasure_removes_the_persons_mail_from_the_mailbox(
    mailbox, settings, django_capture_on_commit_callbacks
):
    owner = UserFactory(email="wis.mij@voorbeeld.be")
    mailbox.append(
        b"From: Wis Mij <Wis.Mij@voorbeeld.be>\r\nSubject: Wissen\r\nMessage-ID: <wis@voorbeeld.be>\r\n\r\n"
        b"Verwijder al mijn gegevens definitief.\r\n",
        "INBOX",
    )
    # An address that holds theirs (a substring for the server's search) is someone else's.
    mailbox.append(b"From: ik.wis.mij@voorbeeld.be\r\nSubject: Vraag\r\n\r\nWis alles.\r\n", "INBOX")
    with django_capture_on_commit_callbacks(execute=True):
        dpo_mailbox_poll()
    assert folder_count(mailbox, settings.DPO_IMAP_PROCESSED_FOLDER) == 2
    request = DeletionRequest.objects.get(user=owner)
    deletion_request_override(request=request, by=None, reason="getest")
    with django_capture_on_commit_callbacks(execute=True):
        deletion_request_execute(request=request, by=None)
    assert folder_count(mailbox, settings.DPO_IMAP_PROCESSED_FOLDER) == 1  # only the other person's
