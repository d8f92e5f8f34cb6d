"""Writes on meters: a homeowner links a meter (EAN) to their account."""

import logging

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from consents.models import Mandate
from consents.services.mandates import mandate_request
from ilusmart import errors
from ilusmart.errors import ApplicationError
from ilusmart.fluvius.client import FluviusClient
from ilusmart.fluvius.ean import ean_validate
from meters.models import ContactNote, Meter
from meters.services.sync import backfill_start

logger = logging.getLogger("ilusmart.meters")


class MeterLinkRefused(ApplicationError):
    """The meter cannot be linked to this account (another account has it).

    The message says nothing of other accounts: support is told instead (``meter_link``).
    """

    kind = errors.CONFLICT
    default_code = "meter_link_refused"


def meter_link(*, user, ean: str, label: str = "") -> Meter:
    """Link the meter with `ean` to `user` (creating it if needed).

    ValidationError for an EAN that is not one; ``MeterLinkRefused`` if another account has the
    meter. That refusal tells the homeowner nothing about the other account (no enumeration of
    customers, issue 8): it leaves a note on the homeowner's page in the support console and a
    log line, so support can sort it out (a move, a shared home, a typo) when they call.

    When the homeowner already approved a mandate for this EAN in Mijn Fluvius (one that took no
    meter, ``meters.services.sync.MandateNotLinked``), linking it plans and queues its back-fill.
    """
    ean = ean_validate(ean, allow_test_eans=settings.FLUVIUS_ALLOW_TEST_EANS)
    already_theirs = Meter.objects.filter(ean=ean, owner=user).exists()
    meter, owner_id = _meter_link(user=user, ean=ean, label=label)
    if meter is not None:
        if not already_theirs:
            _backfill_approved(meter=meter, user=user)
        return meter
    ContactNote.objects.create(
        customer=user,
        kind=ContactNote.Kind.NOTE,
        text=(
            f"Probeerde in het portaal meter {ean} te koppelen, die al aan klant #{owner_id} "
            "gekoppeld is. Geweigerd; de klant kreeg te horen dat het niet lukt en om contact op te nemen."
        ),
    )
    logger.warning("meter link refused: user %s tried meter %s of user %s", user.pk, ean, owner_id)
    raise MeterLinkRefused(
        _(
            "We kunnen deze meter niet aan je account koppelen. Controleer de EAN-code; klopt die, "
            "neem dan contact op met ilusmart@ilumen.be, dan bekijken we het samen."
        )
    )


@transaction.atomic
def _meter_link(*, user, ean: str, label: str) -> tuple[Meter | None, int | None]:
    """(the linked meter, None), or (None, the other owner's id) when another account has it."""
    meter, created = Meter.objects.select_for_update().get_or_create(
        ean=ean, defaults={"owner": user, "label": label}
    )
    if created:
        return meter, None
    if meter.owner_id not in (None, user.pk):
        return None, meter.owner_id
    meter.owner = user
    meter.label = label or meter.label
    meter.save(update_fields=["owner", "label"])
    return meter, None


def _backfill_approved(*, meter: Meter, user) -> None:
    """A mandate the homeowner already approved for this EAN (in Mijn Fluvius, for a meter they
    had not linked yet): now that the meter is theirs, fetch its history."""
    mandate = (
        Mandate.objects.filter(
            user=user, ean=meter.ean, status=Mandate.Status.APPROVED, fetch_suspended_at__isnull=True
        )
        .order_by("-approved_at", "-pk")
        .first()
    )
    if mandate is None:
        return
    backfill_start(mandate=mandate)
    transaction.on_commit(lambda: current_app.send_task("meters.backfill_meter", args=[meter.pk]))


def mandate_return_url(reference_number: str) -> str:
    """Where Mijn Fluvius sends the homeowner back to after deciding on `reference_number`."""
    return settings.SITE_URL + reverse("meters:mandate_return", args=[reference_number])


def meter_connect_start(*, user, meter: Meter, history_days: int | None = None) -> Mandate:
    """Start the mandate request for `meter`; the caller sends the homeowner to `mandate.short_url`.

    Runs in a web request, so Fluvius gets one try with a short timeout
    (``FLUVIUS_IN_REQUEST_TIMEOUT_SECONDS``): a 429 or a slow answer must not hold a web worker for
    the client's retries and Retry-After waits. On failure the homeowner is asked to try again.
    """
    with FluviusClient.from_settings(
        timeout=settings.FLUVIUS_IN_REQUEST_TIMEOUT_SECONDS, max_retries=0
    ) as client:
        return mandate_request(
            user=user,
            ean=meter.ean,
            return_url_for=mandate_return_url,
            history_days=history_days,
            client=client,
        )
