"""Validation and normalisation of personal details (postal codes, phone numbers)."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

POSTAL_CODE_PATTERNS = {
    "BE": (re.compile(r"^[1-9]\d{3}$"), _("Een Belgische postcode bestaat uit 4 cijfers, bv. 9000.")),
    "LU": (re.compile(r"^\d{4}$"), _("Een Luxemburgse postcode bestaat uit 4 cijfers.")),
    "NL": (re.compile(r"^[1-9]\d{3} ?[A-Z]{2}$"), _("Een Nederlandse postcode ziet eruit als 1234 AB.")),
    "FR": (re.compile(r"^\d{5}$"), _("Een Franse postcode bestaat uit 5 cijfers.")),
    "DE": (re.compile(r"^\d{5}$"), _("Een Duitse postcode bestaat uit 5 cijfers.")),
}


def postal_code_normalize(value: str, *, country: str = "BE") -> str:
    """Return the postal code in its usual spelling, or raise ValidationError."""
    value = (value or "").strip().upper()
    pattern, message = POSTAL_CODE_PATTERNS.get(country, POSTAL_CODE_PATTERNS["BE"])
    if not pattern.match(value):
        raise ValidationError(message, code="invalid_postal_code")
    return value


def phone_normalize(value: str, *, region: str = "BE") -> str:
    """Parse a phone number (Belgian by default) and return it in E.164, or raise ValidationError."""
    message = _("Geef een geldig telefoonnummer, bv. 0470 12 34 56 of 09 223 45 67.")
    try:
        number = phonenumbers.parse((value or "").strip(), region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(message, code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(message, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
