"""One meter as the meter list (and the app's meter list) shows it: mandate, freshness, back-fill,
products and open faults. The page ``meters:list`` and ``GET /api/v1/meters/`` both read this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consents.models import Mandate
from consents.selectors.mandates import MandateDisplay, mandate_current, mandate_display
from meters.models import Fault, Meter, MeterSyncState, Product
from meters.quarterhours import local_date
from meters.selectors.faults import faults_open_for_user
from meters.selectors.readings import meters_for_user
from meters.selectors.visibility import visible_periods


@dataclass(frozen=True, slots=True)
class BackfillProgress:
    """How far the history fetch of a meter got: ``[start, end)`` in UTC, ``percent`` done
    (``MeterSyncState.backfill_percent``, as the pages show it; 100 once complete)."""

    start: datetime
    end: datetime
    complete: bool
    percent: int


@dataclass(frozen=True, slots=True)
class MeterOverview:
    """What the homeowner sees of one meter in their list.

    ``data_until`` is the end of the last stored quarter-hour, shown only when that day is the
    homeowner's own (not a previous occupant's); ``backfill`` is None when no history fetch was
    planned.
    """

    meter: Meter
    mandate: Mandate | None
    display: MandateDisplay
    sync: MeterSyncState | None
    data_until: datetime | None
    backfill: BackfillProgress | None
    products: tuple[Product, ...]
    faults: tuple[Fault, ...]


def _backfill(sync: MeterSyncState | None) -> BackfillProgress | None:
    if sync is None or sync.backfill_from is None or sync.backfill_to is None:
        return None
    complete = sync.backfill_complete
    percent = 100 if complete else (sync.backfill_percent or 0)
    return BackfillProgress(sync.backfill_from, sync.backfill_to, complete, percent)


def meter_overview(*, user, meter: Meter) -> MeterOverview:
    """The list entry of one of ``user``'s meters (``meter`` comes from ``meters_for_user``)."""
    mandate = mandate_current(user=user, ean=meter.ean)
    sync = getattr(meter, "sync_state", None)
    data_until = sync.data_until if sync else None
    if data_until and local_date(data_until) not in visible_periods(user=user, meter=meter):
        data_until = None
    return MeterOverview(
        meter=meter,
        mandate=mandate,
        display=mandate_display(mandate=mandate),
        sync=sync,
        data_until=data_until,
        backfill=_backfill(sync),
        products=tuple(meter.products.all()),
        faults=tuple(faults_open_for_user(user=user, meter=meter)),
    )


def meter_overviews_for_user(*, user) -> list[MeterOverview]:
    """One overview per meter of ``user``, in the meter list's order."""
    return [
        meter_overview(user=user, meter=meter)
        for meter in meters_for_user(user=user).prefetch_related("products")
    ]
