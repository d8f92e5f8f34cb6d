"""Writes on the processing restriction ("pause", GDPR art. 18): start it and lift it.

Pausing keeps every piece of data and stops what is done with it: the sync from Fluvius
(``consents.services.mandates.mandate_authorize_fetch`` refuses), fault emails, communications
and sharing with partners (each of those asks ``consents.selectors.restriction``). Both the
person and staff (support, the DPO) may pause and resume; every pause is a row that records
who did what and when.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from consents.models import ProcessingRestriction
from consents.selectors.restriction import restriction_active
from ilusmart import clock, errors
from ilusmart.errors import ApplicationError

logger = logging.getLogger("ilusmart.consents")


class RestrictionRefused(ApplicationError):
    kind = errors.INVALID
    default_code = "restriction_refused"


def restriction_start(*, user, source: str, by=None, reason: str = "") -> ProcessingRestriction:
    """Pause processing for ``user``. Idempotent: an active pause is returned as it is."""
    if source not in ProcessingRestriction.Source.values:
        raise RestrictionRefused(_("Onbekende herkomst van de pauze."), code="restriction_source")
    if len(reason) > ProcessingRestriction._meta.get_field("reason").max_length:
        raise RestrictionRefused(_("De reden is te lang (hoogstens 500 tekens)."), code="restriction_reason")
    existing = restriction_active(user=user)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            restriction = ProcessingRestriction.objects.create(
                user=user, source=source, reason=reason, started_by=by, started_at=clock.now()
            )
    except IntegrityError:  # a concurrent request paused first: one active pause per person
        return restriction_active(user=user)
    logger.info("processing paused for user %s (source %s)", user.pk, source)
    return restriction


def restriction_lift(*, user, by=None) -> ProcessingRestriction | None:
    """Resume processing for ``user``. Returns the lifted pause, or None when there was none."""
    with transaction.atomic():
        restriction = (
            ProcessingRestriction.objects.select_for_update()
            .filter(user=user, lifted_at__isnull=True)
            .first()
        )
        if restriction is None:
            return None
        restriction.lifted_at = clock.now()
        restriction.lifted_by = by
        restriction.save(update_fields=["lifted_at", "lifted_by"])
    logger.info("processing resumed for user %s", user.pk)
    return restriction
