"""Bringing Fluvius readings into the database: daily pulls, back-fills and operator ranges.

Every sync asks `consents.services.mandates.mandate_authorize_fetch` first (no mandate, no
fetch), holds a per-meter PostgreSQL advisory lock (one sync per meter at a time), fetches in
chunks, and commits each chunk's readings together with the sync progress, so a sync that dies
half-way resumes without losing or doubling anything (ingest is idempotent).
"""

import logging
import time as time_module
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from consents.models import Mandate
from consents.selectors.restriction import restricted_user_ids
from consents.services.mandates import (
    NoActiveMandate,
    PollResult,
    mandate_authorize_fetch,
    mandate_fetch_suspend,
    mandate_mark_not_found,
    mandates_poll,
)
from ilusmart import clock, errors
from ilusmart.errors import ApplicationError
from ilusmart.fluvius.client import FluviusClient, split_window
from ilusmart.fluvius.errors import FluviusError, FluviusMandateNotActive, FluviusNotFound
from ilusmart.fluvius.localtime import day_start_utc as local_midnight
from meters.models import ContactNote, Meter, MeterSyncState, SyncDeadLetter
from meters.services.faults import faults_detect
from meters.services.ingest import IngestResult, readings_ingest_days

logger = logging.getLogger("ilusmart.sync")
UTC = ZoneInfo("UTC")
BRUSSELS = ZoneInfo("Europe/Brussels")
TRAILING_DAYS = 7  # electricity data can be 1–2 days late and EST values are replaced later
_LOCK_NAMESPACE = 7_041_977  # first key of the two-key advisory lock: "meter sync"

__all__ = ["MandateNotLinked", "NoActiveMandate", "SyncBusy", "SyncResult"]


class SyncBusy(ApplicationError):
    """Another sync of this meter holds its lock."""

    kind = errors.CONFLICT
    default_code = "sync_busy"


class MandateNotLinked(ApplicationError):
    """An approved mandate for an EAN its homeowner has not linked in the portal.

    In Mijn Fluvius a homeowner may approve our request for other EANs too. Such a mandate never
    creates a meter, never moves one to another account and fetches nothing: the homeowner reads
    it on their dashboard and links the meter themselves; support gets a note
    (``mandates_refresh``).
    """

    kind = errors.CONFLICT
    default_code = "mandate_not_linked"


@dataclass
class SyncResult:
    meter_id: int
    windows: list[tuple[datetime, datetime]] = field(default_factory=list)
    requests: int = 0
    days: set[date] = field(default_factory=set)  # local days that came back with data
    ingest: IngestResult = field(default_factory=IngestResult)

    def add(self, result: IngestResult) -> None:
        for name in vars(result):
            setattr(self.ingest, name, getattr(self.ingest, name) + getattr(result, name))


@contextmanager
def _meter_lock(meter: Meter, wait_seconds: float):
    deadline = time_module.monotonic() + wait_seconds
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_NAMESPACE, meter.pk])
            if cursor.fetchone()[0]:
                break
            if time_module.monotonic() >= deadline:
                raise SyncBusy(f"meter {meter.ean} is being synced by another process")
            time_module.sleep(0.2)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_NAMESPACE, meter.pk])


def _clamp(mandate: Mandate, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    if mandate.data_period_from:
        start = max(start, mandate.data_period_from)
    if mandate.data_period_to:
        end = min(end, mandate.data_period_to)
    return start, end


def _record_error(meter: Meter, error: Exception) -> None:
    MeterSyncState.objects.update_or_create(
        meter=meter,
        defaults={"last_error_at": clock.now(), "last_error": f"{type(error).__name__}: {error}"[:2000]},
    )


def _fetch_and_store(
    *,
    meter: Meter,
    mandate: Mandate,
    client: FluviusClient,
    start: datetime,
    end: datetime,
    result: SyncResult,
    period_type: str = "readTime",
    progress_field: str | None = None,
    newest_first: bool = False,
) -> None:
    """Fetch [start, end) chunk by chunk; commit each chunk's readings with the progress.

    ``newest_first``: the chunks from ``end`` backwards, the progress being each chunk's start
    (how far back it has come); otherwise forwards, the progress each chunk's end.
    """
    # Fluvius takes whole seconds: a window shorter than one (a daily sync's insertTime catch-up
    # right after the previous one) would go out as from == to and be refused with a 400.
    start, end = start.replace(microsecond=0), end.replace(microsecond=0)
    chunk = timedelta(days=settings.SYNC_CHUNK_DAYS)
    chunks = split_window(start, end, chunk) if start < end else []
    for chunk_start, chunk_end in reversed(chunks) if newest_first else chunks:
        try:
            days = client.energy_fetch_days(
                ean=meter.ean,
                reference_number=mandate.reference_number,
                start=chunk_start,
                end=chunk_end,
                period_type=period_type,
            )
        except FluviusMandateNotActive as error:
            mandate_fetch_suspend(mandate=mandate, reason=str(error))
            _record_error(meter, error)
            _poll_soon()
            raise
        except FluviusNotFound as error:
            mandate_mark_not_found(mandate=mandate)
            _record_error(meter, error)
            raise
        except FluviusError as error:
            _record_error(meter, error)
            raise
        result.requests += 1
        result.windows.append((chunk_start, chunk_end))
        result.days.update(d.day for d in days)
        with transaction.atomic():
            result.add(readings_ingest_days(meter=meter, days=days))
            updates, backwards = {}, {}
            if progress_field and newest_first:
                backwards[progress_field] = chunk_start
            elif progress_field:
                updates[progress_field] = chunk_end
            if period_type == "readTime":
                last = max(filter(None, (d.last_value_end() for d in days)), default=None)
                if last is not None:
                    updates["data_until"] = last
            if updates or backwards:
                state = MeterSyncState.objects.select_for_update().get_or_create(meter=meter)[0]
                for name, value in updates.items():
                    current = getattr(state, name)
                    setattr(state, name, value if current is None else max(current, value))
                for name, value in backwards.items():
                    current = getattr(state, name)
                    setattr(state, name, value if current is None else min(current, value))
                state.save()


def _detect_faults(meter: Meter, result: SyncResult) -> None:
    """Fault detection over the local days this sync brought in (and today's present conditions)."""
    faults_detect(meter=meter, days=result.days)


def _queue_after_commit(task_name: str, *args, **kwargs) -> None:
    """Queue a task by name once the transaction commits (services never import tasks)."""
    transaction.on_commit(lambda: current_app.send_task(task_name, args=args, kwargs=kwargs))


def _poll_soon() -> None:
    _queue_after_commit("meters.poll_mandates", full=False)


def _success(meter: Meter, *, next_run_at: datetime | None = None) -> None:
    MeterSyncState.objects.update_or_create(
        meter=meter,
        defaults={"last_success_at": clock.now(), "last_error": "", "next_run_at": next_run_at},
    )


def meter_sync_range(
    *,
    meter: Meter,
    start: datetime,
    end: datetime,
    client: FluviusClient | None = None,
    wait_seconds: float = 60,
) -> SyncResult:
    """Fetch and store `meter`'s quarter-hours in [start, end) (UTC), within its mandate's period."""
    mandate = mandate_authorize_fetch(user=meter.owner, ean=meter.ean)
    client = client or FluviusClient.from_settings()
    result = SyncResult(meter_id=meter.pk)
    start, end = _clamp(mandate, start, min(end, clock.now() + timedelta(days=1)))
    with _meter_lock(meter, wait_seconds):
        if start < end:
            _fetch_and_store(meter=meter, mandate=mandate, client=client, start=start, end=end, result=result)
        _success(meter)
    _detect_faults(meter, result)
    return result


def meter_sync_daily(
    *, meter: Meter, client: FluviusClient | None = None, wait_seconds: float = 60
) -> SyncResult:
    """The daily pull: the trailing 7 local days by read time, plus an insertTime catch-up.

    The catch-up asks for everything Fluvius published or corrected since the previous
    successful catch-up, whatever day it belongs to (late or re-validated values).
    """
    mandate = mandate_authorize_fetch(user=meter.owner, ean=meter.ean)
    client = client or FluviusClient.from_settings()
    result = SyncResult(meter_id=meter.pk)
    now = clock.now()
    today = now.astimezone(BRUSSELS).date()
    start, end = _clamp(mandate, local_midnight(today - timedelta(days=TRAILING_DAYS)), now)
    with _meter_lock(meter, wait_seconds):
        if start < end:
            _fetch_and_store(meter=meter, mandate=mandate, client=client, start=start, end=end, result=result)
        state = MeterSyncState.objects.get_or_create(meter=meter)[0]
        since = state.insert_time_watermark
        if since is not None and since < now:
            _fetch_and_store(
                meter=meter,
                mandate=mandate,
                client=client,
                start=since,
                end=now,
                result=result,
                period_type="insertTime",
            )
        MeterSyncState.objects.filter(meter=meter).update(insert_time_watermark=now)
        _success(meter, next_run_at=now + timedelta(days=1))
    _detect_faults(meter, result)
    return result


def backfill_start(*, mandate: Mandate) -> Meter:
    """Plan the back-fill of a newly approved mandate's whole data period (up to now) on the
    homeowner's meter for its EAN.

    Raises ``MandateNotLinked`` and changes nothing when the mandate's homeowner has no meter with
    that EAN in the portal (none at all, one without owner, or another account's): a meter is
    never created or given to someone by a mandate. The caller queues `meter_backfill` (a Celery
    task in production, a direct call in commands).
    """
    with transaction.atomic():
        meter = Meter.objects.select_for_update().filter(ean=mandate.ean).first()
        if meter is None or meter.owner_id != mandate.user_id:
            raise MandateNotLinked(
                f"mandate {mandate.reference_number} is approved for EAN {mandate.ean}, "
                f"which user {mandate.user_id} has not linked",
                extra={"ean": mandate.ean, "meter_id": meter.pk if meter else None},
            )
        state = MeterSyncState.objects.select_for_update().get_or_create(meter=meter)[0]
        state.backfill_from = mandate.data_period_from
        state.backfill_to = min(mandate.data_period_to or clock.now(), clock.now())
        state.backfill_done_until = None
        state.backfill_done_from = None
        state.insert_time_watermark = state.insert_time_watermark or clock.now()
        state.save()
    return meter


def meter_backfill(
    *, meter: Meter, client: FluviusClient | None = None, wait_seconds: float = 0
) -> SyncResult:
    """Continue `meter`'s planned back-fill from where it stopped until it is complete, the most
    recent chunk first (``MeterSyncState.backfill_done_from`` is committed with each chunk)."""
    mandate = mandate_authorize_fetch(user=meter.owner, ean=meter.ean)
    client = client or FluviusClient.from_settings()
    result = SyncResult(meter_id=meter.pk)
    with _meter_lock(meter, wait_seconds):
        state = MeterSyncState.objects.get(meter=meter)
        if state.backfill_from is None or state.backfill_to is None:
            return result
        # Newest first, so the dashboard fills from today backwards. Still to fetch: from what an
        # older, forwards back-fill reached (or the start) up to how far back this one has come.
        start = state.backfill_done_until or state.backfill_from
        end = state.backfill_done_from or state.backfill_to
        start, end = _clamp(mandate, start, end)
        if start < end:
            _fetch_and_store(
                meter=meter,
                mandate=mandate,
                client=client,
                start=start,
                end=end,
                result=result,
                progress_field="backfill_done_from",
                newest_first=True,
            )
        MeterSyncState.objects.filter(meter=meter).update(
            backfill_done_until=state.backfill_to, backfill_done_from=state.backfill_from
        )
        _success(meter)
    _detect_faults(meter, result)
    return result


def meters_due_for_daily_sync():
    """Meters whose owner has an approved, unsuspended mandate for their EAN and has not paused
    processing (one query)."""
    approved = Mandate.objects.filter(
        status=Mandate.Status.APPROVED,
        fetch_suspended_at__isnull=True,
        user=OuterRef("owner"),
        ean=OuterRef("ean"),
    )
    return (
        Meter.objects.filter(owner__isnull=False)
        .filter(Exists(approved))
        .exclude(owner__in=restricted_user_ids())
        .select_related("owner")
        .order_by("pk")
    )


def _mandate_not_linked_note(mandate: Mandate) -> None:
    """Tell support (a note on the customer's console page) of a mandate that took no meter."""
    meter = Meter.objects.filter(ean=mandate.ean).first()
    if meter is None:
        where = "Die meter bestaat nog niet in het portaal."
    elif meter.owner_id is None:
        where = "Die meter staat in het portaal zonder eigenaar."
    else:
        where = f"Die meter is gekoppeld aan klant #{meter.owner_id} (een verhuis?)."
    ContactNote.objects.create(
        customer_id=mandate.user_id,
        meter=meter,
        kind=ContactNote.Kind.NOTE,
        text=(
            f"Mandaat {mandate.reference_number} werd in Mijn Fluvius goedgekeurd voor EAN {mandate.ean}, "
            f"maar de klant koppelde die meter niet in het portaal. {where} Niets overgenomen: geen meter "
            "aangemaakt of van eigenaar veranderd, geen gegevens opgehaald. De klant ziet een melding op "
            "het overzicht. Koppelt de klant de meter zelf, dan wordt de historiek opgehaald; na een "
            "eigenaarswissel door support: 'opnieuw synchroniseren'."
        ),
    )
    logger.warning(
        "mandate %s approved for EAN %s, which user %s has not linked: nothing taken",
        mandate.reference_number,
        mandate.ean,
        mandate.user_id,
    )


def sync_dead_letter_record(*, meter_id: int, task: str, arguments: dict, error: str) -> None:
    """Keep a sync that failed after its last retry, for an operator to look at and replay."""
    if Meter.objects.filter(pk=meter_id).exists():
        SyncDeadLetter.objects.create(meter_id=meter_id, task=task, arguments=arguments, error=error[:5000])
    logger.error("sync %s for meter %s failed for good: %s", task, meter_id, error)


# The return page asks Fluvius about one reference at most this often; between, it queues a poll.
RETURN_CHECK_SECONDS = 60


def mandate_return_refresh(*, reference_number: str) -> bool:
    """The homeowner is back from Mijn Fluvius: bring this one request's status in, without waiting.

    A web request must never wait on Fluvius (a 429 with Retry-After would otherwise hold a web
    worker for up to a minute per retry). So: at most one status call per reference per
    ``RETURN_CHECK_SECONDS``, with ``FLUVIUS_IN_REQUEST_TIMEOUT_SECONDS`` and no retries; when that
    call fails, or a call was made less than a minute ago, a ``meters.poll_mandate`` task is
    queued instead (at most one a minute per reference), and the worker retries with back-off.
    Returns True when Fluvius answered now, False when the check was queued.
    """
    if cache.add(f"mandate-return:call:{reference_number}", 1, timeout=RETURN_CHECK_SECONDS):
        client = FluviusClient.from_settings(
            timeout=settings.FLUVIUS_IN_REQUEST_TIMEOUT_SECONDS, max_retries=0
        )
        try:
            mandates_refresh(reference_number=reference_number, client=client)
            return True
        except FluviusError as exc:
            logger.warning("status call on return for %s failed, poll queued: %s", reference_number, exc)
        finally:
            client.close()
    if cache.add(f"mandate-return:queued:{reference_number}", 1, timeout=RETURN_CHECK_SECONDS):
        _queue_after_commit("meters.poll_mandate", reference_number)
    return False


def mandates_refresh(*, full: bool = False, reference_number: str | None = None, client=None) -> PollResult:
    """Poll mandate statuses; queue the back-fill of newly approved ones, check faults of ended ones."""
    result = mandates_poll(full=full, reference_number=reference_number, client=client)
    for mandate in Mandate.objects.filter(pk__in=result.newly_approved).select_related("user"):
        try:
            meter = backfill_start(mandate=mandate)
        except MandateNotLinked:
            _mandate_not_linked_note(mandate)
            continue
        _queue_after_commit("meters.backfill_meter", meter.pk)
    # An ended mandate (rejected, revoked, expired) needs the homeowner now, not at the next beat.
    for mandate in Mandate.objects.filter(pk__in=result.ended):
        for meter in Meter.objects.filter(owner=mandate.user_id, ean=mandate.ean):
            faults_detect(meter=meter, days=())
    return result
