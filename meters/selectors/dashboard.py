"""The homeowner's dashboard: per meter yesterday, this month and this year, mandate and freshness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from consents.models import Mandate
from consents.selectors.mandates import (
    MandateDisplay,
    mandate_display,
    mandates_current,
    mandates_of_user_and_eans,
)
from consents.selectors.restriction import processing_restricted
from meters.models import Meter
from meters.selectors.charts import ChartPoint, recent_days_for_meters
from meters.selectors.faults import FaultDisplay, fault_displays_by_meter
from meters.selectors.periods import PeriodFigures, local_today, meter_days_for_meters
from meters.selectors.readings import meters_for_user
from meters.selectors.tariff import CapacitySummary, capacity_months, capacity_tariff_summaries
from meters.selectors.visibility import ALL_DAYS, VisiblePeriods, visible_periods_for_meters

RECENT_DAYS = 30  # the small chart's days


@dataclass(frozen=True, slots=True)
class MeterDashboard:
    """Everything one meter's dashboard card shows.

    ``this_month`` and ``this_year`` run up to and including yesterday (today's data arrives
    tomorrow). ``latest_day`` is the last local day with any stored value; ``last_sync_at`` the
    last successful Fluvius pull (``None`` for data that came another way, e.g. a CSV import).
    ``capacity`` is the capacity tariff on ``today`` (this month's peak so far, 12-month average).
    ``faults`` are the meter's open faults (storingen), told for the homeowner.
    """

    meter: Meter
    today: date
    yesterday: PeriodFigures
    this_month: PeriodFigures
    this_year: PeriodFigures
    mandate: Mandate | None
    mandate_display: MandateDisplay
    latest_day: date | None
    last_sync_at: datetime | None
    capacity: CapacitySummary
    faults: tuple[FaultDisplay, ...] = ()
    recent: tuple[ChartPoint, ...] = ()  # the last 30 days, one point each (the small chart)
    backfill_percent: int | None = None  # a running back-fill's progress (MeterSyncState)

    @property
    def yesterday_date(self) -> date:
        return self.yesterday.start

    @property
    def quarter_hour_day(self) -> date:
        """The day "Per kwartier" opens: the last day with data (up to yesterday), not an empty
        yesterday that Fluvius has not delivered yet."""
        if self.latest_day is None:
            return self.yesterday_date
        return min(self.latest_day, self.yesterday_date)


def latest_data_day(*, meter: Meter, visible: VisiblePeriods = ALL_DAYS) -> date | None:
    """The last (visible) local day for which ``meter`` has at least one stored quarter-hour value."""
    return meter_days_for_meters(meters=[(meter, visible)], periods=[])[meter.pk].latest_data_day


def _dashboards(
    *,
    user,
    meters: list[Meter],
    today: date | None,
    paused: bool | None = None,
    mandates: list[Mandate] | None = None,
) -> list[MeterDashboard]:
    """The cards of ``meters`` (all ``user``'s), in a fixed number of queries whatever their number:
    each read below fetches for every meter at once. ``paused`` (``processing_restricted``) and
    ``mandates`` (``mandates_of_user_and_eans`` of the meters' EANs): when the caller already
    knows them."""
    today = today or local_today()
    yesterday = today - timedelta(days=1)
    eans = [meter.ean for meter in meters]
    if mandates is None:
        mandates = mandates_of_user_and_eans(user=user, eans=eans)
    visible = visible_periods_for_meters(user=user, meters=meters, mandates=mandates)
    pairs = [(meter, visible[meter.pk]) for meter in meters]
    current = mandates_current(user=user, eans=eans, mandates=mandates)
    if paused is None:
        paused = processing_restricted(user=user)
    # One read of the daily totals: the three periods, the last 30 days, the capacity tariff's peaks.
    days = meter_days_for_meters(
        meters=pairs,
        periods=[
            (yesterday, today),
            (yesterday.replace(day=1), today),
            (yesterday.replace(month=1, day=1), today),
        ],
        today=today,
        days=(today - timedelta(days=RECENT_DAYS), today),
        peak_months=capacity_months(today),
    )
    capacity = capacity_tariff_summaries(
        meters=pairs, today=today, peaks={pk: list(found.monthly_peaks) for pk, found in days.items()}
    )
    faults = fault_displays_by_meter(user=user)
    recent = recent_days_for_meters(
        meters=pairs,
        first_data_days={pk: found.first_data_day for pk, found in days.items()},
        today=today,
        days=RECENT_DAYS,
        rows={pk: list(found.days) for pk, found in days.items()},
    )
    cards = []
    for meter in meters:
        sync = getattr(meter, "sync_state", None)
        mandate = current[meter.ean]
        yesterday_figures, this_month, this_year = days[meter.pk].periods
        cards.append(
            MeterDashboard(
                meter=meter,
                today=today,
                yesterday=yesterday_figures,
                this_month=this_month,
                this_year=this_year,
                mandate=mandate,
                mandate_display=mandate_display(mandate=mandate, paused=paused),
                latest_day=days[meter.pk].latest_data_day,
                last_sync_at=sync.last_success_at if sync else None,
                backfill_percent=sync.backfill_percent if sync else None,
                capacity=capacity[meter.pk],
                faults=tuple(faults.get(meter.pk, ())),
                recent=tuple(recent[meter.pk]),
            )
        )
    return cards


def meter_dashboard(
    *, user, meter: Meter, today: date | None = None, paused: bool | None = None
) -> MeterDashboard:
    """The dashboard figures of one of ``user``'s meters (``meter`` must come from ``meters_for_user``),
    over the days of it that ``user`` may see (``visible_periods``); ``paused``: whether
    ``user``'s processing is paused, when the caller knows (else it is read)."""
    return _dashboards(user=user, meters=[meter], today=today, paused=paused)[0]


def _not_linked(*, user, mandates: list[Mandate], linked: set[str]) -> list[Mandate]:
    """Of ``mandates``: ``user``'s approved ones for EANs not in ``linked``, the latest approval of
    each EAN (then the highest id), in EAN order."""
    by_ean: dict[str, Mandate] = {}
    for mandate in mandates:
        if mandate.user_id != user.pk or mandate.status != Mandate.Status.APPROVED or mandate.ean in linked:
            continue
        kept = by_ean.get(mandate.ean)
        if kept is None or _approval_order(mandate) > _approval_order(kept):
            by_ean[mandate.ean] = mandate
    return [by_ean[ean] for ean in sorted(by_ean)]


def _approval_order(mandate: Mandate) -> tuple:
    # The database's "-approved_at, -pk" (PostgreSQL sorts NULL first when descending), as a key.
    return (mandate.approved_at is None, mandate.approved_at, mandate.pk)


def mandates_not_linked(*, user) -> list[Mandate]:
    """``user``'s approved mandates for EANs they have not linked in the portal (one per EAN).

    A homeowner may approve our request in Mijn Fluvius for other EANs than the one they linked;
    such a mandate takes no meter and fetches nothing (``meters.services.sync.MandateNotLinked``)
    until they link the meter themselves. The dashboard says so.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    linked = Meter.objects.filter(owner=user).values("ean")
    mandates = Mandate.objects.filter(user=user, status=Mandate.Status.APPROVED).exclude(ean__in=linked)
    return _not_linked(user=user, mandates=list(mandates), linked=set())


def dashboards_for_user(*, user, today: date | None = None) -> list[MeterDashboard]:
    """One dashboard per meter of ``user`` (none for anyone else's), in the meter list's order."""
    return _dashboards(user=user, meters=list(meters_for_user(user=user)), today=today)


@dataclass(frozen=True, slots=True)
class HomeDashboard:
    """The homeowner's home page: a card per meter (``dashboards_for_user``) and their approved
    mandates for EANs they did not link (``mandates_not_linked``)."""

    cards: list[MeterDashboard]
    unlinked_mandates: list[Mandate]


def home_dashboard(*, user, today: date | None = None, paused: bool | None = None) -> HomeDashboard:
    """``dashboards_for_user`` and ``mandates_not_linked`` of ``user`` together: one read of their
    mandates serves both (``paused`` as for ``meter_dashboard``)."""
    if not getattr(user, "is_authenticated", False):
        return HomeDashboard([], [])
    meters = list(meters_for_user(user=user))
    mandates = mandates_of_user_and_eans(user=user, eans=[meter.ean for meter in meters])
    cards = _dashboards(user=user, meters=meters, today=today, paused=paused, mandates=mandates)
    unlinked = _not_linked(user=user, mandates=mandates, linked={meter.ean for meter in meters})
    return HomeDashboard(cards, unlinked)
