"""Writing policy documents: drafts, publication (the one way a version comes to be), new drafts.

A published version is final: it gets the next number for its kind and language, its
``[[cookies]]`` mark becomes the cookie registry's table in its own language (so an old version
keeps showing the cookies of its time), and PostgreSQL refuses any later change or deletion.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ilusmart import clock, errors
from ilusmart.errors import ApplicationError
from privacy.cookies import cookie_table
from privacy.models import PolicyDocument
from privacy.rendering import COOKIE_TABLE_MARK


class PolicyRefused(ApplicationError):
    """A policy document cannot be changed, published or copied as asked."""

    default_code = "policy_refused"


def policy_draft_save(*, document: PolicyDocument, title: str, body: str) -> PolicyDocument:
    """Create or change a draft (kind and language are set on ``document``); published ones are final."""
    if (
        document.pk
        and PolicyDocument.objects.filter(pk=document.pk, status=PolicyDocument.Status.PUBLISHED).exists()
    ):
        raise PolicyRefused(
            _("Een gepubliceerde versie wijzig je niet: maak een nieuwe versie."),
            code="policy_published",
            kind=errors.CONFLICT,
        )
    document.title, document.body = title.strip(), body.strip()
    document.status = PolicyDocument.Status.DRAFT
    document.updated_at = clock.now()
    document.save()
    return document


@transaction.atomic
def policy_publish(*, document: PolicyDocument, user) -> PolicyDocument:
    """Publish a draft as the next version of its kind and language, by ``user``, now."""
    # Every row of this kind and language is locked, so two publications cannot take one number.
    siblings = PolicyDocument.objects.select_for_update().filter(
        kind=document.kind, language=document.language
    )
    draft = siblings.filter(pk=document.pk).first()
    if draft is None:
        raise PolicyRefused(
            _("Deze tekst bestaat niet (meer)."), code="policy_not_found", kind=errors.NOT_FOUND
        )
    if draft.is_published:
        raise PolicyRefused(
            _("Versie %(version)s is al gepubliceerd.") % {"version": draft.version},
            code="policy_already_published",
            kind=errors.CONFLICT,
        )
    if not draft.title.strip() or not draft.body.strip():
        raise PolicyRefused(_("Een lege tekst publiceer je niet."), code="policy_empty")
    if COOKIE_TABLE_MARK in draft.body:
        with translation.override(draft.language):
            draft.body = draft.body.replace(COOKIE_TABLE_MARK, cookie_table())
    # Whole seconds: a version's date is shown to the second at most, and a JSON copy of the row
    # (Django's serializer keeps milliseconds) then matches it exactly.
    now = clock.now().replace(microsecond=0)
    draft.version = (siblings.filter(version__isnull=False).aggregate(n=Max("version"))["n"] or 0) + 1
    draft.status = PolicyDocument.Status.PUBLISHED
    draft.published_at = draft.updated_at = now
    draft.published_by = user
    draft.save()
    return draft


def policy_draft_from(*, document: PolicyDocument) -> PolicyDocument:
    """A new draft with the text of ``document`` (e.g. the current version), to edit into the next one."""
    return PolicyDocument.objects.create(
        kind=document.kind, language=document.language, title=document.title, body=document.body
    )
