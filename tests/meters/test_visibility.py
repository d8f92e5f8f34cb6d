"""Whose data a homeowner sees (meters/selectors/visibility.py, issue 8 item 5).

A homeowner sees a meter's readings, charts, totals, exports and capacity tariff only for the
days their own approved mandates cover (also ended ones) and the days they imported
themselves. When a home changes hands, the new occupant never sees the previous occupant's
data and the previous occupant keeps their own period.

The scenario (``handover``), with H = today − 150 local days:

- A, the previous occupant, approved a mandate covering H − 120 … (open), approved at H − 120;
  Fluvius delivered A's days H − 40 … H − 1 (offtake 9.437, injection 4.219 kWh per quarter-hour,
  slots 0–3 missing: a home with a large heat pump, so that any figure A's days are part of is
  above 800 kWh, and B's own figures never are);
- B, the new occupant, owns the meter now; B's mandate was approved on H at 09:00 with a data
  period reaching back to H − 60 (into A's time); Fluvius delivered B's days H … H + 29 (0.100 /
  0.050 kWh);
- B imported a file for H − 200 … H − 191 (0.120 / 0.060 kWh, before A) and one that filled the
  missing slots 0–3 of A's days with 0.333 kWh.

So B sees H − 200 … H − 191 (import) and H … (mandate), never A's days or what B's file put
into them; A sees H − 120 … H − 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from consents.models import Mandate
from ilusmart import clock
from meters.models import ReadingImport
from meters.selectors.visibility import (
    ALL_DAYS,
    NO_DAYS,
    VisiblePeriods,
    visible_periods,
    visible_periods_for_meters,
)
from meters.services.ingest import readings_ingest
from tests.factories import MandateFactory, MeterFactory, ProfileFactory, UserFactory
from tests.meters.dashboard_data import dutch_kwh, figures_cells
from tests.meters.values import BRUSSELS, QUARTER, local_midnight_utc, qh, quarter_hours_in

pytestmark = pytest.mark.django_db

# What A's days hold, as the pages and the CSV would spell it (Dutch and English number formats):
# the quarter-hours, A's peak (9.437 × 4 kW) and what B's file put into A's days.
A_MARKERS = ("9,437", "9.437", "4,219", "4.219", "37,748", "37.748", "0,333", "0.333")
A_SCALE_KWH = 800  # any figure that includes one of A's days is at least 92 × 9.437 kWh
_DUTCH_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})*),(\d{1,3})(?![\d,])")
_ENGLISH_NUMBER = re.compile(r"(?<![\d.,])(\d+)\.(\d{1,3})(?![\d.])")


def figures_from_a(text: str) -> list[str]:
    """A's markers in ``text``, and every kWh-like number at A's scale (Dutch or English spelling)."""
    found = [marker for marker in A_MARKERS if marker in text]
    for match in _DUTCH_NUMBER.finditer(text):
        if float(match[1].replace(".", "") + "." + match[2]) >= A_SCALE_KWH:
            found.append(match[0])
    for match in _ENGLISH_NUMBER.finditer(text):
        if float(match[0]) >= A_SCALE_KWH:
            found.append(match[0])
    return found


def at(day: date, hour: int = 0) -> datetime:
    """Local ``hour`` o'clock on ``day``, in UTC."""
    return datetime.combine(day, time(hour), BRUSSELS).astimezone(UTC)


def write_days(meter, first: date, count: int, offtake: str, injection: str, *, skip=(), source="fluvius"):
    values = []
    for n in range(count):
        day = first + timedelta(days=n)
        start = local_midnight_utc(day)
        for slot in range(quarter_hours_in(day)):
            if slot in skip:
                continue
            values.append(qh(start + slot * QUARTER, "offtake", offtake))
            values.append(qh(start + slot * QUARTER, "injection", injection))
    readings_ingest(meter=meter, values=values, source=source)


def import_record(meter, user, first: date, last: date, uploaded_at: datetime) -> ReadingImport:
    """The audit row a successful import of ``first`` … ``last`` leaves (what the service writes)."""
    record = ReadingImport.objects.create(
        meter=meter,
        uploaded_by=user,
        customer=user,
        filename="Verbruikshistoriek.csv",
        status=ReadingImport.Status.IMPORTED,
        summary={"first_day": first.isoformat(), "last_day": last.isoformat(), "rows_read": 1},
    )
    ReadingImport.objects.filter(pk=record.pk).update(uploaded_at=uploaded_at)
    return record


@dataclass
class Handover:
    handover: date
    a: object
    b: object
    meter: object


@pytest.fixture
def handover():
    today = clock.local_today()
    h = today - timedelta(days=150)
    a = ProfileFactory(first_name="Anna").user
    b = ProfileFactory(first_name="Bart").user
    meter = MeterFactory(owner=b, label="Thuis")
    MandateFactory(
        user=a,
        ean=meter.ean,
        data_period_from=at(h - timedelta(days=120)),
        data_period_to=at(h + timedelta(days=1000)),
        approved_at=at(h - timedelta(days=120), 10),
    )
    MandateFactory(
        user=b,
        ean=meter.ean,
        data_period_from=at(h - timedelta(days=60)),
        data_period_to=at(h + timedelta(days=1000)),
        approved_at=at(h, 9),
    )
    write_days(meter, h - timedelta(days=40), 40, "9.437", "4.219", skip={0, 1, 2, 3})
    write_days(meter, h, 30, "0.100", "0.050")
    write_days(meter, h - timedelta(days=200), 10, "0.120", "0.060", source="import")
    import_record(meter, b, h - timedelta(days=200), h - timedelta(days=191), at(h, 12))
    write_days(meter, h - timedelta(days=40), 40, "0.333", "0.333", source="import")
    import_record(meter, b, h - timedelta(days=40), h - timedelta(days=1), at(h + timedelta(days=1), 12))
    return Handover(h, a, b, meter)


# --- The selector -------------------------------------------------------------------------------


def test_the_new_occupant_sees_their_mandate_from_the_handover_and_their_own_import(handover):
    h = handover.handover
    periods = visible_periods(user=handover.b, meter=handover.meter)
    assert periods.ranges == (
        (h - timedelta(days=200), h - timedelta(days=190)),
        (h, h + timedelta(days=1000)),
    )
    assert h - timedelta(days=1) not in periods and h in periods


def test_the_previous_occupant_keeps_their_own_period(handover):
    h = handover.handover
    periods = visible_periods(user=handover.a, meter=handover.meter)
    assert periods.ranges == ((h - timedelta(days=120), h),)


def test_nobody_else_sees_anything(handover):
    assert visible_periods(user=UserFactory(), meter=handover.meter) == NO_DAYS
    assert visible_periods(user=None, meter=handover.meter) == NO_DAYS


def test_the_batch_form_gives_each_meter_its_own_periods_in_two_queries(handover, django_assert_num_queries):
    """``visible_periods_for_meters``: B's second meter (another EAN, only B's mandate) next to the
    handover meter; each meter's periods are what ``visible_periods`` says of it alone."""
    h = handover.handover
    other = MeterFactory(owner=handover.b)
    MandateFactory(user=handover.b, ean=other.ean, data_period_from=at(h), approved_at=at(h, 9))
    with django_assert_num_queries(2):  # the mandates of both EANs, the imports of both meters
        both = visible_periods_for_meters(user=handover.b, meters=[handover.meter, other])
    assert both[handover.meter.pk].ranges == (
        (h - timedelta(days=200), h - timedelta(days=190)),
        (h, h + timedelta(days=1000)),
    )
    assert both[other.pk].first_day == h and both[other.pk] == visible_periods(user=handover.b, meter=other)
    assert visible_periods_for_meters(user=handover.a, meters=[handover.meter, other]) == {
        handover.meter.pk: VisiblePeriods(((h - timedelta(days=120), h),)),
        other.pk: NO_DAYS,
    }


def test_an_ended_mandate_counts_up_to_its_end_and_unapproved_ones_not_at_all():
    meter = MeterFactory()
    user = meter.owner
    MandateFactory(
        user=user,
        ean=meter.ean,
        status=Mandate.Status.FINISHED,
        data_period_from=at(date(2024, 1, 1)),
        data_period_to=at(date(2027, 1, 1)),
        approved_at=at(date(2024, 1, 1), 12),
        ended_at=at(date(2025, 6, 10), 15),  # revoked in the afternoon: that day is not whole
    )
    for status in (Mandate.Status.REQUESTED, Mandate.Status.REJECTED):
        MandateFactory(
            user=user, ean=meter.ean, status=status, data_period_from=at(date(2020, 1, 1)), approved_at=None
        )
    # A data period that starts in the middle of a day begins with the next whole day.
    MandateFactory(
        user=user,
        ean=meter.ean,
        data_period_from=at(date(2025, 9, 1), 13),
        data_period_to=at(date(2025, 10, 1)),
        approved_at=at(date(2025, 9, 1), 14),
    )
    periods = visible_periods(user=user, meter=meter)
    assert periods.ranges == ((date(2024, 1, 1), date(2025, 6, 10)), (date(2025, 9, 2), date(2025, 10, 1)))


def test_an_import_over_another_occupants_earlier_period_stays_theirs():
    meter = MeterFactory()
    earlier, later = meter.owner, UserFactory()
    import_record(meter, earlier, date(2023, 1, 1), date(2023, 12, 31), at(date(2024, 1, 5)))
    import_record(meter, later, date(2023, 6, 1), date(2024, 6, 30), at(date(2024, 8, 1)))
    assert visible_periods(user=earlier, meter=meter).ranges == ((date(2023, 1, 1), date(2024, 1, 1)),)
    assert visible_periods(user=later, meter=meter).ranges == ((date(2024, 1, 1), date(2024, 7, 1)),)


def test_the_periods_clip_ranges_and_filter_sql():
    periods = VisiblePeriods(((date(2025, 1, 10), date(2025, 1, 20)), (date(2025, 2, 1), date.max)))
    assert periods.clip(date(2025, 1, 1), date(2025, 3, 1)) == [
        (date(2025, 1, 10), date(2025, 1, 20)),
        (date(2025, 2, 1), date(2025, 3, 1)),
    ]
    assert periods.clip(date(2025, 1, 20), date(2025, 2, 1)) == []
    assert periods.first_day == date(2025, 1, 10) and NO_DAYS.first_day is None
    assert ALL_DAYS.clip(date(2025, 1, 1), date(2025, 1, 2)) == [(date(2025, 1, 1), date(2025, 1, 2))]
    assert NO_DAYS.sql("day") == ("FALSE", [])


# --- Every homeowner page -----------------------------------------------------------------------


def _meter_routes():
    """Every named ``meters:`` URL that takes a meter id (walked, so a new page is covered too)."""

    def walk(patterns, namespace="", kwargs=frozenset()):
        for entry in patterns:
            names = kwargs | frozenset(entry.pattern.regex.groupindex)
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, entry.namespace or namespace, names)
            elif (
                isinstance(entry, URLPattern) and namespace == "meters" and entry.name and "meter_id" in names
            ):
                yield f"meters:{entry.name}", names

    return sorted(walk(get_resolver().url_patterns), key=lambda route: route[0])


def _pages(meter, days: list[date]):
    """(url, query) of every GET page of ``meter`` for each of ``days`` (and its month and year)."""
    for name, kwargs in _meter_routes():
        for day in days:
            values = {"meter_id": meter.pk, "day": day, "month": day.replace(day=1), "year": day.year}
            url = reverse(name, kwargs={k: values[k] for k in kwargs})
            for query in (
                {"vergelijk": "vorige"},
                {"vergelijk": "vorigjaar"},
                {"dag": day.isoformat()},
                *(
                    {"van": (day - timedelta(days=250)).isoformat(), "tot": day.isoformat(), "resolutie": r}
                    for r in ("quarter_hour", "day", "month")
                ),
            ):
                yield url, query
    yield reverse("home"), {}


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_no_homeowner_page_shows_a_value_outside_the_visible_periods(client, handover):
    """Day, month, year, years, dashboard, export CSV and capacity tariff: B never sees A's days."""
    h = handover.handover
    client.force_login(handover.b)
    a_days = [h - timedelta(days=20), h - timedelta(days=1)]
    checked = set()
    for url, query in _pages(handover.meter, [*a_days, h]):
        response = client.get(url, query)
        if response.status_code == 405:
            continue  # a POST-only action: no page to read
        assert response.status_code in (200, 302, 400), (url, query, response.status_code)
        leaked = figures_from_a(_text(response))
        assert not leaked, (url, query, leaked)
        checked.add(url.split("?")[0])
    names = {reverse("meters:capacity_tariff", args=[handover.meter.pk]), reverse("home")}
    assert names <= checked


def test_the_new_occupants_own_days_do_show(client, handover):
    """The control: B's own values are on the same pages, so the check above can fail."""
    h = handover.handover
    client.force_login(handover.b)
    pk = handover.meter.pk
    assert "0,100" in client.get(reverse("meters:day", args=[pk, h])).text
    assert "0,120" in client.get(reverse("meters:day", args=[pk, h - timedelta(days=195)])).text
    month = client.get(reverse("meters:month", args=[pk, h + timedelta(days=5)])).text
    assert "9,600" in month  # a whole day of B's: 96 × 0.100
    export = client.get(
        reverse("meters:export_download", args=[pk]),
        {"van": (h - timedelta(days=1)).isoformat(), "tot": h.isoformat(), "resolutie": "quarter_hour"},
    )
    rows = _text(export).splitlines()
    previous_day = [r for r in rows[1:] if r.startswith((h - timedelta(days=1)).isoformat())]
    assert previous_day and all(",," in r for r in previous_day)  # A's day: empty cells, not A's values
    assert any(",0.100,0.050," in r for r in rows[1:])
    assert "0,400" in client.get(reverse("meters:capacity_tariff", args=[pk])).text  # B's peak: 0.1 × 4
    # The dashboard's year: B's days of this year (Fluvius and import), added up here.
    today = clock.local_today()
    year_start = (today - timedelta(days=1)).replace(month=1, day=1)
    days = [(h + timedelta(days=n), 100) for n in range(30)]
    days += [(h - timedelta(days=200 - n), 120) for n in range(10)]
    offtake_wh = sum(wh * quarter_hours_in(day) for day, wh in days if year_start <= day < today)
    cells = figures_cells(client.get(reverse("home")).text, "year")
    assert cells[("offtake", "total")] == dutch_kwh(Decimal(offtake_wh) / 1000, 1)  # the dashboard: 1 decimal


def test_the_previous_occupant_sees_their_days_and_not_the_new_ones(client, handover):
    h = handover.handover
    handover.meter.owner = handover.a  # e.g. before support moved the meter to B
    handover.meter.save()
    client.force_login(handover.a)
    pk = handover.meter.pk
    assert "9,437" in client.get(reverse("meters:day", args=[pk, h - timedelta(days=1)])).text
    for url, query in _pages(handover.meter, [h, h + timedelta(days=5)]):
        response = client.get(url, query)
        if response.status_code == 405:
            continue
        text = _text(response)
        assert not [m for m in ("0,100", "0.100", "0,050", "0.050", "0,120", "0.120") if m in text], (
            url,
            query,
        )


def test_a_new_owner_without_a_mandate_sees_nothing_of_the_stored_history(client, handover):
    """Linking an EAN with stored history shows nothing until a mandate or an import of one's own."""
    newcomer = ProfileFactory().user
    handover.meter.owner = newcomer
    handover.meter.save()
    client.force_login(newcomer)
    pk = handover.meter.pk
    h = handover.handover
    for url, query in _pages(handover.meter, [h - timedelta(days=195), h - timedelta(days=1), h]):
        response = client.get(url, query)
        if response.status_code == 405:
            continue
        text = _text(response)
        markers = ["0,100", "0.100", "0,120", "0.120"]
        assert not [m for m in markers if m in text] and not figures_from_a(text), (url, query)
    assert re.search(r"Geen gegevens voor deze periode", client.get(reverse("meters:day", args=[pk, h])).text)


def test_the_meter_list_says_how_fresh_only_the_homeowners_own_data_is(client, handover):
    from meters.models import MeterSyncState

    h = handover.handover
    state = MeterSyncState.objects.create(meter=handover.meter, data_until=at(h - timedelta(days=1), 23))
    newcomer = ProfileFactory().user
    handover.meter.owner = newcomer
    handover.meter.save()
    client.force_login(newcomer)
    assert "Gegevens tot" not in client.get(reverse("meters:list")).text  # A's last day: not theirs

    handover.meter.owner = handover.b
    handover.meter.save()
    client.force_login(handover.b)
    assert "Gegevens tot" not in client.get(reverse("meters:list")).text
    state.data_until = at(h + timedelta(days=29), 23)
    state.save()
    assert "Gegevens tot" in client.get(reverse("meters:list")).text
