"""Whose data a homeowner sees: the local days of a meter that are theirs (``visible_periods``).

A meter's readings belong to its EAN, and a home changes hands: the EAN's history holds the days
of everyone who lived there. A homeowner sees readings, charts, totals, exports and the capacity
tariff only for their own days, which come from two kinds of **claims**:

- each of their mandates for the EAN that was **approved** (``approved_at`` set; also one that
  has since ended): its data period, from the first whole local day of ``data_period_from`` up to
  the local day of the earliest of ``data_period_to``, its end (``ended_at``, for a rejected or
  finished one) and the **handover**: the approval of a later mandate by someone else for the
  same EAN (the new occupant holds the energy contract from then on);
- each CSV file imported for them (``ReadingImport.customer``): the file's days.

Where claims of different people overlap, the **earlier** claim wins (a mandate dates from its
approval, an import from its upload): a new occupant whose mandate reaches back, or whose file
covers the previous occupant's days, does not get those days, and the previous occupant keeps
them. Days are whole local (Europe/Brussels) days: a period that starts or ends in the middle of
a day leaves that day out (nobody sees a day that is partly someone else's).

Every homeowner-facing read takes the result (``visible=``); staff, operators and commands read
everything (``ALL_DAYS``). The pages' test (tests/meters/test_visibility.py) walks every meter
URL and fails when a page shows a value of another occupant's days.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Q

from consents.models import Mandate
from meters.models import Meter, ReadingImport
from meters.quarterhours import BRUSSELS, day_start_utc, slots_between

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class VisiblePeriods:
    """Local days ``[start, end)`` one homeowner may see of one meter: sorted, disjoint, merged.

    ``end`` is ``date.max`` for a period without end (an approved mandate's open future).
    """

    ranges: tuple[tuple[date, date], ...]

    def __contains__(self, day: date) -> bool:
        return any(start <= day < end for start, end in self.ranges)

    @property
    def everything(self) -> bool:
        return self.ranges == ((date.min, date.max),)

    @property
    def first_day(self) -> date | None:
        return self.ranges[0][0] if self.ranges else None

    def clip(self, start: date, end: date) -> list[tuple[date, date]]:
        """The visible parts of the local days ``[start, end)``, in order."""
        parts = []
        for first, after in self.ranges:
            lower, upper = max(first, start), min(after, end)
            if lower < upper:
                parts.append((lower, upper))
        return parts

    def slots_between(self, start: date, end: date) -> int:
        """Quarter-hours of the visible days in ``[start, end)`` (92/100 on DST days)."""
        return sum(slots_between(lower, upper) for lower, upper in self.clip(start, end))

    def sql(self, column: str = "day") -> tuple[str, list]:
        """A SQL condition on the date ``column`` (a trusted name) and its parameters."""
        if self.everything:
            return "TRUE", []
        if not self.ranges:
            return "FALSE", []
        parts, parameters = [], []
        for start, end in self.ranges:
            parts.append(f"({column} >= %s AND {column} < %s)")
            parameters += [start, end]
        return "(" + " OR ".join(parts) + ")", parameters

    def q(self, field: str = "day") -> Q:
        """The same condition as a ``Q`` on the date ``field``."""
        if self.everything:
            return Q()
        condition = Q(**{f"{field}__in": []})  # matches nothing
        for start, end in self.ranges:
            condition |= Q(**{f"{field}__gte": start, f"{field}__lt": end})
        return condition


ALL_DAYS = VisiblePeriods(((date.min, date.max),))  # staff, operators, commands
NO_DAYS = VisiblePeriods(())


@dataclass(frozen=True, slots=True)
class _Claim:
    user_id: int
    since: datetime  # approval or upload: the earlier claim wins
    start: date
    end: date  # exclusive; date.max = open


def _first_whole_day(moment: datetime) -> date:
    day = moment.astimezone(BRUSSELS).date()
    return day if day_start_utc(day) == moment else day + _ONE_DAY


def _day_of(moment: datetime) -> date:
    """Exclusive end: the local day of ``moment`` (a day cut in the middle is left out)."""
    return moment.astimezone(BRUSSELS).date()


def _approved_mandates(eans, mandates: list[Mandate] | None = None) -> dict[str, list[Mandate]]:
    """The approved mandates (anyone's) of ``eans``, oldest approval first, by EAN: one query,
    none when ``mandates`` (already read, holding at least those) are given."""
    eans = set(eans)
    if mandates is None:
        mandates = (
            Mandate.objects.filter(ean__in=list(eans), approved_at__isnull=False)
            .only(
                "ean",
                "user_id",
                "status",
                "approved_at",
                "data_period_from",
                "data_period_to",
                "ended_at",
                "updated_at",
            )
            .order_by("approved_at", "pk")
        )
    else:
        mandates = sorted(
            (m for m in mandates if m.approved_at is not None and m.ean in eans),
            key=lambda m: (m.approved_at, m.pk),
        )
    by_ean: dict[str, list[Mandate]] = {}
    for mandate in mandates:
        by_ean.setdefault(mandate.ean, []).append(mandate)
    return by_ean


def _mandate_claims(mandates: list[Mandate]) -> list[_Claim]:
    """The claims of one EAN's approved ``mandates`` (oldest approval first)."""
    claims = []
    for mandate in mandates:
        start = _first_whole_day(mandate.data_period_from or mandate.approved_at)
        ends = [mandate.data_period_to]
        if mandate.status in (Mandate.Status.REJECTED, Mandate.Status.FINISHED):
            ends.append(mandate.ended_at or mandate.updated_at)
        ends += [
            other.approved_at
            for other in mandates
            if other.user_id != mandate.user_id and other.approved_at > mandate.approved_at
        ]
        end = min((_day_of(moment) for moment in ends if moment is not None), default=date.max)
        if start < end:
            claims.append(_Claim(mandate.user_id, mandate.approved_at, start, end))
    return claims


# Raw SQL: the dashboard and every meter page ask this; compiling the ORM's query cost more
# than running it (benchmarks/README.md, "Pages").
_IMPORT_CLAIMS_SQL = """
SELECT meter_id, customer_id, uploaded_at, summary -> 'first_day', summary -> 'last_day'
FROM meters_readingimport
WHERE meter_id = ANY(%s) AND status = %s AND customer_id IS NOT NULL
"""


def _json_value(value):
    # A jsonb value comes as its JSON text from the driver (Django leaves its decoding to the field).
    return json.loads(value) if isinstance(value, str) else value


def _import_claims(meters) -> dict[int, list[_Claim]]:
    """The claims of the CSV files imported into ``meters``, by meter id: one query."""
    claims: dict[int, list[_Claim]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            _IMPORT_CLAIMS_SQL, [[meter.pk for meter in meters], ReadingImport.Status.IMPORTED.value]
        )
        rows = cursor.fetchall()
    for meter_id, customer_id, uploaded_at, first_day, last_day in rows:
        try:
            first = date.fromisoformat(_json_value(first_day))
            last = date.fromisoformat(_json_value(last_day))
        except (TypeError, ValueError):
            continue  # an import without days claims none
        claims.setdefault(meter_id, []).append(_Claim(customer_id, uploaded_at, first, last + _ONE_DAY))
    return claims


def _subtract(pieces: list[tuple[date, date]], start: date, end: date) -> list[tuple[date, date]]:
    out = []
    for lower, upper in pieces:
        if end <= lower or upper <= start:
            out.append((lower, upper))
            continue
        if lower < start:
            out.append((lower, start))
        if end < upper:
            out.append((end, upper))
    return out


def _merged(pieces: list[tuple[date, date]]) -> tuple[tuple[date, date], ...]:
    merged: list[tuple[date, date]] = []
    for lower, upper in sorted(pieces):
        if merged and lower <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], upper))
        else:
            merged.append((lower, upper))
    return tuple(merged)


def _visible_of(user, claims: list[_Claim]) -> VisiblePeriods:
    """``user``'s days among one meter's ``claims``: the earlier claim wins."""
    pieces: list[tuple[date, date]] = []
    for claim in claims:
        if claim.user_id != user.pk:
            continue
        own = [(claim.start, claim.end)]
        for other in claims:
            if other.user_id != user.pk and other.since < claim.since:
                own = _subtract(own, other.start, other.end)
        pieces += own
    return VisiblePeriods(_merged(pieces))


def visible_periods_for_meters(
    *, user, meters, mandates: list[Mandate] | None = None
) -> dict[int, VisiblePeriods]:
    """``visible_periods`` of each of ``meters`` by meter id, in two queries whatever their number
    (the dashboard of a homeowner with several meters); in one when the caller already read
    ``mandates`` holding every approved mandate of the meters' EANs
    (``consents.selectors.mandates.mandates_of_user_and_eans``)."""
    meters = list(meters)
    if user is None or not getattr(user, "is_authenticated", False):
        return {meter.pk: NO_DAYS for meter in meters}
    mandates = _approved_mandates({meter.ean for meter in meters}, mandates)
    imports = _import_claims(meters)
    return {
        meter.pk: _visible_of(user, _mandate_claims(mandates.get(meter.ean, [])) + imports.get(meter.pk, []))
        for meter in meters
    }


def visible_periods(*, user, meter: Meter) -> VisiblePeriods:
    """The local days of ``meter`` that ``user`` may see (module docstring); none for anyone else.

    The caller scopes ``meter`` to ``user`` first (``meter_for_user``); this decides which of its
    days are theirs.
    """
    return visible_periods_for_meters(user=user, meters=[meter])[meter.pk]
