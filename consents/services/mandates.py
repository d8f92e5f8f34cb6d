"""Writes on Fluvius mandates: request, status polling, suspension, and the fetch authorisation.

"No mandate, no fetch" is enforced here, in `mandate_authorize_fetch`, and nowhere else: every
sync asks it before it calls Fluvius.
"""

import logging
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from consents.models import FetchRefusal, Mandate, MandatePollState
from consents.selectors.restriction import processing_restricted
from ilusmart import clock, errors
from ilusmart.errors import ApplicationError
from ilusmart.fluvius.client import FluviusClient
from ilusmart.fluvius.localtime import day_start_utc
from ilusmart.fluvius.types import Mandate as FluviusMandate

logger = logging.getLogger("ilusmart.consents")
BRUSSELS = ZoneInfo("Europe/Brussels")
_ALPHABET = string.ascii_uppercase + string.digits
POLL_STATE = "fluvius-mandates"
# Fluvius's lastUpdated clock and ours may differ a little; re-read a margin every poll.
POLL_OVERLAP = timedelta(minutes=10)


class NoActiveMandate(ApplicationError):
    """Fetching was refused: no approved, unsuspended mandate covers this user and EAN."""

    kind = errors.FORBIDDEN
    default_code = "no_active_mandate"


class ProcessingRestricted(NoActiveMandate):
    """Fetching was refused: the person has paused processing (or staff paused it for them)."""

    default_code = "processing_restricted"


def reference_number_new() -> str:
    """A fresh reference for Fluvius: `ILU` + 17 letters/digits ([A-Za-z0-9]{1,32})."""
    return "ILU" + "".join(secrets.choice(_ALPHABET) for _ in range(17))


@transaction.atomic
def mandate_request(
    *,
    user,
    ean: str,
    return_url_for: Callable[[str], str],
    requested_by=None,
    history_days: int | None = None,
    client: FluviusClient | None = None,
) -> Mandate:
    """Ask Fluvius for a short URL where `user` approves our access to `ean`'s quarter-hour data.

    Fluvius sends the homeowner back to `return_url_for(reference_number)` (under SITE_URL) with `?uitkomst=ok` or
    `?uitkomst=mislukt`. The data period runs from local midnight `history_days` ago (default
    FLUVIUS_MANDATE_HISTORY_DAYS) to three years ahead. Returns the new mandate, status Requested,
    with `short_url` to send the homeowner to.
    """
    client = client or FluviusClient.from_settings()
    today = clock.local_today()
    days = settings.FLUVIUS_MANDATE_HISTORY_DAYS if history_days is None else history_days
    period_from = day_start_utc(today - timedelta(days=days))
    period_to = day_start_utc(today + timedelta(days=3 * 365))
    reference = reference_number_new()
    return_url = return_url_for(reference)
    short_id, valid_to = client.short_url_create(
        reference_number=reference,
        data_period_from=period_from,
        data_period_to=period_to,
        return_url_success=return_url + "?uitkomst=ok",
        return_url_failed=return_url + "?uitkomst=mislukt",
    )
    return Mandate.objects.create(
        user=user,
        ean=ean,
        reference_number=reference,
        requested_by=requested_by or user,
        data_period_from=period_from,
        data_period_to=period_to,
        short_url_id=short_id,
        short_url=settings.FLUVIUS_PORTAL_URL + short_id,
        short_url_valid_to=valid_to,
    )


@dataclass
class PollResult:
    seen: int = 0
    changed: int = 0
    newly_approved: list[int] = field(default_factory=list)
    ended: list[int] = field(default_factory=list)


def mandates_poll(
    *, full: bool = False, reference_number: str | None = None, client: FluviusClient | None = None
) -> PollResult:
    """Bring our mandates in line with Fluvius's statuses.

    Incremental by default (`lastUpdatedFrom` = the previous poll's fetch time minus a margin);
    `full=True` reads every mandate (the daily poll); `reference_number` polls one request (used
    when the homeowner comes back from Mijn Fluvius). Returns what changed, including the ids of
    mandates that became approved (their back-fill is the caller's business).
    """
    client = client or FluviusClient.from_settings()
    state, _ = MandatePollState.objects.get_or_create(name=POLL_STATE)
    last_updated_from = None
    if not reference_number and not full and state.last_updated_until:
        last_updated_from = state.last_updated_until - POLL_OVERLAP
    remote = client.mandates_list(
        reference_number=reference_number or None, last_updated_from=last_updated_from
    )

    result = PollResult(seen=len(remote.mandates))
    with transaction.atomic():
        for item in remote.mandates:
            _apply(item, result)
        if not reference_number:
            state = MandatePollState.objects.select_for_update().get(pk=state.pk)
            state.last_updated_until = remote.fetched_at
            if full:
                state.last_full_poll_at = clock.now()
            state.save()
    if result.changed:
        logger.info(
            "mandate poll: %s seen, %s changed, %s newly approved",
            result.seen,
            result.changed,
            len(result.newly_approved),
        )
    return result


def _apply(item: FluviusMandate, result: PollResult) -> None:
    mandate = (
        Mandate.objects.select_for_update()
        .filter(
            reference_number=item.reference_number,
            ean=item.ean,
            data_service_type=item.data_service_type or "VH_kwartier_uur",
        )
        .first()
    )
    if mandate is not None and mandate.end_reason == Mandate.EndReason.ERASED:
        return  # ended for good on an erasure request: whatever Fluvius says, we read nothing more
    if mandate is None:
        # The homeowner may pick another (or a second) EAN in Mijn Fluvius under our reference.
        sibling = Mandate.objects.filter(reference_number=item.reference_number).order_by("pk").first()
        if sibling is not None and sibling.end_reason == Mandate.EndReason.ERASED:
            return
        if sibling is None:
            logger.warning("mandate %s/%s is not ours; ignored", item.reference_number, item.ean)
            return
        mandate = Mandate(
            user=sibling.user,
            requested_by=sibling.requested_by,
            reference_number=item.reference_number,
            ean=item.ean,
            data_service_type=item.data_service_type or "VH_kwartier_uur",
            short_url_id=sibling.short_url_id,
            short_url=sibling.short_url,
            short_url_valid_to=sibling.short_url_valid_to,
        )
    before = (
        mandate.status,
        mandate.renewal_status,
        mandate.data_period_from,
        mandate.data_period_to,
        mandate.expires_at,
        mandate.fetch_suspended_at,
    )
    now = clock.now()
    mandate.status = item.status or mandate.status
    mandate.renewal_status = item.renewal_status or ""
    mandate.energy_type = item.energy_type or mandate.energy_type
    mandate.data_period_from = item.data_period_from or mandate.data_period_from
    mandate.data_period_to = item.data_period_to or mandate.data_period_to
    mandate.expires_at = item.expiration_date or mandate.expires_at
    mandate.last_polled_at = now
    newly_approved = ended = False
    if mandate.status == Mandate.Status.APPROVED:
        mandate.fetch_suspended_at = None
        if mandate.approved_at is None:
            mandate.approved_at = now
            newly_approved = True
        mandate.end_reason, mandate.ended_at = "", None
    elif mandate.status in (Mandate.Status.REJECTED, Mandate.Status.FINISHED) and not mandate.ended_at:
        mandate.ended_at = now
        mandate.end_reason = (
            Mandate.EndReason.REJECTED
            if mandate.status == Mandate.Status.REJECTED
            else Mandate.EndReason.FINISHED
        )
        ended = True
    mandate.save()
    after = (
        mandate.status,
        mandate.renewal_status,
        mandate.data_period_from,
        mandate.data_period_to,
        mandate.expires_at,
        mandate.fetch_suspended_at,
    )
    result.changed += before != after
    if newly_approved:
        result.newly_approved.append(mandate.pk)
    if ended:
        result.ended.append(mandate.pk)


def mandate_fetch_suspend(*, mandate: Mandate, reason: str) -> None:
    """Stop fetching for `mandate` after Fluvius refused (403); the next poll decides what's next."""
    Mandate.objects.filter(pk=mandate.pk, fetch_suspended_at__isnull=True).update(
        fetch_suspended_at=clock.now()
    )
    logger.warning("fetching suspended for mandate %s/%s: %s", mandate.reference_number, mandate.ean, reason)


def mandate_mark_not_found(*, mandate: Mandate) -> None:
    """Fluvius does not know the EAN or the mandate (404): the mandate is invalid."""
    Mandate.objects.filter(pk=mandate.pk).update(
        status=Mandate.Status.FINISHED, end_reason=Mandate.EndReason.NOT_FOUND, ended_at=clock.now()
    )


def mandate_authorize_fetch(*, user, ean: str) -> Mandate:
    """The single gate before any energy fetch: the approved, unsuspended mandate of `user` for `ean`.

    Raises NoActiveMandate — and records the refusal — when there is none, and
    ProcessingRestricted (a NoActiveMandate) while the person has paused processing.
    """
    if processing_restricted(user=user):
        reason = "processing restricted (paused) for this person"
        FetchRefusal.objects.create(ean=ean, user=user, reason=reason)
        logger.info("fetch refused for EAN %s (user %s): %s", ean, getattr(user, "pk", None), reason)
        raise ProcessingRestricted(reason)
    mandate = (
        Mandate.objects.filter(
            user=user, ean=ean, status=Mandate.Status.APPROVED, fetch_suspended_at__isnull=True
        )
        .order_by("-approved_at", "-pk")
        .first()
        if user is not None
        else None
    )
    if mandate is None:
        reason = "no approved mandate for this user and EAN"
        FetchRefusal.objects.create(ean=ean, user=user, reason=reason)
        logger.warning("fetch refused for EAN %s (user %s): %s", ean, getattr(user, "pk", None), reason)
        raise NoActiveMandate(reason)
    return mandate
