"""Deletion requests (issue 10): received, confirmed, then executed, rejected or clarified.

A request comes from the DPO mailbox (``privacy.services.dpo_inbox``), an .eml file
(``dpo_import_mail``), Mijn gegevens or the API (``deletion_request_create`` with the logged-in
``user``). Nothing destructive happens before it is confirmed:

- asked while logged in: confirmed at once;
- otherwise a signed, single-use link valid ``DELETION_CONFIRM_MAX_AGE`` (7 days) is mailed to the
  address on file of the matched account — never to a Reply-To, never to a typed address that
  differs — or, when no account has the sender's address, to the sender: the same mail with the
  same words, so the answer never tells whether someone is a customer;
- or the DPO confirms with a written reason (recorded on the request).

A confirmed request whose text was clear (what and how) is executed at once
(``privacy.services.erasure.person_erase``); an unclear one waits for the DPO, who sets what
and how in the queue. Idempotent by Message-ID (kept as a keyed hash).
"""

from __future__ import annotations

import calendar
import hashlib
import logging
import secrets
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.selectors import user_for_login
from ilusmart import clock, errors
from ilusmart.erasure import email_hash, keyed_hash
from ilusmart.errors import ApplicationError
from privacy.models import DeletionRequest, ErasureReceipt
from privacy.services.deletion_mail import ParsedMail
from privacy.services.erasure import ErasureOutcome, person_erase

logger = logging.getLogger("ilusmart.privacy")
_SALT = "privacy.deletion-request-confirm"
BRUSSELS = ZoneInfo("Europe/Brussels")
LANGUAGES = ("nl", "en", "fr")


class DeletionRequestRefused(ApplicationError):
    """An action on a deletion request that cannot be done (its state, a missing reason)."""

    kind = errors.CONFLICT
    default_code = "deletion_request_refused"


class ConfirmationLinkInvalid(ApplicationError):
    """A confirmation link that is tampered with, expired or used: the message says which."""

    kind = errors.INVALID
    default_code = "confirmation_link_invalid"


def due_date(received: date) -> date:
    """One month after ``received`` (GDPR art. 12(3)); the month's last day when it is shorter."""
    year, month = (received.year + 1, 1) if received.month == 12 else (received.year, received.month + 1)
    return date(year, month, min(received.day, calendar.monthrange(year, month)[1]))


def message_id_hash(message_id: str) -> str:
    """What is kept of a mail's Message-ID: a keyed hash (a mail read twice makes one request)."""
    return keyed_hash("message-id:" + message_id.strip())


def _modes(permanent: bool | None) -> str:
    if permanent is None:
        return DeletionRequest.Mode.UNCLEAR
    return DeletionRequest.Mode.PERMANENT if permanent else DeletionRequest.Mode.TEMPORARY


def deletion_request_create(
    *,
    email: str,
    what,
    permanent: bool | None,
    source: str,
    user=None,
    raw_message: bytes | None = None,
    message_id: str | None = None,
    subject: str = "",
    text: str = "",
    received_at: datetime | None = None,
    language: str | None = None,
) -> DeletionRequest:
    """Record a request to erase (``permanent``) or pause (not) ``what`` ⊆ {"personal", "meter"}.

    ``user``: the logged-in person asking (Mijn gegevens, API): confirmed at once and, being
    clear, executed at once. Otherwise the confirmation link is mailed (module docstring).
    ``permanent`` None: the text did not say; the DPO decides. Returns the (existing, for a
    Message-ID seen before) request.
    """
    what = set(what or ())
    if what - {"personal", "meter"} or source not in DeletionRequest.Source.values:
        raise DeletionRequestRefused(_("Onbekend soort verzoek."), code="deletion_request_what")
    address = (user.email if user is not None else email or "").strip()
    if not address:
        raise DeletionRequestRefused(
            _("Een verzoek heeft een e-mailadres nodig."), code="deletion_request_email"
        )
    now = clock.now()
    received_at = received_at or now
    language = language if language in LANGUAGES else (translation.get_language() or "nl")[:2]
    id_hash = message_id_hash(message_id) if message_id else None
    if id_hash:
        existing = DeletionRequest.objects.filter(message_id_hash=id_hash).first()
        if existing is not None:
            return existing
    matched = user if user is not None else user_for_login(identifier=address)
    fields = {
        "received_at": received_at,
        "due_on": due_date(received_at.astimezone(BRUSSELS).date()),
        "source": source,
        "sender_email": address,
        "sender_hash": email_hash(address),
        "message_id_hash": id_hash,
        "subject": subject[:300],
        "body_text": text,
        "raw_message": raw_message or b"",
        "language": language if language in ("nl", "en", "fr") else "nl",
        "what_personal": "personal" in what or not what,
        "what_meter": "meter" in what or not what,
        "mode": _modes(permanent),
        "user": matched,
    }
    if user is not None:
        fields.update(
            status=DeletionRequest.Status.CONFIRMED,
            confirmed_at=now,
            confirmed_how=DeletionRequest.ConfirmedHow.LOGGED_IN,
        )
    try:
        with transaction.atomic():
            request = DeletionRequest.objects.create(**fields)
    except IntegrityError:  # the same message read twice at once
        return DeletionRequest.objects.get(message_id_hash=id_hash)
    logger.info(
        "deletion request %s received (source %s, account matched: %s)", request.pk, source, bool(matched)
    )
    if user is None:
        confirmation_send(request=request)
    elif request.mode != DeletionRequest.Mode.UNCLEAR:
        deletion_request_execute(request=request, by=None, via=ErasureReceipt.Via.MYDATA)
        request.refresh_from_db()
    return request


def deletion_request_from_mail(
    *, parsed: ParsedMail, source: str = DeletionRequest.Source.MAIL
) -> DeletionRequest:
    """A request from a parsed mail (``privacy.services.deletion_mail``); the same mail gives the same request."""
    what = {k for k, v in (("personal", parsed.what_personal), ("meter", parsed.what_meter)) if v}
    permanent = {"permanent": True, "temporary": False}.get(parsed.mode)
    return deletion_request_create(
        email=parsed.sender,
        what=what,
        permanent=permanent,
        source=source,
        raw_message=parsed.raw,
        message_id=parsed.message_id,
        subject=parsed.subject,
        text=parsed.text,
        language=parsed.language,
    )


# --- Confirmation by link ------------------------------------------------------------------------


def _recipient(request: DeletionRequest) -> str:
    """Where mail about a request goes: the account's address on file, else the sender's."""
    return request.user.email if request.user_id else request.sender_email


def _mail(*, request: DeletionRequest, template: str, context: dict) -> None:
    to = _recipient(request)
    if not to:
        return
    with translation.override(request.language if request.language in ("nl", "en") else "nl"):
        subject = render_to_string(f"privacy/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"privacy/email/{template}_body.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to]))


def confirmation_send(*, request: DeletionRequest) -> str:
    """Mail the single-use confirmation link for ``request``; returns the link's token (for tests)."""
    secret = secrets.token_urlsafe(24)
    token = signing.dumps({"r": request.pk, "s": secret}, salt=_SALT)
    DeletionRequest.objects.filter(pk=request.pk).update(
        token_digest=hashlib.sha256(secret.encode()).hexdigest(), confirmation_sent_at=clock.now()
    )
    request.refresh_from_db()
    context = {
        "link": settings.SITE_URL + reverse("privacy:deletion_confirm", args=[token]),
        "days": settings.DELETION_CONFIRM_MAX_AGE // 86400,
        "request": request,
    }
    _mail(request=request, template="deletion_confirm", context=context)
    return token


def request_for_token(*, token: str) -> DeletionRequest:
    """The request a confirmation link is for; ``ConfirmationLinkInvalid`` saying why it is not usable."""
    try:
        data = signing.loads(token, salt=_SALT)
        pk, secret = int(data["r"]), str(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise ConfirmationLinkInvalid(
            _("Deze bevestigingslink is ongeldig. Kopieer de volledige link uit de e-mail."),
            code="link_tampered",
        ) from error
    request = DeletionRequest.objects.filter(pk=pk).first()
    if request is None or not request.token_digest:
        if request is not None and request.confirmed_at:
            raise ConfirmationLinkInvalid(_("Deze bevestigingslink werd al gebruikt."), code="link_used")
        raise ConfirmationLinkInvalid(_("Deze bevestigingslink is ongeldig."), code="link_tampered")
    if not secrets.compare_digest(request.token_digest, hashlib.sha256(secret.encode()).hexdigest()):
        raise ConfirmationLinkInvalid(_("Deze bevestigingslink is ongeldig."), code="link_tampered")
    if request.confirmed_at is not None or not request.is_open:
        raise ConfirmationLinkInvalid(_("Deze bevestigingslink werd al gebruikt."), code="link_used")
    sent = request.confirmation_sent_at
    if sent is None or clock.now() - sent > timedelta(seconds=settings.DELETION_CONFIRM_MAX_AGE):
        raise ConfirmationLinkInvalid(
            _("Deze bevestigingslink is verlopen (7 dagen geldig). Stuur je verzoek opnieuw."),
            code="link_expired",
        )
    return request


def deletion_request_confirm(*, token: str) -> DeletionRequest:
    """The person confirmed by the link: once; a clear request is then executed at once."""
    with transaction.atomic():
        request = request_for_token(token=token)
        request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
        if request.confirmed_at is not None:
            raise ConfirmationLinkInvalid(_("Deze bevestigingslink werd al gebruikt."), code="link_used")
        request.confirmed_at = clock.now()
        request.confirmed_how = DeletionRequest.ConfirmedHow.LINK
        request.status = DeletionRequest.Status.CONFIRMED
        request.token_digest = ""
        request.save(update_fields=["confirmed_at", "confirmed_how", "status", "token_digest"])
    if request.mode != DeletionRequest.Mode.UNCLEAR:
        deletion_request_execute(request=request, by=None, via=ErasureReceipt.Via.LINK)
        request.refresh_from_db()
    return request


# --- The DPO's actions ---------------------------------------------------------------------------


def deletion_request_override(*, request: DeletionRequest, by, reason: str) -> DeletionRequest:
    """The DPO confirms without the person's link (verified otherwise): the written reason is recorded."""
    reason = (reason or "").strip()
    if not reason:
        raise DeletionRequestRefused(
            _("Schrijf op waarom je zonder bevestiging wist."), code="override_reason"
        )
    if not request.is_open:
        raise DeletionRequestRefused(_("Dit verzoek is al afgehandeld."), code="request_closed")
    DeletionRequest.objects.filter(pk=request.pk).update(
        status=DeletionRequest.Status.CONFIRMED,
        confirmed_at=clock.now(),
        confirmed_how=DeletionRequest.ConfirmedHow.OVERRIDE,
        override_reason=reason,
        token_digest="",
    )
    request.refresh_from_db()
    logger.info(
        "deletion request %s confirmed by the DPO (user %s) with a reason", request.pk, by.pk if by else None
    )
    return request


def deletion_request_execute(
    *, request: DeletionRequest, by, via: str = ErasureReceipt.Via.ADMIN
) -> ErasureOutcome:
    """Carry out a confirmed request (``person_erase``); refused while unconfirmed or unclear."""
    request.refresh_from_db()
    if request.status in (DeletionRequest.Status.EXECUTED, DeletionRequest.Status.REJECTED):
        raise DeletionRequestRefused(_("Dit verzoek is al afgehandeld."), code="request_closed")
    if not request.is_open or request.confirmed_at is None:
        raise DeletionRequestRefused(
            _("Dit verzoek is nog niet bevestigd: eerst de link van de persoon, of jouw reden."),
            code="request_unconfirmed",
        )
    if request.mode == DeletionRequest.Mode.UNCLEAR or not (request.what_personal or request.what_meter):
        raise DeletionRequestRefused(
            _("Kies eerst wat gewist wordt en of het tijdelijk of definitief is."), code="request_unclear"
        )
    email = _recipient(request)
    with translation.override(request.language if request.language in ("nl", "en") else "nl"):
        outcome = person_erase(
            email=email,
            personal=request.what_personal,
            meter=request.what_meter,
            permanent=request.mode == DeletionRequest.Mode.PERMANENT,
            reason=request.override_reason or f"request {request.pk} confirmed ({request.confirmed_how})",
            via=via,
            by=by,
            request=request,
        )
    if outcome.receipt is None:  # nothing (left) to erase: the request is answered all the same
        DeletionRequest.objects.filter(pk=request.pk).update(
            status=DeletionRequest.Status.EXECUTED, handled_at=clock.now(), handled_by=by
        )
    return outcome


def _answer(
    *, request: DeletionRequest, text: str, missing: str, template: str, key: str, **changes
) -> DeletionRequest:
    """Record the DPO's answer (``changes``) and mail ``text`` to the person; refused without text."""
    text = (text or "").strip()
    if not text:
        raise DeletionRequestRefused(missing, code=f"{template}_text")
    if not request.is_open:
        raise DeletionRequestRefused(_("Dit verzoek is al afgehandeld."), code="request_closed")
    with transaction.atomic():
        DeletionRequest.objects.filter(pk=request.pk).update(
            **{name: text if value is None else value for name, value in changes.items()}
        )
        request.refresh_from_db()
        _mail(request=request, template=template, context={key: text})
    return request


def deletion_request_reject(*, request: DeletionRequest, by, reason: str) -> DeletionRequest:
    """Refuse a request, with the reason; the person is told (at the address on file, or the sender)."""
    return _answer(
        request=request,
        text=reason,
        missing=_("Geef een reden voor de weigering."),
        template="deletion_rejected",
        key="reason",
        status=DeletionRequest.Status.REJECTED,
        rejection_reason=None,  # the text
        handled_at=clock.now(),
        handled_by=by,
        token_digest="",
    )


def deletion_request_clarify(*, request: DeletionRequest, by, question: str) -> DeletionRequest:
    """Ask the sender what they mean (the text is mailed); the request waits for the answer."""
    return _answer(
        request=request,
        text=question,
        missing=_("Schrijf je vraag aan de persoon."),
        template="deletion_clarify",
        key="question",
        status=DeletionRequest.Status.CLARIFY,
        clarification_text=None,  # the text
        handled_by=by,
    )


def deletion_request_decide(
    *, request: DeletionRequest, personal: bool, meter: bool, mode: str
) -> DeletionRequest:
    """The DPO says what an unclear request asks (after the person's answer)."""
    if mode not in (DeletionRequest.Mode.PERMANENT, DeletionRequest.Mode.TEMPORARY) or not (
        personal or meter
    ):
        raise DeletionRequestRefused(_("Kies wat gewist wordt en hoe."), code="request_unclear")
    DeletionRequest.objects.filter(pk=request.pk).update(what_personal=personal, what_meter=meter, mode=mode)
    request.refresh_from_db()
    return request
