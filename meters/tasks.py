"""Celery tasks of the Fluvius pipeline: thin wrappers around meters.services.sync.

Each takes ids, calls one service, is idempotent (ingest merges; progress is committed with the
data), and is re-queued if its worker dies (acks_late + reject_on_worker_lost in settings).
"""

import logging
from datetime import date, timedelta

from celery import Task, current_app, shared_task
from django.db import transaction

from consents.services.mandates import NoActiveMandate
from ilusmart.fluvius.errors import FluviusMandateNotActive, FluviusNotFound, FluviusUnavailable
from meters.models import Meter
from meters.selectors.faults import meters_for_fault_detection
from meters.services import csv_import, sync
from meters.services.faults import faults_detect
from meters.task_runs import periodic_task_finished, periodic_task_started  # noqa: F401 (connects them)

logger = logging.getLogger("ilusmart.sync")

RETRYABLE = (FluviusUnavailable, sync.SyncBusy)
# Fluvius says the mandate is not active (403) or the EAN/mandate is unknown (404): the service
# has already suspended the mandate (or marked it not found) and recorded the error, and a
# retry cannot succeed. The task ends as a skip, not as a failure with a dead letter.
SETTLED_BY_THE_SERVICE = (NoActiveMandate, FluviusMandateNotActive, FluviusNotFound)


class SyncTask(Task):
    """Retries transient failures with back-off; after the last retry, writes a dead letter."""

    autoretry_for = RETRYABLE
    max_retries = 5
    retry_backoff = 60
    retry_backoff_max = 3600
    retry_jitter = True

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        meter_id = kwargs.get("meter_id", args[0] if args else None)
        if meter_id is not None:
            sync.sync_dead_letter_record(
                meter_id=meter_id,
                task=self.name,
                arguments={"args": list(args), "kwargs": kwargs},
                error=f"{type(exc).__name__}: {exc}",
            )


def _skipped(refused: Exception) -> dict:
    reason = "no active mandate" if isinstance(refused, NoActiveMandate) else type(refused).__name__
    logger.info("sync skipped: %s", reason)
    return {"skipped": reason}


def _meter(meter_id: int) -> Meter | None:
    meter = Meter.objects.select_related("owner").filter(pk=meter_id).first()
    if meter is None:
        logger.warning("meter %s no longer exists; nothing to sync", meter_id)
    return meter


@shared_task(base=SyncTask, bind=True, name="meters.sync_meter_daily")
def sync_meter_daily(self, meter_id: int) -> dict:
    """The daily pull of one meter (trailing 7 days + insertTime catch-up)."""
    meter = _meter(meter_id)
    if meter is None:
        return {"skipped": "no meter"}
    try:
        result = sync.meter_sync_daily(meter=meter, wait_seconds=0)
    except SETTLED_BY_THE_SERVICE as refused:
        return _skipped(refused)
    return {"requests": result.requests, "inserted": result.ingest.inserted, "updated": result.ingest.updated}


@shared_task(base=SyncTask, bind=True, name="meters.backfill_meter")
def backfill_meter(self, meter_id: int) -> dict:
    """Back-fill one meter's mandate period, resuming from its committed progress."""
    meter = _meter(meter_id)
    if meter is None:
        return {"skipped": "no meter"}
    try:
        result = sync.meter_backfill(meter=meter, wait_seconds=0)
    except SETTLED_BY_THE_SERVICE as refused:
        return _skipped(refused)
    return {"requests": result.requests, "inserted": result.ingest.inserted}


@shared_task(base=SyncTask, bind=True, name="meters.sync_meter_range")
def sync_meter_range(self, meter_id: int, first: str, last: str) -> dict:
    """Fetch one meter's local days [first, last] (ISO dates) again; support queues it from the console."""
    meter = _meter(meter_id)
    if meter is None:
        return {"skipped": "no meter"}
    start = sync.local_midnight(date.fromisoformat(first))
    end = sync.local_midnight(date.fromisoformat(last) + timedelta(days=1))
    try:
        result = sync.meter_sync_range(meter=meter, start=start, end=end, wait_seconds=0)
    except NoActiveMandate:
        return {"skipped": "no active mandate"}
    return {"requests": result.requests, "inserted": result.ingest.inserted, "updated": result.ingest.updated}


@shared_task(name="meters.sync_all_daily")
def sync_all_daily() -> int:
    """Queue the daily pull of every meter with an active mandate (beat, once a day)."""
    meters = sync.meters_due_for_daily_sync()
    for meter in meters:
        sync_meter_daily.delay(meter.pk)
    return len(meters)


@shared_task(
    name="meters.poll_mandates", autoretry_for=(FluviusUnavailable,), max_retries=3, retry_backoff=60
)
def poll_mandates(full: bool = False) -> dict:
    """Bring mandate statuses up to date; start the back-fill of newly approved ones."""
    result = sync.mandates_refresh(full=full)
    return {"seen": result.seen, "changed": result.changed, "approved": len(result.newly_approved)}


@shared_task(name="meters.poll_mandate", autoretry_for=(FluviusUnavailable,), max_retries=5, retry_backoff=30)
def poll_mandate(reference_number: str) -> dict:
    """Poll one mandate request (queued by the return page when Fluvius did not answer at once)."""
    result = sync.mandates_refresh(reference_number=reference_number)
    return {"seen": result.seen, "changed": result.changed, "approved": len(result.newly_approved)}


@shared_task(name="meters.detect_faults_meter")
def detect_faults_meter(meter_id: int) -> dict:
    """Fault detection for one meter over the last weeks and today (idempotent)."""
    meter = _meter(meter_id)
    if meter is None:
        return {"skipped": "no meter"}
    result = faults_detect(meter=meter)
    return {"opened": len(result.opened), "closed": len(result.closed), "updated": len(result.updated)}


@shared_task(name="meters.detect_faults_all")
def detect_faults_all() -> int:
    """Queue fault detection for every meter (beat, once a day, after the daily pull)."""
    meter_ids = list(meters_for_fault_detection().values_list("pk", flat=True))
    for meter_id in meter_ids:
        transaction.on_commit(
            lambda pk=meter_id: current_app.send_task("meters.detect_faults_meter", args=[pk])
        )
    return len(meter_ids)


@shared_task(name="meters.import_readings")
def import_readings(import_id: int) -> dict:
    """Import an uploaded Mijn Fluvius CSV file (queued by the upload; idempotent)."""
    try:
        summary = csv_import.readings_csv_import_run(import_id=import_id)
    except csv_import.ReadingImportRejected as rejected:
        return {"rejected": rejected.code}
    if summary is None:
        return {"skipped": "not queued"}
    return {"imported": summary.values_imported, "updated": summary.values_updated}
