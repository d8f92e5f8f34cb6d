"""Celery tasks of privacy: thin wrappers around privacy.services (the page-view log, campaigns, the DPO mailbox,
the downloads of Mijn gegevens: built when asked, their files cleaned up hourly).

Both are idempotent and safe to rerun after any failure (see the service); beat queues them
(``CELERY_BEAT_SCHEDULE``: the flush every ``PAGE_VIEWS_FLUSH_SECONDS``, the retention daily).
"""

import smtplib
from dataclasses import asdict

from celery import current_app, shared_task
from django.conf import settings

from privacy.services.campaigns import SEND_TASK, campaign_send_batch
from privacy.services.dpo_inbox import dpo_mailbox_poll
from privacy.services.exports import export_build, exports_cleanup
from privacy.services.page_views import page_views_flush, page_views_retention_apply


@shared_task(name="privacy.flush_page_views")
def flush_page_views() -> dict:
    """Write the page views recorded in Redis to the database."""
    return asdict(page_views_flush())


@shared_task(name="privacy.page_views_retention")
def page_views_retention() -> dict:
    """Cut old addresses to their network and delete rows past their keeping period."""
    return asdict(page_views_retention_apply())


@shared_task(
    name=SEND_TASK,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=8,
)
def campaign_send(campaign_id: int) -> int:
    """Send one batch of the campaign, then queue the next one (one batch per task run)."""
    remaining = campaign_send_batch(campaign_id=campaign_id)
    if remaining:
        current_app.send_task(SEND_TASK, args=[campaign_id])
    return remaining


@shared_task(name="privacy.poll_dpo_mailbox")
def poll_dpo_mailbox() -> dict:
    """Turn new mail in the DPO mailbox into deletion requests (nothing when DPO_IMAP_URL is empty)."""
    if not settings.DPO_IMAP_URL:
        return {"skipped": "DPO_IMAP_URL is not set"}
    return asdict(dpo_mailbox_poll())


@shared_task(name="privacy.build_export")
def build_export(export_id: int) -> str:
    """Write the ZIP of one download of Mijn gegevens (idempotent)."""
    export = export_build(export_id=export_id)
    return export.status if export is not None else "missing"


@shared_task(name="privacy.exports_cleanup")
def cleanup_exports() -> dict:
    """Delete the files of expired downloads (beat, hourly)."""
    return exports_cleanup()
