"""Reads on cookie consent: the choice in force in a browser, and a record by its consent id."""

from consents.cookie_choice import CookieChoice, cookie_value_load
from consents.models import CookieConsent


def cookie_choice_current(*, cookie_value: str | None, cookie_lists) -> CookieChoice | None:
    """The cookie choice in force in a browser (from its consent cookie), or None: ask again.

    None when there is no choice, it was tampered with, it is older than six months
    (``COOKIE_CONSENT_VALID_DAYS``), or a category's cookie list differs from ``cookie_lists``
    (the optional categories offered now, with their cookie names).
    """
    if not cookie_lists:
        return None
    return cookie_value_load(cookie_value, cookie_lists=cookie_lists)


def cookie_consent_find(*, consent_id: str) -> CookieConsent | None:
    """The record of one cookie choice by its consent id (the code in the browser's cookie)."""
    return CookieConsent.objects.filter(consent_id=consent_id.strip()).select_related("user").first()


def cookie_consents_for_user(*, user):
    """The cookie choices and withdrawals made while ``user`` was logged in, newest first."""
    return CookieConsent.objects.filter(user=user).order_by("-at", "-pk")
