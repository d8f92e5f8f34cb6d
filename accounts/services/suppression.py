"""The suppression list: what is left of an erased person's email address (a keyed hash)."""

from accounts.models import SuppressedAddress
from ilusmart import clock


def address_suppress(*, email_hash: str) -> SuppressedAddress:
    """Put an address (by its keyed hash, ``ilusmart.erasure.email_hash``) on the list; idempotent."""
    row, _ = SuppressedAddress.objects.get_or_create(
        email_hash=email_hash, defaults={"added_at": clock.now()}
    )
    return row
