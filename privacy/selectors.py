"""Reading policy documents: the current version a visitor sees, and the earlier ones."""

from __future__ import annotations

from django.db.models import QuerySet

from privacy.models import PolicyDocument


def policy_language(language_code: str | None) -> str:
    """The document language for a Django language code ("nl-be" → "nl", "en" → "en")."""
    return (
        PolicyDocument.Language.EN if (language_code or "").startswith("en") else PolicyDocument.Language.NL
    )


def policy_versions(*, kind: str, language: str) -> QuerySet[PolicyDocument]:
    """Every published version of ``kind`` in ``language``, newest first."""
    return PolicyDocument.objects.filter(
        kind=kind, language=language, status=PolicyDocument.Status.PUBLISHED
    ).order_by("-version")


def policy_current(*, kind: str, language: str) -> PolicyDocument | None:
    """The version in force: the newest published one (in Dutch when ``language`` has none yet)."""
    current = policy_versions(kind=kind, language=language).first()
    if current is None and language != PolicyDocument.Language.NL:
        current = policy_versions(kind=kind, language=PolicyDocument.Language.NL).first()
    return current
