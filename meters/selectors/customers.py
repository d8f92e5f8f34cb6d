"""Reads of the support console: find a customer from anything support has at hand, and the one
overview of a customer, with a data-health panel per meter (meters/admin_customers.py shows them).

A *customer* is an account that is neither staff nor superuser: support never finds or opens a
colleague here, whatever it types or posts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import chain

import phonenumbers
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Max, Min, Prefetch, Q

from accounts.validators import phone_normalize
from consents.models import Mandate
from consents.selectors.mandates import mandate_current, mandates_for_user
from ilusmart import clock
from ilusmart.fluvius.types import DayReadings
from meters.models import ContactNote, DailyTotal, Fault, FaultNote, Meter, Product, ReadingDay
from meters.quarterhours import MISSING, QUARTER, slots_in_day

CUSTOMER_SEARCH_LIMIT = 50
MIN_QUERY_LENGTH = 2
MIN_EAN_DIGITS = 4  # "the last digits of the EAN": fewer would match half the customers
MIN_PARTIAL_LENGTH = 4  # meter numbers and inverter serials: a part of at least this many characters
# Separators people type inside numbers: spaces, dots, dashes, slashes.
_SEPARATORS = re.compile(r"[\s./-]+")
_PHONE_LIKE = re.compile(r"[+\d\s().\-/]{6,30}")
_POSTAL_CODE_LIKE = re.compile(r"[0-9]{4,5}|[1-9][0-9]{3} ?[A-Za-z]{2}")


def _customers():
    return get_user_model().objects.filter(is_staff=False, is_superuser=False)


def customer_for_console(*, customer_id) -> object | None:
    """The customer with this id, or None (no such account, or a staff member or superuser)."""
    try:
        customer_id = int(customer_id)
    except (TypeError, ValueError):
        return None
    return _customers().select_related("profile").filter(pk=customer_id).first()


def phone_display(phone: str) -> str:
    """A stored E.164 number the way a Belgian reads it (``0470 12 34 56``); foreign ones as +.."""
    if not phone:
        return ""
    try:
        number = phonenumbers.parse(phone, "BE")
    except phonenumbers.NumberParseException:
        return phone
    if number.country_code == 32:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# --- Finding a customer -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerHit:
    """One customer a search found, with what matched (``phone``, ``ean``, ``name``…) and their meters."""

    customer: object
    matched_on: tuple[str, ...]
    meters: list[Meter]

    @property
    def profile(self):
        return getattr(self.customer, "profile", None)

    @property
    def phone_display(self) -> str:
        return phone_display(self.profile.phone) if self.profile else ""


def _interpretations(query: str) -> list[tuple[str, Q]]:
    """What ``query`` may be, each as (what matched, condition on customers)."""
    found: list[tuple[str, Q]] = []
    compact = _SEPARATORS.sub("", query)
    if _PHONE_LIKE.fullmatch(query):
        with suppress(ValidationError):
            found.append(("phone", Q(profile__phone=phone_normalize(query))))
    if compact.isdigit() and compact.isascii():
        if len(compact) == 18:
            found.append(("ean", Q(meters__ean=compact)))
        elif MIN_EAN_DIGITS <= len(compact) < 18:
            found.append(("ean", Q(meters__ean__endswith=compact)))
    if _POSTAL_CODE_LIKE.fullmatch(query):
        found.append(("postal_code", Q(profile__postal_code__iexact=query.upper())))
    if compact.isalnum() and len(compact) >= MIN_PARTIAL_LENGTH:
        found.append(("meter_id", Q(meters__meter_id__icontains=compact)))
    if len(query) >= MIN_PARTIAL_LENGTH and not query.isspace():
        found.append(("inverter_serial", Q(meters__products__inverter_serial__icontains=query)))
    if "@" in query or (len(query) >= 3 and "." in query):
        found.append(("email", Q(email__icontains=query)))
    words = query.split()
    if words and all(any(ch.isalpha() for ch in word) for word in words):
        name = Q()
        for word in words:
            name &= Q(profile__first_name__icontains=word) | Q(profile__last_name__icontains=word)
        if len(words) == 1 and len(query) >= 3:
            name |= Q(email__icontains=query)  # people type part of an address too
        found.append(("name", name))
    return found


def customers_find(*, query: str) -> list[CustomerHit]:
    """Customers matching ``query``, whatever it is: a name, an email address (or part), a phone
    number in any spelling, a postal code, an EAN or its last digits (at least 4), a meter number
    or an inverter serial. At most ``CUSTOMER_SEARCH_LIMIT`` hits, by name.

    Any text is safe: too short, too long or nonsense finds nobody (never an error).
    """
    query = " ".join((query or "").replace("\x00", "").split())
    if len(query) < MIN_QUERY_LENGTH or len(query) > 200:
        return []
    matched: dict[int, list[str]] = {}
    for label, condition in _interpretations(query):
        for pk in (
            _customers()
            .filter(condition)
            .values_list("pk", flat=True)
            .distinct()[: CUSTOMER_SEARCH_LIMIT + 1]
        ):
            matched.setdefault(pk, []).append(label)
    if not matched:
        return []
    customers = (
        _customers()
        .filter(pk__in=list(matched))
        .select_related("profile")
        .prefetch_related(Prefetch("meters", queryset=Meter.objects.order_by("ean")))
        .order_by("profile__last_name", "profile__first_name", "email")[:CUSTOMER_SEARCH_LIMIT]
    )
    return [
        CustomerHit(
            customer=customer, matched_on=tuple(matched[customer.pk]), meters=list(customer.meters.all())
        )
        for customer in customers
    ]


# --- Data health of a meter -------------------------------------------------------------------------

COVERAGE_OK = Decimal("99")
COVERAGE_WARN = Decimal("90")
ESTIMATED_WARN = Decimal("10")
LAST_READING_OK_DAYS = 2  # yesterday's values arrive the next morning
LAST_READING_WARN_DAYS = 4  # beyond: the feed is stale (faults: feed_stale after 3 days)
_ONE_DAY = timedelta(days=1)
_LEVELS = ("none", "ok", "warn", "bad")


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part * 100) / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Coverage:
    """Quarter-hour values (both directions) present over ``[first, last]``: a window of ``days``
    days up to yesterday, from the meter's first day with data if that is later."""

    days: int
    first: date
    last: date
    expected_values: int
    present_values: int
    estimated_values: int

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.present_values, self.expected_values)

    @property
    def estimated_percent(self) -> Decimal | None:
        return _percent(self.estimated_values, self.present_values)

    @property
    def level(self) -> str:
        if self.percent is None:
            return "none"
        if self.percent >= COVERAGE_OK:
            return "ok"
        return "warn" if self.percent >= COVERAGE_WARN else "bad"

    @property
    def estimated_level(self) -> str:
        if self.estimated_percent is None:
            return "none"
        return "ok" if self.estimated_percent <= ESTIMATED_WARN else "warn"


@dataclass(frozen=True)
class Gap:
    """Local days ``[first, last]`` with values missing between delivered ones."""

    first: date
    last: date
    missing_values: int

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class DataHealth:
    """A meter's data at a glance: newest value, coverage, estimates, gaps, open faults."""

    meter: Meter
    today: date
    last_reading: datetime | None  # end (UTC) of the newest quarter-hour with a value
    since: date | None  # first local day with a value
    coverage_30: Coverage
    coverage_365: Coverage
    gaps: list[Gap]  # within the last 365 days, newest first
    open_faults: list[Fault] = field(default_factory=list)

    @property
    def last_quarter_start(self) -> datetime | None:
        """Start (UTC) of the newest quarter-hour with a value."""
        return self.last_reading - QUARTER if self.last_reading else None

    @property
    def last_reading_ends_day(self) -> bool:
        """Whether the newest quarter-hour is the last of its local day (it ends at midnight)."""
        return self.last_reading is not None and self.last_reading.astimezone(clock.BRUSSELS).time() == time(
            0
        )

    @property
    def last_reading_age_days(self) -> int | None:
        if self.last_reading is None:
            return None
        # The day the newest quarter-hour belongs to (it ends at its end, so look a moment before).
        return (
            self.today - (self.last_reading - timedelta(seconds=1)).astimezone(clock.BRUSSELS).date()
        ).days

    @property
    def last_reading_level(self) -> str:
        age = self.last_reading_age_days
        if age is None:
            return "none"
        if age <= LAST_READING_OK_DAYS:
            return "ok"
        return "warn" if age <= LAST_READING_WARN_DAYS else "bad"

    @property
    def gap_days(self) -> int:
        return sum(gap.days for gap in self.gaps)

    @property
    def gaps_level(self) -> str:
        return "warn" if self.gaps else ("ok" if self.since else "none")

    @property
    def faults_level(self) -> str:
        return "bad" if self.open_faults else "ok"

    @property
    def level(self) -> str:
        """The worst of the panel's lines; ``none`` counts as bad for a meter without any data."""
        if self.since is None:
            return "bad" if self.open_faults else "none"
        levels = (
            self.last_reading_level,
            self.coverage_30.level,
            self.coverage_30.estimated_level,
            self.gaps_level,
            self.faults_level,
        )
        return max(levels, key=_LEVELS.index)


def _days(first: date, last: date) -> Iterable[date]:
    return (first + timedelta(days=n) for n in range((last - first).days + 1))


def _coverage(days: int, since: date | None, today: date, totals: dict[date, tuple]) -> Coverage:
    window_first, last = today - timedelta(days=days), today - _ONE_DAY
    first = max(window_first, since) if since else window_first
    expected = present = estimated = 0
    if since is None:  # nothing delivered yet: nothing to cover
        return Coverage(days, first, last, expected, present, estimated)
    for day in _days(first, last):
        expected += 2 * slots_in_day(day)
        row = totals.get(day)
        if row:
            present += row[0] + row[1]
            estimated += row[2]
    return Coverage(days, first, last, expected, present, estimated)


def _gaps(since: date, last_day: date, totals: dict[date, tuple], last_row: ReadingDay | None) -> list[Gap]:
    """Runs of days between ``since`` and ``last_day`` (the newest with data) missing values; on
    the newest day only the slots before its last value count (the rest is not delivered yet)."""
    runs: list[list] = []
    for day in _days(since, last_day):
        expected = 2 * slots_in_day(day)
        row = totals.get(day)
        missing = expected - (row[0] + row[1] if row else 0)
        if day == last_day and last_row is not None:
            end = max(
                len(last_row.offtake_quality.rstrip(MISSING)), len(last_row.injection_quality.rstrip(MISSING))
            )
            missing = last_row.offtake_quality[:end].count(MISSING) + last_row.injection_quality[:end].count(
                MISSING
            )
        if missing <= 0:
            continue
        if runs and runs[-1][1] == day - _ONE_DAY:
            runs[-1][1] = day
            runs[-1][2] += missing
        else:
            runs.append([day, day, missing])
    return [Gap(first, last, missing) for first, last, missing in reversed(runs)]


def meter_data_health(
    *, meter: Meter, today: date | None = None, open_faults: list[Fault] | None = None
) -> DataHealth:
    """The data-health panel of ``meter`` as of local date ``today`` (default: the project clock's).

    Coverage counts the quarter-hour values of both directions over the last 30 and 365 closed
    days (to yesterday), from the meter's first day with data if that is later; gaps are the days
    in the last 365 missing values between delivered ones. Read from ``DailyTotal`` (one row per
    day) and the newest ``ReadingDay``; ``open_faults`` may be passed when already loaded.
    """
    today = today or clock.local_today()
    year_first = today - timedelta(days=365)
    has_value = Q(offtake_slots_present__gt=0) | Q(injection_slots_present__gt=0)
    totals = {
        day: (offtake, injection, estimated)
        for day, offtake, injection, estimated in DailyTotal.objects.filter(
            has_value, meter=meter, day__gte=year_first, day__lte=today
        ).values_list("day", "offtake_slots_present", "injection_slots_present", "estimated_values")
    }
    bounds = DailyTotal.objects.filter(has_value, meter=meter).aggregate(since=Min("day"), last=Max("day"))
    since, last_day = bounds["since"], bounds["last"]
    last_row = ReadingDay.objects.filter(meter=meter, day=last_day).first() if last_day else None
    last_reading = None
    if last_row is not None:
        last_reading = DayReadings(
            last_row.day,
            last_row.offtake_wh,
            last_row.injection_wh,
            last_row.offtake_quality,
            last_row.injection_quality,
        ).last_value_end()
    gaps = (
        _gaps(max(since, year_first), last_day, totals, last_row) if since and last_day >= year_first else []
    )
    if open_faults is None:
        open_faults = list(
            meter.faults.filter(status__in=Fault.ACTIVE_STATUSES).order_by("-severity", "started")
        )
    return DataHealth(
        meter=meter,
        today=today,
        last_reading=last_reading,
        since=since,
        coverage_30=_coverage(30, since, today, totals),
        coverage_365=_coverage(365, since, today, totals),
        gaps=gaps,
        open_faults=open_faults,
    )


# --- One customer ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeterOverview:
    """One meter of the customer: its products, sync state, current mandate, faults and data health."""

    meter: Meter
    products: list[Product]
    sync_state: object | None
    mandate: Mandate | None
    faults: list[Fault]
    health: DataHealth


@dataclass(frozen=True)
class NoteEntry:
    """A contact note or a note on one of the customer's faults, told the same way."""

    at: datetime
    kind: str
    kind_display: str
    author: object | None
    text: str
    meter: Meter | None = None
    fault: Fault | None = None


@dataclass(frozen=True)
class CustomerOverview:
    """Everything support looks at about one customer, on one page."""

    customer: object
    profile: object | None
    meters: list[MeterOverview]
    mandates: list[Mandate]
    faults: list[Fault]
    notes: list[NoteEntry]

    @property
    def phone_display(self) -> str:
        return phone_display(self.profile.phone) if self.profile else ""

    @property
    def open_fault_count(self) -> int:
        return sum(1 for fault in self.faults if fault.is_active)


def customer_overview(*, user, today: date | None = None) -> CustomerOverview:
    """The customer ``user`` (from ``customer_for_console``) with profile, meters, products, mandates
    and their evidence, sync state, data health, faults and notes (newest first)."""
    today = today or clock.local_today()
    meters = list(
        Meter.objects.filter(owner=user)
        .select_related("sync_state")
        .prefetch_related(Prefetch("products", queryset=Product.objects.order_by("kind", "pk")))
        .order_by("ean")
    )
    faults = list(
        Fault.objects.filter(meter__in=meters).select_related("meter", "assignee").order_by("-started", "-pk")
    )
    faults_of: dict[int, list[Fault]] = {}
    for fault in faults:
        faults_of.setdefault(fault.meter_id, []).append(fault)
    meter_rows = []
    for meter in meters:
        own = faults_of.get(meter.pk, [])
        open_faults = sorted((f for f in own if f.is_active), key=lambda f: (-f.severity, f.started, f.pk))
        meter_rows.append(
            MeterOverview(
                meter=meter,
                products=list(meter.products.all()),
                sync_state=getattr(meter, "sync_state", None),
                mandate=mandate_current(user=user, ean=meter.ean),
                faults=own,
                health=meter_data_health(meter=meter, today=today, open_faults=open_faults),
            )
        )
    contact_notes = ContactNote.objects.filter(customer=user).select_related("author", "meter")
    fault_notes = FaultNote.objects.filter(fault__in=faults).select_related("author", "fault__meter")
    notes = sorted(
        chain(
            (
                NoteEntry(n.at, n.kind, n.get_kind_display(), n.author, n.text, meter=n.meter)
                for n in contact_notes
            ),
            (
                NoteEntry(
                    n.at, n.kind, n.get_kind_display(), n.author, n.text, meter=n.fault.meter, fault=n.fault
                )
                for n in fault_notes
            ),
        ),
        key=lambda note: note.at,
        reverse=True,
    )
    return CustomerOverview(
        customer=user,
        profile=getattr(user, "profile", None),
        meters=meter_rows,
        mandates=list(mandates_for_user(user=user).select_related("requested_by")),
        faults=faults,
        notes=notes,
    )
