"""Writes on cookie consent: a choice, a withdrawal, each kept as a ``CookieConsent`` record.

The caller (the web layer in ``privacy``, which owns the cookie registry and the cookie policy)
passes down what the visitor was shown: the optional categories with their cookie names and the
cookie policy's version. The record's consent id and the choice then go into the browser's
consent cookie (``consents.cookie_choice``); no IP address is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.translation import gettext_lazy as _

from consents.cookie_choice import CATEGORIES, CookieChoice, cookie_value_dump
from consents.models import CookieConsent
from ilusmart.errors import ApplicationError


class CookieChoiceRefused(ApplicationError):
    """The choice does not fit the categories offered."""

    default_code = "cookie_choice_invalid"


def _check(*, choices: Mapping[str, bool], cookie_lists: Mapping[str, Sequence[str]], policy_version: str):
    if not cookie_lists:
        raise CookieChoiceRefused(
            _("De portal zet geen cookies waarvoor je toestemming nodig is: er is niets te kiezen."),
            code="cookie_nothing_to_choose",
        )
    if set(cookie_lists) - set(CATEGORIES) or set(choices) != set(cookie_lists):
        raise CookieChoiceRefused(_("Kies voor elke categorie ja of nee."), code="cookie_choice_categories")
    if not policy_version:
        raise CookieChoiceRefused(
            _("Zonder cookiebeleid vragen we geen toestemming."), code="cookie_no_policy"
        )


def cookie_consent_record(
    *,
    user,
    choices: Mapping[str, bool],
    cookie_lists: Mapping[str, Sequence[str]],
    policy_version: str,
    via: str,
    previous: CookieChoice | None = None,
) -> CookieConsent:
    """Keep one choice (a yes or no per optional category offered) made in a browser.

    ``user`` is the logged-in person or None; ``previous`` the choice in force before, if any:
    refusing a category it accepted makes this record a withdrawal.
    """
    _check(choices=choices, cookie_lists=cookie_lists, policy_version=policy_version)
    withdrawn = previous is not None and any(
        previous.allows(category) and not choices[category] for category in cookie_lists
    )
    return CookieConsent.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=CookieConsent.Action.WITHDRAWAL if withdrawn else CookieConsent.Action.CHOICE,
        analytics=bool(choices.get("analytics", False)),
        social_media=bool(choices.get("social_media", False)),
        policy_version=policy_version,
        cookie_lists={category: sorted(names) for category, names in cookie_lists.items()},
        via=CookieConsent.Via(via),
    )


def cookie_consent_withdraw(
    *,
    user,
    cookie_lists: Mapping[str, Sequence[str]],
    policy_version: str,
    via: str,
    previous: CookieChoice | None,
) -> CookieConsent:
    """Withdraw every optional category at once (one click, as easy as consenting was)."""
    return cookie_consent_record(
        user=user,
        choices=dict.fromkeys(cookie_lists, False),
        cookie_lists=cookie_lists,
        policy_version=policy_version,
        via=via,
        previous=previous,
    )


def cookie_consent_cookie_value(*, consent: CookieConsent) -> str:
    """What the browser keeps of ``consent`` (its id, the choice, when, the lists' fingerprints)."""
    accepted = [category for category in CATEGORIES if getattr(consent, category)]
    return cookie_value_dump(
        consent_id=consent.consent_id, accepted=accepted, at=consent.at, cookie_lists=consent.cookie_lists
    )
