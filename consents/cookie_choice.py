"""The consent cookie: what a browser keeps of its cookie choice, signed against tampering.

It holds the record's consent id, the choice per optional category, when it was made and a
fingerprint of each category's cookie list as it was shown. A choice counts only while it is
younger than ``COOKIE_CONSENT_VALID_DAYS`` and every fingerprint matches the cookie lists now:
after six months, or when a category's cookies change, the banner asks again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing

from ilusmart import clock

CONSENT_COOKIE = "ilusmart_cookiekeuze"
_SALT = "consents.cookie_choice"
# The optional categories, in the order they are shown; functional cookies need no consent.
CATEGORIES = ("analytics", "social_media")


def consent_valid_for() -> timedelta:
    return timedelta(days=settings.COOKIE_CONSENT_VALID_DAYS)


def cookie_lists_fingerprints(cookie_lists: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """A short hash of each category's cookie names (order does not matter)."""
    return {
        category: hashlib.sha256(json.dumps(sorted(names)).encode()).hexdigest()[:16]
        for category, names in cookie_lists.items()
    }


@dataclass(frozen=True)
class CookieChoice:
    """The choice in force in one browser."""

    consent_id: str
    accepted: frozenset[str]  # the optional categories accepted
    at: datetime

    def allows(self, category: str) -> bool:
        return category in self.accepted

    @property
    def analytics(self) -> bool:
        return self.allows("analytics")

    @property
    def social_media(self) -> bool:
        return self.allows("social_media")

    @property
    def valid_until(self) -> datetime:
        return self.at + consent_valid_for()


def cookie_value_dump(*, consent_id: str, accepted, at: datetime, cookie_lists) -> str:
    payload = {
        "id": consent_id,
        "ok": sorted(accepted),
        "at": int(at.timestamp()),
        "fp": cookie_lists_fingerprints(cookie_lists),
    }
    return signing.dumps(payload, salt=_SALT)


def cookie_value_load(value: str | None, *, cookie_lists) -> CookieChoice | None:
    """The choice a cookie value holds, or None when it is absent, forged, too old or outdated."""
    if not value:
        return None
    try:
        payload = signing.loads(value, salt=_SALT)
        at = datetime.fromtimestamp(int(payload["at"]), tz=UTC)
        choice = CookieChoice(str(payload["id"]), frozenset(map(str, payload["ok"])), at)
        fingerprints = dict(payload["fp"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        return None
    now = clock.now()
    if not (at <= now + timedelta(minutes=5) and now < choice.valid_until):
        return None
    if fingerprints != cookie_lists_fingerprints(cookie_lists):
        return None
    return choice
