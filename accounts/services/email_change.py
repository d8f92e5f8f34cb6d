"""Changing a homeowner's email address, safely (issue 8, item 3).

1. ``email_change_request``: the homeowner gives the new address **and their current password**
   (so a session left open on someone else's computer cannot hand the account over). Any
   earlier open request is withdrawn; a new ``EmailChange`` stores the new address and the
   SHA-256 of two random tokens. The new address gets a link with the confirm token, the
   current address a notice with the cancel token. Whether the new address belongs to another
   account is **not** checked here, so the page and the mails read the same for a free and a
   taken address (no enumeration of customers).
2. ``email_change_confirm``: the link, used once within ``EMAIL_CHANGE_MAX_AGE`` (24 h), makes
   the new address the account's. Only now is a clash checked: the person who clicks owns that
   mailbox, so telling them the address already has an account reveals nothing new.
3. ``email_change_cancel``: the old address's link withdraws an open request, or, within
   ``EMAIL_CHANGE_CANCEL_MAX_AGE`` (7 days), undoes a confirmed change: the old address comes
   back and every session of the account ends (whoever changed it is logged out).

The links carry only the tokens (never the address, readable or encoded); a token found in the
database (digest) cannot be used.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import EmailChange
from accounts.services.sessions import user_sessions_end
from accounts.services.users import account_mail_send
from ilusmart import clock, errors
from ilusmart.errors import ApplicationError

log = logging.getLogger(__name__)
User = get_user_model()

EMAIL_CHANGE_CANCEL_MAX_AGE = timedelta(days=7)


class EmailChangeRefused(ApplicationError):
    """The request is refused (wrong current password, the same address)."""

    default_code = "email_change_refused"


class EmailChangeLinkInvalid(ApplicationError):
    """A confirm or cancel link that is unknown, used, withdrawn or expired."""

    kind = errors.NOT_FOUND
    default_code = "email_change_link_invalid"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mask_email(address: str) -> str:
    """``e***@g***.com``: enough for the owner to recognise an address, not to read it."""
    local, _at, domain = address.partition("@")
    name, dot, tld = domain.rpartition(".")
    return f"{local[:1]}***@{name[:1]}***{dot}{tld}" if name else f"{local[:1]}***@{domain[:1]}***"


@transaction.atomic
def email_change_request(*, user, new_email: str, password: str) -> EmailChange:
    """Ask to move ``user`` to ``new_email``, proven by their current ``password``; mails both addresses."""
    new_email = User.objects.normalize_email(new_email.strip())
    if not user.check_password(password):
        raise EmailChangeRefused(_("Dit is niet je huidige wachtwoord."), code="wrong_password")
    if new_email.casefold() == user.email.casefold():
        raise EmailChangeRefused(_("Dit is al je e-mailadres."), code="same_address")
    now = clock.now()
    EmailChange.objects.filter(user=user, confirmed_at=None, cancelled_at=None).update(cancelled_at=now)
    confirm_token, cancel_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    change = EmailChange.objects.create(
        user=user,
        old_email=user.email,
        new_email=new_email,
        confirm_digest=_digest(confirm_token),
        cancel_digest=_digest(cancel_token),
        requested_at=now,
        expires_at=now + timedelta(seconds=settings.EMAIL_CHANGE_MAX_AGE),
    )
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: _mails_send(change, confirm_token, cancel_token, language))
    return change


def _mails_send(change: EmailChange, confirm_token: str, cancel_token: str, language: str) -> None:
    context = {
        "confirm_link": settings.SITE_URL + reverse("accounts:email_change_confirm", args=[confirm_token]),
        "cancel_link": settings.SITE_URL + reverse("accounts:email_change_cancel", args=[cancel_token]),
        "hours": settings.EMAIL_CHANGE_MAX_AGE // 3600,
        "cancel_days": EMAIL_CHANGE_CANCEL_MAX_AGE.days,
        "masked_new_email": mask_email(change.new_email),
        "reset_link": settings.SITE_URL + reverse("accounts:password_reset"),
    }
    with translation.override(language):
        for template, to in (
            ("email_change_confirm", change.new_email),
            ("email_change_notice", change.old_email),
        ):
            subject = render_to_string(f"accounts/email/{template}_subject.txt", context).strip()
            body = render_to_string(f"accounts/email/{template}_body.txt", context)
            account_mail_send(subject=subject, body=body, to=to)


def _change_for(field: str, token: str) -> EmailChange:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise EmailChangeLinkInvalid(_("Deze link is ongeldig of verlopen."))
    change = (
        EmailChange.objects.select_for_update()
        .select_related("user")
        .filter(**{field: _digest(token)})
        .first()
    )
    if change is None:
        raise EmailChangeLinkInvalid(_("Deze link is ongeldig of verlopen."))
    return change


@transaction.atomic
def email_change_confirm(*, token: str):
    """Make the change of ``token`` the account's address (once, in time, if the address is free)."""
    change = _change_for("confirm_digest", token)
    if change.confirmed_at or change.cancelled_at or clock.now() >= change.expires_at:
        raise EmailChangeLinkInvalid(_("Deze link is ongeldig of verlopen."))
    user = User.objects.select_for_update().get(pk=change.user_id)
    if user.email.casefold() != change.old_email.casefold():
        raise EmailChangeLinkInvalid(_("Deze link is ongeldig of verlopen."))  # changed meanwhile
    taken = User.objects.filter(email__iexact=change.new_email).exclude(pk=user.pk).exists()
    if taken:
        raise EmailChangeRefused(
            _(
                "Dit e-mailadres hoort al bij een ander iLusmart-account. Meld je daarmee aan, of kies "
                "een ander adres."
            ),
            code="address_taken",
            kind=errors.CONFLICT,
        )
    user.email, user.email_verified_at = change.new_email, clock.now()
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_verified_at"])
    except IntegrityError as exc:  # taken by a sign-up in the meantime
        raise EmailChangeRefused(
            _("Dit e-mailadres hoort al bij een ander iLusmart-account."),
            code="address_taken",
            kind=errors.CONFLICT,
        ) from exc
    change.confirmed_at = clock.now()
    change.save(update_fields=["confirmed_at"])
    log.info("email change %s confirmed for user %s", change.pk, user.pk)
    return user


@transaction.atomic
def email_change_cancel(*, token: str):
    """The old address says no: withdraw the open change, or undo a confirmed one and end every session.

    Returns the user.
    """
    change = _change_for("cancel_digest", token)
    now = clock.now()
    if change.cancelled_at or now >= change.requested_at + EMAIL_CHANGE_CANCEL_MAX_AGE:
        raise EmailChangeLinkInvalid(_("Deze link is ongeldig of verlopen."))
    user = User.objects.select_for_update().get(pk=change.user_id)
    change.cancelled_at = now
    change.save(update_fields=["cancelled_at"])
    if change.confirmed_at is None:
        return user
    if user.email.casefold() != change.new_email.casefold() or (
        User.objects.filter(email__iexact=change.old_email).exclude(pk=user.pk).exists()
    ):
        raise EmailChangeLinkInvalid(_("Deze link is ongeldig of verlopen."))
    user.email, user.email_verified_at = change.old_email, now
    user.save(update_fields=["email", "email_verified_at"])
    user_sessions_end(user=user)
    log.warning("email change %s undone from the old address of user %s; sessions ended", change.pk, user.pk)
    return user
