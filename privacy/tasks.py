"""Celery tasks of the page-view log: thin wrappers around privacy.services.page_views.

Both are idempotent and safe to rerun after any failure (see the service); beat queues them
(``CELERY_BEAT_SCHEDULE``: the flush every ``PAGE_VIEWS_FLUSH_SECONDS``, the retention daily).
"""

from dataclasses import asdict

from celery import shared_task

from privacy.services.page_views import page_views_flush, page_views_retention_apply


@shared_task(name="privacy.flush_page_views")
def flush_page_views() -> dict:
    """Write the page views recorded in Redis to the database."""
    return asdict(page_views_flush())


@shared_task(name="privacy.page_views_retention")
def page_views_retention() -> dict:
    """Cut old addresses to their network and delete rows past their keeping period."""
    return asdict(page_views_retention_apply())
