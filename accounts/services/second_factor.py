"""Staff second factor: TOTP (django-otp ``otp_totp``) and one-time recovery codes (``otp_static``).

Every staff user passes one before any admin page (accounts.middleware, accounts.admin_site).
A staff user without a confirmed TOTP device enrols first: an unconfirmed device is made, its
key shown as a QR code (rendered here as SVG, server-side), and confirmed by one valid code;
that also issues ``RECOVERY_CODE_COUNT`` recovery codes, shown once. Wrong codes are throttled
by django-otp itself (a doubling delay per device). A lost phone: a superuser resets the
person's second factor (``second_factor_reset``), and they enrol again at their next login.
"""

from __future__ import annotations

import secrets

import segno
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"


def second_factor_confirmed(*, user) -> bool:
    """Whether ``user`` has a confirmed TOTP device (otherwise they must enrol)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def totp_enrolment_start(*, user) -> TOTPDevice:
    """The unconfirmed TOTP device ``user`` is enrolling (made on first call, then reused)."""
    if second_factor_confirmed(user=user):
        raise PermissionError("a confirmed device exists; a superuser must reset it first")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def totp_qr_svg_data_uri(*, device: TOTPDevice) -> str:
    """The device's otpauth:// URL as a QR code, an SVG ``data:`` URI (no script, no CDN)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def totp_key_base32(*, device: TOTPDevice) -> str:
    """The key for typing in by hand, grouped by four."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def totp_enrolment_confirm(*, user, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the enrolling device with a valid ``token``; returns it and new recovery codes.

    None when the code is wrong (or throttled). Recovery codes replace any earlier ones.
    """
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    if device is None or not device.verify_token(_digits(token)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, recovery_codes_issue(user=user)


@transaction.atomic
def recovery_codes_issue(*, user) -> list[str]:
    """Issue ``RECOVERY_CODE_COUNT`` fresh one-time codes for ``user``, replacing the old ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def second_factor_verify(*, user, token: str):
    """The confirmed device that accepts ``token`` (a 6-digit TOTP code or a recovery code), or None.

    A recovery code is used up. Only one device kind is tried per code, so a typo in a recovery
    code does not count against the authenticator's throttle and vice versa.
    """
    token = (token or "").strip().replace(" ", "").lower()
    if not token:
        return None
    kind = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if isinstance(device, kind) and device.verify_token(token):
            return device
    return None


@transaction.atomic
def second_factor_reset(*, user) -> None:
    """Remove ``user``'s second-factor devices: they enrol again at their next login."""
    for device in devices_for_user(user, confirmed=None):
        device.delete()


def _digits(token: str) -> str:
    return "".join(ch for ch in (token or "") if ch.isdigit())
