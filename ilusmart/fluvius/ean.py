"""EAN (GS1 GSRN) codes of Belgian connection points: check digit, sandbox EANs, form validation.

A real Fluvius EAN has 18 digits and a GS1 mod-10 check digit (belgian-energy.md). The Fluvius
sandbox hands out test EANs (``54144…0000000…``) that fail the check; they are accepted only
when the caller says so (``settings.FLUVIUS_ALLOW_TEST_EANS``).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EAN_LENGTH = 18
_DIGITS_18 = re.compile(r"[0-9]{18}")
# People paste EANs from invoices with spaces (also non-breaking ones), dots or dashes between
# the groups; those carry no meaning.
_SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f]+")
SANDBOX_PREFIX = "54144"
SANDBOX_MARKER = "0000000"


def ean_check_digit(first_17: str) -> int:
    """Return the GS1 mod-10 check digit for the first 17 digits of an EAN.

    From the right, the digits are weighted 3, 1, 3, 1 …; check = (10 − sum mod 10) mod 10.
    """
    if not re.fullmatch(r"[0-9]{17}", first_17 or ""):
        raise ValueError("ean_check_digit needs exactly 17 ASCII digits")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(first_17)))
    return (10 - total % 10) % 10


def ean_normalize(ean: str) -> str:
    """Strip surrounding whitespace and the separators people type between digit groups."""
    return _SEPARATORS.sub("", ean or "")


def ean_is_valid(ean: str) -> bool:
    """True when ``ean`` is exactly 18 ASCII digits with a correct GS1 check digit.

    No normalisation happens here; use ``ean_validate`` for user input.
    """
    if not isinstance(ean, str) or not _DIGITS_18.fullmatch(ean):
        return False
    return ean_check_digit(ean[:17]) == int(ean[17])


def ean_is_sandbox(ean: str) -> bool:
    """True for a Fluvius sandbox test EAN: 18 digits, ``54144…0000000…``, failing the check."""
    if not isinstance(ean, str) or not _DIGITS_18.fullmatch(ean):
        return False
    return (
        ean.startswith(SANDBOX_PREFIX)
        and SANDBOX_MARKER in ean[len(SANDBOX_PREFIX) :]
        and not ean_is_valid(ean)
    )


def ean_validate(ean: str, *, allow_test_eans: bool) -> str:
    """Return the normalised EAN or raise ``ValidationError`` with a translatable message.

    Spaces and separators are removed first. Sandbox EANs pass only when ``allow_test_eans``.
    Error codes: ``required``, ``invalid_length``, ``invalid_check_digit``, ``test_ean_not_allowed``.
    """
    if not isinstance(ean, str) or not ean.strip():
        raise ValidationError(_("Vul een EAN-code in."), code="required")
    normalized = ean_normalize(ean)
    if not _DIGITS_18.fullmatch(normalized):
        raise ValidationError(_("Een EAN-code bestaat uit 18 cijfers."), code="invalid_length")
    if ean_is_valid(normalized):
        return normalized
    if ean_is_sandbox(normalized):
        if allow_test_eans:
            return normalized
        raise ValidationError(
            _("Dit is een test-EAN van Fluvius; die wordt hier niet aanvaard."),
            code="test_ean_not_allowed",
        )
    raise ValidationError(
        _(
            "Deze EAN-code klopt niet: het controlecijfer (het laatste cijfer) past niet bij de andere cijfers."
        ),
        code="invalid_check_digit",
    )
