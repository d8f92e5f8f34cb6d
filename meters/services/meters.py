"""Writes on meters: a homeowner links a meter (EAN) to their account."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from consents.models import Mandate
from consents.services.mandates import mandate_request
from ilusmart.fluvius.ean import ean_validate
from meters.models import Meter


@transaction.atomic
def meter_link(*, user, ean: str, label: str = "") -> Meter:
    """Link the meter with `ean` to `user` (creating it if needed); ValidationError if it is someone else's."""
    ean = ean_validate(ean, allow_test_eans=settings.FLUVIUS_ALLOW_TEST_EANS)
    meter, created = Meter.objects.select_for_update().get_or_create(
        ean=ean, defaults={"owner": user, "label": label}
    )
    if created:
        return meter
    if meter.owner_id not in (None, user.pk):
        raise ValidationError(
            _("Deze meter is al gekoppeld aan een ander account. Neem contact op met ilusmart@ilumen.be."),
            code="meter_taken",
        )
    meter.owner = user
    meter.label = label or meter.label
    meter.save(update_fields=["owner", "label"])
    return meter


def mandate_return_url(reference_number: str) -> str:
    """Where Mijn Fluvius sends the homeowner back to after deciding on `reference_number`."""
    return settings.SITE_URL + reverse("meters:mandate_return", args=[reference_number])


def meter_connect_start(*, user, meter: Meter, history_days: int | None = None) -> Mandate:
    """Start the mandate request for `meter`; the caller sends the homeowner to `mandate.short_url`."""
    return mandate_request(
        user=user, ean=meter.ean, return_url_for=mandate_return_url, history_days=history_days
    )
