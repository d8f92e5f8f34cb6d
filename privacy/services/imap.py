"""The DPO mailbox's connection (issue 10): ``DPO_IMAP_URL`` read and opened, for the inbox poll
(``privacy.services.dpo_inbox``) and for the erasure, which removes the person's mail from it."""

from __future__ import annotations

import ipaddress
import logging
import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from imap_tools import AND, MailBox, MailBoxUnencrypted

from ilusmart import errors
from ilusmart.errors import ApplicationError

logger = logging.getLogger("ilusmart.privacy")


class MailboxMisconfigured(ApplicationError):
    kind = errors.INVALID
    default_code = "dpo_imap_url"


@dataclass(frozen=True)
class Mailbox:
    tls: bool
    host: str
    port: int
    user: str
    password: str
    folder: str


def mailbox_from_url(url: str) -> Mailbox:
    """The mailbox ``url`` names; ``MailboxMisconfigured`` when it is not a usable one."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("imaps", "imap") or not parts.hostname or not parts.username:
        raise MailboxMisconfigured(_("DPO_IMAP_URL moet imaps://gebruiker:wachtwoord@host:993/INBOX zijn."))
    tls = parts.scheme == "imaps"
    if not tls:
        try:
            loopback = ipaddress.ip_address(parts.hostname).is_loopback
        except ValueError:
            loopback = parts.hostname == "localhost"
        if not loopback:
            raise MailboxMisconfigured(_("Zonder TLS (imap://) enkel naar een server op deze machine."))
    return Mailbox(
        tls=tls,
        host=parts.hostname,
        port=parts.port or (993 if tls else 143),
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
    )


def mailbox_connect(box: Mailbox):
    timeout = settings.DPO_IMAP_TIMEOUT_SECONDS
    if box.tls:
        context = ssl.create_default_context(cafile=settings.DPO_IMAP_CA_FILE or None)
        return MailBox(box.host, box.port, timeout=timeout, ssl_context=context)
    return MailBoxUnencrypted(box.host, box.port, timeout=timeout)


def dpo_mailbox_forget(*, email: str) -> int:
    """Delete the mail from ``email`` in the DPO mailbox's inbox, processed and rejected folders.

    Run after an erasure has committed: the request is answered and its receipt kept; the mail
    itself (the person's address, name and words) is not evidence we need. Returns how many
    messages went; 0 when no mailbox is configured.
    """
    if not settings.DPO_IMAP_URL or not email:
        return 0
    box = mailbox_from_url(settings.DPO_IMAP_URL)
    removed = 0
    with mailbox_connect(box).login(box.user, box.password, initial_folder=box.folder) as mailbox:
        for folder in (box.folder, settings.DPO_IMAP_PROCESSED_FOLDER, settings.DPO_IMAP_REJECTED_FOLDER):
            if not mailbox.folder.exists(folder):
                continue
            mailbox.folder.set(folder)
            # The server's FROM search matches parts of addresses: keep only exact ones.
            wanted = email.strip().lower()
            uids = [
                message.uid
                for message in mailbox.fetch(AND(from_=email), mark_seen=False, headers_only=True, bulk=True)
                if message.uid and message.from_.strip().lower() == wanted
            ]
            if uids:
                mailbox.delete(uids)
                removed += len(uids)
    return removed
