"""Fault detection (storingen): find episodes of four conditions in a meter's data and keep one
``Fault`` per episode, opened and closed by the data; and the staff's handling of faults.

``faults_detect`` is the one entry point of detection. It runs after every sync, back-fill and
CSV import (over the days they brought in), from the daily beat and from ``manage.py
detect_faults``. It is idempotent: it computes the episodes from the stored data, compares them
with the stored faults and writes only what differs, so a second run writes nothing.

Two kinds of condition:

- **Day conditions** (``inverter_suspected``, ``data_anomaly``) hold or not on each local day,
  from the stored readings alone, so past episodes are found (and closed) after a back-fill.
  Each day is *true*, *false* or *unknown* (incomplete day, out of season, …); an episode opens
  on its first true day once enough true days follow each other and closes on the first false
  day after it (``resolved`` = that day). Unknown days never close an episode.
- **Present conditions** (``feed_stale``, ``mandate_action``) are about today: the mandate's
  state and how old the newest reading is. They open with the day the condition began and close
  on the day detection sees it cleared.

The thresholds, and why these: docs/faults.md. Staff decisions win: a fault staff closed
(resolved or false alarm) is never reopened for the same episode, and a fault staff opened by
hand is never closed as unconfirmed.
"""

from __future__ import annotations

import logging
import statistics
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from consents.models import Mandate
from consents.selectors.restriction import processing_restricted
from ilusmart import clock, errors
from ilusmart.errors import ApplicationError
from meters.models import DailyTotal, Fault, Meter, MeterSyncState, Product, ReadingDay

logger = logging.getLogger("ilusmart.faults")
_LOCK_NAMESPACE = 7_041_978  # first key of the two-key advisory lock: "fault detection" (sync: …977)
ONE_DAY = timedelta(days=1)

# --- Thresholds (docs/faults.md explains each) ---------------------------------------------------
# Days ``faults_detect(days=None)`` evaluates (the daily beat): the last five weeks.
DEFAULT_WINDOW_DAYS = 35
# inverter_suspected
SEASON_MONTHS = frozenset(range(3, 11))  # March–October
# Average PV yield in Flanders, kWh per kWp per day, January–December (about 950 kWh/kWp a year).
PV_YIELD_KWH_PER_KWP_DAY = tuple(
    Decimal(v) for v in ("0.7", "1.4", "2.5", "3.7", "4.3", "4.6", "4.5", "3.9", "3.0", "1.8", "0.9", "0.55")
)
NEAR_ZERO_FLOOR_WH = 50
NEAR_ZERO_SHARE_OF_EXPECTED = Decimal("0.02")  # of kWp × the month's average yield
NEAR_ZERO_SHARE_OF_OWN_MEDIAN = Decimal("0.05")  # of the meter's median injection of recent days
REFERENCE_DAYS = 28
REFERENCE_MIN_DAYS = 7
# Consecutive near-zero days needed, by the month the run starts in: a dark spring or autumn
# day can leave nothing to inject; a summer day almost never does.
RUN_DAYS_BY_MONTH = {3: 4, 4: 3, 5: 2, 6: 2, 7: 2, 8: 2, 9: 3, 10: 4}
BATTERY_EXTRA_DAYS = 1  # a home battery absorbs the surplus of a grey day
PV_HISTORY_DAYS = 365
PV_HISTORY_MIN_DAYS = 14
PV_HISTORY_DAY_WH = 1000
COMPLETE_MAX_MISSING_SLOTS = 4  # a "complete" day misses at most an hour of values
# feed_stale
STALE_AFTER_DAYS = 3  # beyond the normal day of delay: the newest day with values < today − 4
# mandate_action
REQUESTED_MAX_DAYS = 7
# data_anomaly
MAX_QUARTER_HOUR_WH = 11_000  # 44 kW for 15 minutes: more than a 3 × 63 A residential connection
GAP_MIN_SLOTS = 8  # two hours without a value in the middle of delivered data

SEVERITY = {
    Fault.Type.INVERTER_SUSPECTED: Fault.Severity.HIGH,
    Fault.Type.MANDATE_ACTION: Fault.Severity.MEDIUM,
    Fault.Type.FEED_STALE: Fault.Severity.MEDIUM,
    Fault.Type.DATA_ANOMALY: Fault.Severity.LOW,
}
REASON_UNCONFIRMED = "De meetgegevens bevestigen deze storing niet meer (gegevens aangevuld of gecorrigeerd)."


class FaultActionRefused(ApplicationError):
    """A staff action that does not fit the fault's state (e.g. resolving a closed fault)."""

    kind = errors.CONFLICT
    default_code = "fault_action_refused"


@dataclass
class DetectResult:
    """What one ``faults_detect`` run changed (fault ids)."""

    meter_id: int
    opened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.opened or self.closed or self.updated)


@dataclass
class _Episode:
    start: date
    end: date | None = None  # the day the condition cleared; None while it holds
    evidence: dict = field(default_factory=dict)
    reason: str = ""  # why it cleared


# --- Entry point ---------------------------------------------------------------------------------


def faults_detect(*, meter: Meter, days: Iterable[date] | None = None) -> DetectResult:
    """Bring ``meter``'s faults in line with its data and mandate; idempotent.

    ``days``: the local dates that changed (what a sync, back-fill or import brought in);
    ``None`` for the last ``DEFAULT_WINDOW_DAYS`` days. Day conditions are re-evaluated from the
    earliest of them (further back when an episode started earlier) to the newest stored day, so
    an episode that a back-fill finds in the past is opened and closed in one run. Present
    conditions are evaluated for today. Mails the homeowner (on commit) when a fault opens and
    they asked for it.
    """
    today = clock.local_today()
    days = sorted(set(days)) if days is not None else [today - timedelta(days=DEFAULT_WINDOW_DAYS)]
    result = DetectResult(meter_id=meter.pk)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, meter.pk])
        if days:
            data = _MeterData(meter, first_day=days[0])
            _reconcile_days(meter, Fault.Type.INVERTER_SUSPECTED, data, _inverter_episodes, result, today)
            _reconcile_days(meter, Fault.Type.DATA_ANOMALY, data, _anomaly_episodes, result, today)
        _reconcile_present(meter, Fault.Type.FEED_STALE, _feed_stale_now(meter, today), result, today)
        _reconcile_present(meter, Fault.Type.MANDATE_ACTION, _mandate_action_now(meter, today), result, today)
    if result.changed:
        logger.info(
            "faults of meter %s: opened %s, closed %s, updated %s",
            meter.pk,
            result.opened,
            result.closed,
            result.updated,
        )
    return result


def local_days_between(start: datetime, end: datetime) -> list[date]:
    """The local (Brussels) dates that the UTC interval [start, end) touches."""
    if end <= start:
        return []
    first = start.astimezone(clock.BRUSSELS).date()
    last = (end - timedelta(microseconds=1)).astimezone(clock.BRUSSELS).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# --- The stored data a run looks at ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Day:
    offtake_wh: int | None
    injection_wh: int | None
    slots_expected: int
    offtake_present: int
    injection_present: int

    @property
    def complete(self) -> bool:
        missing = self.slots_expected - min(self.offtake_present, self.injection_present)
        return missing <= COMPLETE_MAX_MISSING_SLOTS


class _MeterData:
    """One meter's daily totals (lazily, from a year before the first day looked at) and products."""

    def __init__(self, meter: Meter, *, first_day: date):
        self.meter = meter
        self.first_day = first_day
        bounds = DailyTotal.objects.filter(
            Q(offtake_slots_present__gt=0) | Q(injection_slots_present__gt=0), meter=meter
        ).aggregate(first=Min("day"), last=Max("day"))
        self.first_data_day: date | None = bounds["first"]
        self.last_data_day: date | None = bounds["last"]
        self._loaded_from: date | None = None
        self.totals: dict[date, _Day] = {}
        products = list(Product.objects.filter(meter=meter, kind__in=[Product.Kind.PV, Product.Kind.BATTERY]))
        self.pv_products = [p for p in products if p.kind == Product.Kind.PV]
        self.batteries = [p for p in products if p.kind == Product.Kind.BATTERY]
        self._history: list[date] | None = None
        state = MeterSyncState.objects.filter(meter=meter).first()
        self.backfill_complete = state is None or state.backfill_complete

    def ensure_loaded(self, since: date) -> None:
        """Daily totals from ``since`` minus the PV history window on (once, or further back)."""
        start = since - timedelta(days=PV_HISTORY_DAYS)
        if self._loaded_from is not None and self._loaded_from <= start:
            return
        rows = DailyTotal.objects.filter(meter=self.meter, day__gte=start)
        if self._loaded_from is not None:
            rows = rows.filter(day__lt=self._loaded_from)
        for day, *values in rows.values_list(
            "day",
            "offtake_wh",
            "injection_wh",
            "slots_expected",
            "offtake_slots_present",
            "injection_slots_present",
        ):
            self.totals[day] = _Day(*values)
        self._loaded_from = start
        self._history = None

    def installed(self, products: list[Product], day: date) -> list[Product]:
        return [p for p in products if p.installed_on is None or p.installed_on <= day]

    def injecting_days(self) -> list[date]:
        """Sorted complete days with at least ``PV_HISTORY_DAY_WH`` injection (for PV by history)."""
        if self._history is None:
            self._history = sorted(
                d for d, t in self.totals.items() if t.complete and (t.injection_wh or 0) >= PV_HISTORY_DAY_WH
            )
        return self._history


# --- Day conditions ------------------------------------------------------------------------------


def _reconcile_days(meter, fault_type, data: _MeterData, episodes_for, result: DetectResult, today: date):
    """Compute the episodes of a day condition and make the stored faults match them."""
    if data.last_data_day is None:
        return
    active = Fault.objects.filter(meter=meter, type=fault_type, status__in=Fault.ACTIVE_STATUSES).first()
    start = data.first_day
    if active is not None:
        start = min(start, active.started)
    start = max(start, data.first_data_day)
    if start > data.last_data_day:
        return
    while True:
        data.ensure_loaded(start)
        episodes = episodes_for(data, start, data.last_data_day)
        # An episode that begins on the first day looked at may have begun earlier: look further back.
        if episodes and episodes[0].start == start and start > data.first_data_day:
            start = max(data.first_data_day, start - timedelta(days=60))
            continue
        break
    stored = list(
        Fault.objects.filter(meter=meter, type=fault_type)
        .filter(Q(started__gte=start) | Q(status__in=Fault.ACTIVE_STATUSES))
        .order_by("started", "pk")
    )
    unmatched = list(stored)
    for episode in episodes:
        fault = _match(episode, unmatched)
        if fault is None:
            _open(meter, fault_type, episode, result)
            continue
        unmatched.remove(fault)
        _follow(fault, episode, result)
    for fault in unmatched:
        if fault.is_active and fault.opened_by_id is None:
            _close(fault, resolved=max(today, fault.started), reason=REASON_UNCONFIRMED, result=result)


def _match(episode: _Episode, faults: list[Fault]) -> Fault | None:
    """The stored fault that is this episode: same start, else overlapping, else the open one."""
    for fault in faults:
        if fault.started == episode.start:
            return fault
    episode_end = episode.end or date.max
    for fault in faults:
        fault_end = fault.resolved or date.max
        if fault.started < episode_end and episode.start < fault_end:
            return fault
    if episode.end is None:
        return next((f for f in faults if f.is_active), None)
    return None


def _follow(fault: Fault, episode: _Episode, result: DetectResult) -> None:
    """Update a stored fault to what its episode now says; staff-closed faults are left alone."""
    if fault.closed_by_id is not None or fault.status == Fault.Status.FALSE_ALARM:
        return
    changes = {}
    if (
        fault.started != episode.start
        and fault.opened_by_id is None
        and not Fault.objects.filter(meter=fault.meter_id, type=fault.type, started=episode.start).exists()
    ):
        changes["started"] = episode.start
    if fault.evidence != episode.evidence and fault.opened_by_id is None:
        changes["evidence"] = episode.evidence
    if fault.is_active:
        if episode.end is not None:
            _close(fault, resolved=episode.end, reason=episode.reason, result=result, **changes)
            return
    elif episode.end is None:
        # Closed by detection, but the data now say the condition still holds: reopen.
        if not Fault.objects.filter(
            meter=fault.meter_id, type=fault.type, status__in=Fault.ACTIVE_STATUSES
        ).exists():
            changes.update(status=Fault.Status.OPEN, resolved=None, resolution_reason="")
    elif (fault.resolved, fault.resolution_reason) != (episode.end, episode.reason):
        changes.update(resolved=episode.end, resolution_reason=episode.reason)
    if changes:
        _save(fault, changes)
        result.updated.append(fault.pk)


def _inverter_episodes(data: _MeterData, start: date, end: date) -> list[_Episode]:
    """Runs of near-zero injection while offtake arrives, on a meter with PV (docs/faults.md)."""
    episodes: list[_Episode] = []
    current: _Episode | None = None
    run: list[tuple[date, dict]] = []
    day = start
    while day <= end:
        state, numbers = _inverter_day(data, day)
        if current is not None:
            if state is False:
                current.end = day
                current.reason = (
                    f"Injectie hersteld op {day.isoformat()}: {numbers['injection_wh']} Wh "
                    f"(drempel {numbers['threshold_wh']} Wh)."
                )
                episodes.append(current)
                current = None
        elif state is True:
            run.append((day, numbers))
            if len(run) >= _run_days_needed(data, run[0][0]):
                current = _Episode(start=run[0][0], evidence=_inverter_evidence(data, run))
                run = []
        else:
            run = []
        day += ONE_DAY
    if current is not None:
        episodes.append(current)
    return episodes


def _run_days_needed(data: _MeterData, first: date) -> int:
    extra = BATTERY_EXTRA_DAYS if data.installed(data.batteries, first) else 0
    return RUN_DAYS_BY_MONTH[first.month] + extra


def _inverter_day(data: _MeterData, day: date) -> tuple[bool | None, dict]:
    """(near-zero injection?, the numbers) for one day; None when the day cannot tell."""
    if day.month not in SEASON_MONTHS:
        return None, {}
    totals = data.totals.get(day)
    if totals is None or not totals.complete or not totals.offtake_wh:
        return None, {}  # no complete day, or no offtake arriving (a feed problem, not the inverter)
    pv_source = _pv_source(data, day)
    if pv_source is None:
        return None, {}
    threshold, basis = _near_zero_threshold(data, day)
    injection = totals.injection_wh or 0
    numbers = {
        "day": day.isoformat(),
        "injection_wh": injection,
        "offtake_wh": totals.offtake_wh,
        "threshold_wh": threshold,
        "pv": pv_source,
        **basis,
    }
    return injection <= threshold, numbers


def _pv_source(data: _MeterData, day: date) -> str | None:
    """ "product" when a PV product is installed, "history" when the meter injected regularly."""
    if data.installed(data.pv_products, day):
        return "product"
    injecting = data.injecting_days()
    since = bisect_left(injecting, day - timedelta(days=PV_HISTORY_DAYS))
    before = bisect_left(injecting, day)
    return "history" if before - since >= PV_HISTORY_MIN_DAYS else None


def _near_zero_threshold(data: _MeterData, day: date) -> tuple[int, dict]:
    """The injection (Wh) at or below which ``day`` counts as near zero, and what it came from."""
    basis: dict = {}
    candidates = []
    kwp = sum((p.kwp for p in data.installed(data.pv_products, day) if p.kwp), Decimal(0))
    if kwp:
        expected = kwp * PV_YIELD_KWH_PER_KWP_DAY[day.month - 1] * 1000
        basis["kwp"] = str(kwp)
        basis["expected_wh"] = int(expected)
        candidates.append(expected * NEAR_ZERO_SHARE_OF_EXPECTED)
    reference = [
        t.injection_wh or 0
        for d in (day - timedelta(days=n) for n in range(1, REFERENCE_DAYS + 1))
        if d.month in SEASON_MONTHS and (t := data.totals.get(d)) is not None and t.complete
    ]
    if len(reference) >= REFERENCE_MIN_DAYS:
        median = statistics.median(reference)
        basis["recent_median_wh"] = int(median)
        candidates.append(Decimal(median) * NEAR_ZERO_SHARE_OF_OWN_MEDIAN)
    threshold = max(NEAR_ZERO_FLOOR_WH, int(min(candidates))) if candidates else NEAR_ZERO_FLOOR_WH
    return threshold, basis


def _inverter_evidence(data: _MeterData, run: list[tuple[date, dict]]) -> dict:
    return {
        "days": [numbers for _day, numbers in run],
        "run_days_needed": _run_days_needed(data, run[0][0]),
        "floor_wh": NEAR_ZERO_FLOOR_WH,
    }


def _anomaly_episodes(data: _MeterData, start: date, end: date) -> list[_Episode]:
    """Runs of days with impossible values or inside a long gap of delivered data."""
    anomalous = _anomalous_days(data, start, end)
    episodes: list[_Episode] = []
    current: _Episode | None = None
    day = start
    while day <= end:
        if day in anomalous:
            if current is None:
                current = _Episode(
                    start=day,
                    evidence={
                        **anomalous[day],
                        "max_quarter_hour_wh": MAX_QUARTER_HOUR_WH,
                        "gap_min_slots": GAP_MIN_SLOTS,
                    },
                )
        elif current is not None and day in data.totals:
            current.end = day
            current.reason = f"Normale meetgegevens op {day.isoformat()}."
            episodes.append(current)
            current = None
        day += ONE_DAY
    if current is not None:
        episodes.append(current)
    return episodes


def _anomalous_days(data: _MeterData, start: date, end: date) -> dict[date, dict]:
    """Days of [start, end] with an impossible value or touched by a gap of ≥ GAP_MIN_SLOTS slots.

    A slot is missing when neither direction has a value. Missing slots before the meter's first
    value and after its last are not a gap (not delivered yet); whole days without a row count
    only once the back-fill is complete (before, they may simply not be fetched yet).
    """
    rows = {
        r.day: r
        for r in ReadingDay.objects.filter(meter=data.meter, day__gte=start - ONE_DAY, day__lte=end).only(
            "day", "offtake_wh", "injection_wh"
        )
    }
    found: dict[date, dict] = {}
    # (day, slot) of each missing slot, in order, to find runs across midnight.
    run: list[date] = []
    seen_value = data.first_data_day < start

    def close_run(trailing: bool) -> None:
        if len(run) >= GAP_MIN_SLOTS and seen_value and not trailing:
            first = run[0]
            for d in sorted(set(run)):
                if start <= d <= end:
                    entry = found.setdefault(d, {"day": d.isoformat()})
                    entry["gap_slots"] = max(entry.get("gap_slots", 0), len(run))
                    entry.setdefault("gap_from", first.isoformat())
        run.clear()

    day = max(start - ONE_DAY, data.first_data_day)
    while day <= end:
        row = rows.get(day)
        if row is None:
            if data.backfill_complete and data.first_data_day < day < data.last_data_day:
                run.extend([day] * data.totals.get(day, _Day(None, None, 96, 0, 0)).slots_expected)
            day += ONE_DAY
            continue
        offtake, injection = row.offtake_wh, row.injection_wh
        values = [v for v in (*offtake, *injection) if v is not None]
        if values and (max(values) > MAX_QUARTER_HOUR_WH or min(values) < 0) and start <= day:
            entry = found.setdefault(day, {"day": day.isoformat()})
            entry["max_offtake_wh"] = max((v for v in offtake if v is not None), default=None)
            entry["max_injection_wh"] = max((v for v in injection if v is not None), default=None)
            entry["min_wh"] = min(values)
        for off, inj in zip(offtake, injection, strict=True):
            if off is None and inj is None:
                run.append(day)
            else:
                close_run(trailing=False)
                seen_value = True
        day += ONE_DAY
    close_run(trailing=True)
    return found


# --- Present conditions --------------------------------------------------------------------------


@dataclass
class _Now:
    """A present condition as detection sees it today."""

    holds: bool
    started: date | None = None
    evidence: dict = field(default_factory=dict)
    key: str = ""  # what makes two sightings the same episode
    reason: str = ""  # why it does not hold (to close an open fault)


def _current_mandate(meter: Meter) -> Mandate | None:
    if meter.owner_id is None:
        return None
    mandates = Mandate.objects.filter(user=meter.owner_id, ean=meter.ean).order_by("-requested_at", "-pk")
    return mandates.filter(status=Mandate.Status.APPROVED).first() or mandates.first()


def _local_date(moment: datetime | None) -> date | None:
    return moment.astimezone(clock.BRUSSELS).date() if moment else None


def _feed_stale_now(meter: Meter, today: date) -> _Now:
    """An active mandate, approved more than 3 days ago, and no values after today − 4."""
    now = clock.now()
    mandate = _current_mandate(meter)
    active = (
        mandate is not None
        and mandate.status == Mandate.Status.APPROVED
        and (mandate.data_period_to is None or mandate.data_period_to > now)
    )
    if not active:
        return _Now(holds=False, reason="Geen actief mandaat meer.")
    newest = DailyTotal.objects.filter(
        Q(offtake_slots_present__gt=0) | Q(injection_slots_present__gt=0), meter=meter
    ).aggregate(last=Max("day"))["last"]
    approved_on = _local_date(mandate.approved_at) or today
    since = newest + ONE_DAY if newest else approved_on
    # Day D arrives on D + 1: stale when more than STALE_AFTER_DAYS days beyond that are missing.
    stale_from = max(since, approved_on) + timedelta(days=1 + STALE_AFTER_DAYS)
    if today < stale_from:
        reason = f"Nieuwe meetgegevens tot en met {newest.isoformat()}." if newest else "Net verbonden."
        return _Now(holds=False, reason=reason)
    sync = MeterSyncState.objects.filter(meter=meter).first()
    evidence = {
        "last_day_with_values": newest.isoformat() if newest else None,
        "mandate": mandate.reference_number,
        "fetch_suspended": mandate.fetch_suspended_at is not None,
        "last_sync_success": sync.last_success_at.isoformat() if sync and sync.last_success_at else None,
        "last_sync_error": (sync.last_error[:200] if sync else ""),
        "stale_after_days": STALE_AFTER_DAYS,
    }
    return _Now(holds=True, started=since, evidence=evidence, key=f"since:{since.isoformat()}")


def _mandate_action_now(meter: Meter, today: date) -> _Now:
    """The meter's current mandate needs the homeowner: renew, re-grant, or approve at last."""
    now = clock.now()
    mandate = _current_mandate(meter)
    if mandate is None:
        return _Now(holds=False, reason="Geen mandaat.")
    situation, since = None, today
    if mandate.status == Mandate.Status.REJECTED:
        situation, since = "rejected", _local_date(mandate.ended_at) or today
    elif mandate.status == Mandate.Status.FINISHED:
        expired = mandate.renewal_status == Mandate.RenewalStatus.EXPIRED
        situation = "expired" if expired else (mandate.end_reason or "finished")
        since = _local_date(mandate.ended_at) or today
    elif mandate.status == Mandate.Status.APPROVED:
        if mandate.expires_at and mandate.expires_at <= now:
            situation, since = "expired", _local_date(mandate.expires_at)
        elif mandate.renewal_status == Mandate.RenewalStatus.EXPIRED:
            situation = "expired"
        elif mandate.renewal_status == Mandate.RenewalStatus.TO_BE_RENEWED:
            situation = "to_be_renewed"
    elif mandate.status == Mandate.Status.REQUESTED:
        waiting_since = mandate.requested_at + timedelta(days=REQUESTED_MAX_DAYS)
        if waiting_since <= now:
            situation, since = "requested_too_long", _local_date(waiting_since)
    if situation is None:
        return _Now(holds=False, reason=f"Mandaat {mandate.reference_number} is in orde ({mandate.status}).")
    evidence = {
        "mandate": mandate.reference_number,
        "situation": situation,
        "status": mandate.status,
        "renewal_status": mandate.renewal_status,
        "end_reason": mandate.end_reason,
        "requested_at": mandate.requested_at.isoformat() if mandate.requested_at else None,
        "expires_at": mandate.expires_at.isoformat() if mandate.expires_at else None,
    }
    return _Now(
        holds=True,
        started=min(since, today),
        evidence=evidence,
        key=f"{mandate.reference_number}:{situation}",
    )


def _reconcile_present(meter, fault_type, now: _Now, result: DetectResult, today: date) -> None:
    active = Fault.objects.filter(meter=meter, type=fault_type, status__in=Fault.ACTIVE_STATUSES).first()
    if not now.holds:
        if active is not None and active.opened_by_id is None:
            _close(active, resolved=max(today, active.started), reason=now.reason, result=result)
        return
    evidence = {**now.evidence, "key": now.key}
    if active is not None:
        # The situation may change while it lasts (to be renewed → expired): keep what support sees current.
        if active.opened_by_id is None and active.evidence.get("key") != now.key:
            _save(active, {"evidence": evidence})
            result.updated.append(active.pk)
        return
    last = Fault.objects.filter(meter=meter, type=fault_type).order_by("-started", "-pk").first()
    if last is not None and last.evidence.get("key") == now.key:
        if last.closed_by_id is not None or last.status == Fault.Status.FALSE_ALARM:
            return  # staff closed this very episode: do not raise it again
        _save(last, {"status": Fault.Status.OPEN, "resolved": None, "resolution_reason": ""})
        result.updated.append(last.pk)
        return
    started = now.started
    if Fault.objects.filter(meter=meter, type=fault_type, started=started).exists():
        started = today  # a new episode on the day an earlier one began: count it from today
    _open(meter, fault_type, _Episode(start=started, evidence=evidence), result)


# --- Writing -------------------------------------------------------------------------------------


def _open(meter: Meter, fault_type: str, episode: _Episode, result: DetectResult) -> Fault | None:
    closed = episode.end is not None
    if Fault.objects.filter(meter=meter, type=fault_type, started=episode.start).exists():
        # Two episodes of changed data overlapping one stored fault: it already stands for both.
        logger.warning(
            "fault %s of meter %s on %s exists; not opened twice", fault_type, meter.pk, episode.start
        )
        return None
    fault = Fault.objects.create(
        meter=meter,
        type=fault_type,
        severity=SEVERITY[fault_type],
        started=episode.start,
        resolved=episode.end,
        status=Fault.Status.RESOLVED if closed else Fault.Status.OPEN,
        resolution_reason=episode.reason if closed else "",
        evidence=episode.evidence,
    )
    result.opened.append(fault.pk)
    if not closed and meter.fault_email:
        transaction.on_commit(lambda: fault_email_send(fault_id=fault.pk))
    return fault


def _close(fault: Fault, *, resolved: date, reason: str, result: DetectResult, **changes) -> None:
    _save(
        fault, {"status": Fault.Status.RESOLVED, "resolved": resolved, "resolution_reason": reason, **changes}
    )
    result.closed.append(fault.pk)


def _save(fault: Fault, changes: dict) -> None:
    for name, value in changes.items():
        setattr(fault, name, value)
    fault.updated_at = clock.now()
    fault.save(update_fields=[*changes, "updated_at"])


def fault_email_send(*, fault_id: int) -> None:
    """Mail the homeowner about a newly opened fault (they opted in on their meter's page)."""
    from meters.selectors.faults import fault_display

    fault = Fault.objects.select_related("meter__owner").filter(pk=fault_id).first()
    if fault is None or not fault.is_active or not fault.meter.fault_email:
        return
    owner = fault.meter.owner
    if owner is None or not owner.is_active or not owner.email:
        return
    if processing_restricted(user=owner):
        logger.info("fault %s: no email, processing is paused for its owner", fault.pk)
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "fault": fault,
            "meter": fault.meter,
            "display": fault_display(fault=fault),
            "link": settings.SITE_URL + reverse("meters:dashboard", args=[fault.meter_id]),
        }
        subject = render_to_string("meters/email/fault_opened_subject.txt", context).strip()
        body = render_to_string("meters/email/fault_opened_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email])


# --- Staff handling (admin) and the homeowner's opt-in --------------------------------------------


ACKNOWLEDGE, RESOLVE, FALSE_ALARM = "acknowledge", "resolve", "false_alarm"


def fault_action_check(*, fault: Fault, action: str, reason: str = "") -> None:
    """Raise ``FaultActionRefused`` when staff may not take ``action`` on ``fault`` as it stands."""
    if action == ACKNOWLEDGE and fault.status != Fault.Status.OPEN:
        raise FaultActionRefused(_("Alleen een open storing kan in behandeling genomen worden."))
    if action in (RESOLVE, FALSE_ALARM) and not fault.is_active:
        raise FaultActionRefused(_("Deze storing is al afgesloten."))
    if action == FALSE_ALARM and not reason.strip():
        raise FaultActionRefused(_("Geef aan waarom het vals alarm is."))
    if action not in (ACKNOWLEDGE, RESOLVE, FALSE_ALARM):
        raise FaultActionRefused(_("Onbekende actie: %(action)s") % {"action": action})


def fault_acknowledge(*, fault: Fault, by) -> Fault:
    """Support takes the fault up: open → acknowledged (assigned to them if nobody has it)."""
    fault_action_check(fault=fault, action=ACKNOWLEDGE)
    changes = {"status": Fault.Status.ACKNOWLEDGED}
    if fault.assignee_id is None:
        changes["assignee"] = by
    _save(fault, changes)
    return fault


def fault_close(*, fault: Fault, by, false_alarm: bool = False, reason: str = "") -> Fault:
    """Staff close a fault as resolved or as a false alarm, today, with their reason.

    Detection never reopens it for the same episode; a later episode opens a new fault.
    """
    fault_action_check(fault=fault, action=FALSE_ALARM if false_alarm else RESOLVE, reason=reason)
    _save(
        fault,
        {
            "status": Fault.Status.FALSE_ALARM if false_alarm else Fault.Status.RESOLVED,
            "resolved": max(clock.local_today(), fault.started),
            "resolution_reason": reason.strip(),
            "closed_by": by,
        },
    )
    return fault


def fault_update(*, fault: Fault, fields: Iterable[str]) -> Fault:
    """Save staff edits of ``fields`` (assignee, severity, a fault opened by hand)."""
    _save(fault, {name: getattr(fault, name) for name in fields})
    return fault


def fault_open_by_staff(*, fault: Fault, by) -> Fault:
    """Store a fault staff open by hand (e.g. the homeowner called); detection will not close it."""
    fault.opened_by = by
    fault.status = Fault.Status.OPEN
    fault.resolved = None
    fault.created_at = fault.updated_at = clock.now()
    fault.save()
    return fault


def meter_fault_email_set(*, meter: Meter, enabled: bool) -> Meter:
    """The homeowner's choice: a mail when a new fault of this meter opens, or not."""
    Meter.objects.filter(pk=meter.pk).update(fault_email=enabled)
    meter.fault_email = enabled
    return meter
