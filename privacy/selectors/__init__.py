"""Reading policy documents (the current version a visitor sees, and the earlier ones) and the
page-view log's totals, and campaigns' progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Min, QuerySet
from django.db.models.functions import TruncDate

from consents.selectors.communications import communication_audience
from ilusmart import clock
from privacy.models import CampaignDelivery, PageView, PolicyDocument
from privacy.services.page_views import page_views_waiting


def policy_language(language_code: str | None) -> str:
    """The document language for a Django language code ("nl-be" → "nl", "en" → "en")."""
    return (
        PolicyDocument.Language.EN if (language_code or "").startswith("en") else PolicyDocument.Language.NL
    )


def policy_versions(*, kind: str, language: str) -> QuerySet[PolicyDocument]:
    """Every published version of ``kind`` in ``language``, newest first."""
    return PolicyDocument.objects.filter(
        kind=kind, language=language, status=PolicyDocument.Status.PUBLISHED
    ).order_by("-version")


def policy_current(*, kind: str, language: str) -> PolicyDocument | None:
    """The version in force: the newest published one (in Dutch when ``language`` has none yet)."""
    current = policy_versions(kind=kind, language=language).first()
    if current is None and language != PolicyDocument.Language.NL:
        current = policy_versions(kind=kind, language=PolicyDocument.Language.NL).first()
    return current


# --- the page-view log: totals only (privacy.models.PageView) --------------------------------------


@dataclass(frozen=True)
class PageViewDay:
    day: date
    views: int
    logged_in: int  # of which by a logged-in person


@dataclass(frozen=True)
class PageViewTotals:
    first_day: date
    last_day: date
    views: int
    days: list[PageViewDay]  # every day of the period, oldest first, days without views too
    pages: list[tuple[str, int]]  # (path, views), most viewed first, at most ``pages`` of them
    more_pages: int  # pages left out of ``pages``


def page_view_totals(*, first_day: date, last_day: date, pages: int = 50) -> PageViewTotals:
    """Views per local day and per page from ``first_day`` to ``last_day`` (inclusive).

    Counts only: no address, no person, not even a count of distinct addresses ("iLumen maakt
    geen analyses van de IP adressen", the privacy statement says).
    """
    start = datetime.combine(first_day, time.min, clock.BRUSSELS)
    end = datetime.combine(last_day + timedelta(days=1), time.min, clock.BRUSSELS)
    period = PageView.objects.filter(viewed_at__gte=start, viewed_at__lt=end)
    by_day = {
        row["day"]: row
        for row in period.annotate(day=TruncDate("viewed_at", tzinfo=clock.BRUSSELS))
        .values("day")
        .annotate(views=Count("pk"), logged_in=Count("user"))
    }
    days = []
    day = first_day
    while day <= last_day:
        row = by_day.get(day, {})
        days.append(PageViewDay(day=day, views=row.get("views", 0), logged_in=row.get("logged_in", 0)))
        day += timedelta(days=1)
    per_page = list(period.values("path").annotate(views=Count("pk")).order_by("-views", "path"))
    return PageViewTotals(
        first_day=first_day,
        last_day=last_day,
        views=sum(d.views for d in days),
        days=days,
        pages=[(row["path"], row["views"]) for row in per_page[:pages]],
        more_pages=max(0, len(per_page) - pages),
    )


@dataclass(frozen=True)
class PageViewLogState:
    rows: int
    oldest: datetime | None
    whole_addresses_past_limit: int  # rows older than PAGE_VIEWS_IP_DAYS with an uncut address: 0
    rows_past_limit: int  # rows older than PAGE_VIEWS_KEEP_DAYS: 0
    waiting: int | None  # views recorded in Redis, not yet written (None: Redis unreachable)


def page_view_log_state(*, now: datetime | None = None) -> PageViewLogState:
    """What the DPO checks: how much is kept, since when, and that the retention keeps its promise."""
    now = now or clock.now()
    rows = PageView.objects.all()
    return PageViewLogState(
        rows=rows.count(),
        oldest=rows.aggregate(oldest=Min("viewed_at"))["oldest"],
        whole_addresses_past_limit=rows.filter(
            viewed_at__lt=now - timedelta(days=settings.PAGE_VIEWS_IP_DAYS), ip_truncated=False
        ).count(),
        rows_past_limit=rows.filter(
            viewed_at__lt=now - timedelta(days=settings.PAGE_VIEWS_KEEP_DAYS)
        ).count(),
        waiting=page_views_waiting(),
    )


def campaign_progress(*, campaign) -> dict[str, int]:
    """How many of a campaign's recipients are in each state, plus ``total`` (for the admin)."""
    counts = dict(
        campaign.deliveries.values("status").annotate(n=Count("pk")).values_list("status", "n").order_by()
    )
    progress = {status: counts.get(status, 0) for status in CampaignDelivery.Status.values}
    progress["total"] = sum(counts.values())
    return progress


def campaign_audience_size(*, campaign) -> int:
    """How many people a draft would reach if it went out now."""
    return communication_audience(channel=campaign.channel, topic=campaign.topic).count()
