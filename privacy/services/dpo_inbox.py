"""The DPO mailbox (issue 10): each new mail becomes a deletion request, then moves to a folder.

``DPO_IMAP_URL`` names the mailbox: ``imaps://user:password@host:993/INBOX`` (TLS, the server's
certificate verified against the system's CAs or ``DPO_IMAP_CA_FILE``); ``imap://`` (no TLS) is
accepted for a server on loopback only. Every message in the folder is read without marking it
seen, turned into a request (``deletion_mail_parse`` → ``deletion_request_from_mail``, committed)
and only then moved to ``DPO_IMAP_PROCESSED_FOLDER``; a message that cannot be a request goes to
``DPO_IMAP_REJECTED_FOLDER`` with the reason in the log. A crash between the two steps leaves the
mail in the inbox, and the next poll finds the same Message-ID: still one request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings

from privacy.models import DeletionRequest
from privacy.services.deletion_mail import MailRejected, deletion_mail_parse
from privacy.services.deletion_requests import deletion_request_from_mail, message_id_hash
from privacy.services.imap import mailbox_connect, mailbox_from_url

logger = logging.getLogger("ilusmart.privacy")


@dataclass
class PollResult:
    read: int = 0
    requests: int = 0  # new requests made (a message read before makes none)
    rejected: int = 0


def dpo_mailbox_poll(*, url: str | None = None) -> PollResult:
    """Read the DPO mailbox once (module docstring); returns what it did."""
    box = mailbox_from_url(url if url is not None else settings.DPO_IMAP_URL)
    result = PollResult()
    processed, rejected = settings.DPO_IMAP_PROCESSED_FOLDER, settings.DPO_IMAP_REJECTED_FOLDER
    with mailbox_connect(box).login(box.user, box.password, initial_folder=box.folder) as mailbox:
        for folder in (processed, rejected):
            if not mailbox.folder.exists(folder):
                mailbox.folder.create(folder)
        for uid in mailbox.uids():
            status, data = mailbox.client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in data or () if isinstance(item, tuple)), None)
            if status != "OK" or raw is None:
                logger.warning("DPO mailbox: message uid %s could not be fetched; left in place", uid)
                continue
            result.read += 1
            try:
                parsed = deletion_mail_parse(raw)
            except MailRejected as refused:
                result.rejected += 1
                logger.warning(
                    "DPO mailbox: message uid %s refused (%s); moved to %s", uid, refused.code, rejected
                )
                mailbox.move(uid, rejected)
                continue
            known = _known(parsed.message_id)
            request = deletion_request_from_mail(parsed=parsed)
            result.requests += not known
            logger.info("DPO mailbox: message uid %s is deletion request %s", uid, request.pk)
            mailbox.move(uid, processed)
    return result


def _known(message_id: str) -> bool:
    return DeletionRequest.objects.filter(message_id_hash=message_id_hash(message_id)).exists()
