"""The homeowner's dashboard (``/`` and ``/meters/<id>/``): figures equal the stored data."""

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import override

from ilusmart import clock
from meters.selectors import local_today
from meters.services.ingest import readings_ingest
from tests.factories import MandateFactory, MeterFactory, ProfileFactory, covering_mandate
from tests.meters.dashboard_data import WrittenReadings, dutch_kwh, figures_cells, ingest_day, ingest_days
from tests.meters.values import QUARTER, local_midnight_utc, qh, quarter_hours_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def homeowner(client):
    profile = ProfileFactory(first_name="Katrien")
    client.force_login(profile.user)
    return profile.user


@pytest.fixture
def meter(homeowner):
    """Yesterday, the 40 days before it and a day last year; one EST value and two gaps yesterday."""
    meter = MeterFactory(owner=homeowner, label="Thuis")
    covering_mandate(meter)  # the homeowner sees the days their mandate covers
    yesterday = local_today() - timedelta(days=1)
    ingest_days(meter, yesterday - timedelta(days=40), yesterday - timedelta(days=1))
    ingest_day(meter, yesterday, missing={3, 4}, estimated={10})
    ingest_day(meter, yesterday.replace(year=yesterday.year - 1, day=min(yesterday.day, 28)))
    return meter


def _expected(cells, expected):
    for key, value in expected.items():
        assert cells[key] == (dutch_kwh(value, 1) if value is not None else "—geen gegevens"), key


@dataclass(frozen=True)
class DashboardDay:
    """A "today" and the dashboard's periods on it, written out (never computed like the selector)."""

    today: date
    yesterday: date
    month_start: date
    year_start: date
    captions: tuple[str, str, str]  # yesterday, this month, this year


DASHBOARD_DAYS = [
    pytest.param(
        DashboardDay(
            date(2025, 6, 15),
            date(2025, 6, 14),
            date(2025, 6, 1),
            date(2025, 1, 1),
            ("Gisteren, zaterdag 14 juni", "Deze maand, juni 2025", "Dit jaar, 2025"),
        ),
        id="ordinary-day",
    ),
    pytest.param(
        DashboardDay(
            date(2025, 1, 1),
            date(2024, 12, 31),
            date(2024, 12, 1),
            date(2024, 1, 1),
            ("Gisteren, dinsdag 31 december", "Deze maand, december 2024", "Dit jaar, 2024"),
        ),
        id="new-years-day",
    ),
    pytest.param(
        DashboardDay(
            date(2025, 3, 31),
            date(2025, 3, 30),  # 23 hours: 92 quarter-hours
            date(2025, 3, 1),
            date(2025, 1, 1),
            ("Gisteren, zondag 30 maart", "Deze maand, maart 2025", "Dit jaar, 2025"),
        ),
        id="after-spring-dst",
    ),
    pytest.param(
        DashboardDay(
            date(2025, 10, 27),
            date(2025, 10, 26),  # 25 hours: 100 quarter-hours
            date(2025, 10, 1),
            date(2025, 1, 1),
            ("Gisteren, zondag 26 oktober", "Deze maand, oktober 2025", "Dit jaar, 2025"),
        ),
        id="after-autumn-dst",
    ),
    pytest.param(
        DashboardDay(
            date(2024, 3, 1),
            date(2024, 2, 29),
            date(2024, 2, 1),
            date(2024, 1, 1),
            ("Gisteren, donderdag 29 februari", "Deze maand, februari 2024", "Dit jaar, 2024"),
        ),
        id="after-leap-day",
    ),
]


@pytest.mark.parametrize("case", DASHBOARD_DAYS)
def test_dashboard_figures_equal_the_values_written(client, homeowner, settings, case):
    """Yesterday, this month and this year, each summed from the quarter-hours this test wrote."""
    settings.CLOCK_SHIFT = clock.shift_to(case.today)
    meter = MeterFactory(owner=homeowner, label="Thuis")
    covering_mandate(meter)
    written = WrittenReadings(meter)
    # A day on each side of every period boundary, and today (in no period until it is over).
    one_day = timedelta(days=1)
    for day in {
        case.year_start - one_day,
        case.year_start,
        case.month_start - one_day,
        case.month_start,
        case.yesterday - one_day,
        case.today,
    }:
        written.day(day)
    written.day(case.yesterday, missing={3, 4}, estimated={10})

    response = client.get(reverse("home"))

    assert response.status_code == 200
    html = response.text
    assert "Welkom, Katrien" in html
    periods = {
        "yesterday": (case.yesterday, case.today),
        "month": (case.month_start, case.today),
        "year": (case.year_start, case.today),
    }
    for testid, (start, end) in periods.items():
        expected = written.kwh(start, end)
        assert expected[("offtake", "total")] is not None
        _expected(figures_cells(html, testid), expected)
    captions = re.findall(r"<caption>(.*?) <span", html)
    assert [" ".join(c.split()) for c in captions[:3]] == [
        case.captions[0],
        f"{case.captions[1]} (tot en met gisteren)",
        f"{case.captions[2]} (tot en met gisteren)",
    ]
    # The two missing quarter-hours (both directions) and the EST value are said, not hidden;
    # on a DST day only if the day's 92 or 100 quarter-hours are counted right.
    incomplete = re.search(r'data-testid="incomplete-yesterday">(.*?)</p>', html).group(1)
    assert incomplete == "Onvolledig: 2 kwartierwaarden ontbreken."  # each quarter-hour once
    estimated = re.search(r'data-testid="estimated-yesterday">(.*?)</p>', html).group(1)
    values = 2 * (quarter_hours_in(case.yesterday) - 2)
    share = f"{(Decimal(200) / values).quantize(Decimal('0.1'))}".replace(".", ",")
    # offtake + injection of slot 10, and their share of the day's values
    assert estimated == f"Bevat 2 geschatte waarden (EST, {share} % van de waarden)."
    pk = meter.pk
    for url in (
        reverse("meters:day", args=[pk, case.yesterday]),
        reverse("meters:month", args=[pk, case.month_start]),
        reverse("meters:year", args=[pk, case.year_start.year]),
    ):
        assert f'href="{url}"' in html


def test_dashboard_says_how_fresh_the_data_is_and_the_mandate_state(client, meter, homeowner):
    MandateFactory(user=homeowner, ean=meter.ean)
    html = client.get(reverse("home")).text
    yesterday = local_today() - timedelta(days=1)
    with override("nl-be"):
        assert f"Gegevens tot en met {date_format(yesterday, 'l j F Y')}" in html
    assert 'data-testid="mandate-state">Actief<' in html
    assert 'data-testid="faults-slot"' in html  # the empty, marked slot for a later issue


def test_without_a_mandate_the_dashboard_offers_to_connect(client, homeowner):
    meter = MeterFactory(owner=homeowner)
    html = client.get(reverse("home")).text
    assert 'data-testid="mandate-state">Nog niet verbonden<' in html
    assert reverse("meters:connect", args=[meter.pk]) in html


def test_no_data_yesterday_shows_no_data_not_zero(client, homeowner):
    meter = MeterFactory(owner=homeowner)
    covering_mandate(meter)
    ingest_day(meter, local_today() - timedelta(days=5))
    html = client.get(reverse("home")).text
    cells = figures_cells(html, "yesterday")
    assert set(cells.values()) == {"—geen gegevens"}
    assert reverse("meters:day", args=[meter.pk, local_today() - timedelta(days=5)]) in html


def test_every_meter_has_its_own_card(client, homeowner, meter):
    holiday = MeterFactory(owner=homeowner, label="Vakantiehuis")
    MeterFactory(label="Van iemand anders")
    html = client.get(reverse("home")).text
    assert html.count('data-testid="meter-dashboard"') == 2
    assert "Vakantiehuis" in html and "Van iemand anders" not in html
    assert client.get(reverse("meters:dashboard", args=[holiday.pk])).status_code == 200


def test_without_a_meter_the_dashboard_points_to_the_meter_page(client, homeowner):
    html = client.get(reverse("home")).text
    assert 'data-testid="no-meter"' in html
    assert f'href="{reverse("meters:list")}"' in html


def test_the_dashboard_in_english(client, meter):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("home")).text
    assert "Offtake" in html and "Injection" in html and "Yesterday" in html


def test_kwh_read_as_a_person_reads_them(client, homeowner):
    """416.45 kWh reads "416,5" (one decimal, rounded half up), never "416,450"."""
    meter = MeterFactory(owner=homeowner)
    covering_mandate(meter)
    yesterday = local_today() - timedelta(days=1)
    readings_ingest(
        meter=meter, values=[qh(local_midnight_utc(yesterday) + 40 * QUARTER, "offtake", "416.450")]
    )
    html = client.get(reverse("home")).text
    assert figures_cells(html, "yesterday")[("offtake", "total")] == "416,5"
    assert "416,450" not in html


def test_the_dashboard_explains_day_and_night_tariff_links_import_and_the_last_day(client, homeowner):
    meter = MeterFactory(owner=homeowner)
    covering_mandate(meter)
    last = local_today() - timedelta(days=4)  # yesterday has no data (yet)
    ingest_day(meter, last)
    html = client.get(reverse("home")).text
    tariff = re.search(r'data-testid="tariff-explained">(.*?)</p>', html, re.S).group(1)
    assert "weekdagen van 7 tot 22 uur" in tariff and "het hele weekend" in tariff
    assert f'href="{reverse("meters:import", args=[meter.pk])}"' in html
    per_quarter = re.search(r'<a href="([^"]+)" data-testid="per-quarter-hour">', html).group(1)
    assert per_quarter == reverse("meters:day", args=[meter.pk, last])  # not the empty yesterday


def test_the_dashboard_has_a_30_day_chart(client, homeowner):
    meter = MeterFactory(owner=homeowner)
    covering_mandate(meter)
    written = WrittenReadings(meter)
    today = local_today()
    written.days(today - timedelta(days=20), today - timedelta(days=12))
    written.days(today - timedelta(days=10), today - timedelta(days=1))
    html = client.get(reverse("home")).text
    assert f'data-chart="recent-{meter.pk}"' in html
    raw = re.search(rf'<script id="recent-{meter.pk}" type="application/json">(.*?)</script>', html, re.S)
    data = json.loads(raw.group(1))
    assert len(data["labels"]) == len(data["offtake"]) == 30
    days = [today - timedelta(days=30 - n) for n in range(30)]
    assert data["labels"] == [date_format(day, "j/n") for day in days]  # e.g. "7/3": day/month
    for day, offtake, missing in zip(days, data["offtake"], data["missing"], strict=True):
        wh = written.day_wh(day)
        if wh is None:
            assert offtake is None
        else:
            assert round(offtake * 1000) == wh, day
        # Before the first data nothing is missing; the gap on day 11 before today is.
        assert missing == (day == today - timedelta(days=11)), day
    assert "/static/vendor/echarts/echarts.min.js" in html and "/static/js/charts.js" in html


def test_a_running_backfill_shows_its_progress(client, homeowner):
    from datetime import datetime

    from meters.models import MeterSyncState

    meter = MeterFactory(owner=homeowner)
    covering_mandate(meter)
    start = datetime(2025, 1, 1, tzinfo=clock.BRUSSELS)
    end = start + timedelta(days=100)
    MeterSyncState.objects.create(
        meter=meter, backfill_from=start, backfill_to=end, backfill_done_from=end - timedelta(days=40)
    )
    html = client.get(reverse("home")).text
    progress = re.search(r'data-testid="backfill-progress">(.*?) <progress', html, re.S).group(1)
    assert progress == "Historiek wordt opgehaald: 40 %"
    MeterSyncState.objects.filter(meter=meter).update(backfill_done_until=end, backfill_done_from=start)
    assert 'data-testid="backfill-progress"' not in client.get(reverse("home")).text


def _homeowner_with_meters(count: int):
    """A homeowner with ``count`` meters, each with a mandate, two days of data, an open fault and a
    sync state: every card reads something of its own."""
    from meters.models import Fault, MeterSyncState

    profile = ProfileFactory()
    yesterday = local_today() - timedelta(days=1)
    for n in range(count):
        meter = MeterFactory(owner=profile.user, label=f"Meter {n + 1}")
        covering_mandate(meter)
        ingest_days(meter, yesterday - timedelta(days=1), yesterday)
        Fault.objects.create(meter=meter, type=Fault.Type.FEED_STALE, started=yesterday)
        MeterSyncState.objects.create(meter=meter, last_success_at=clock.now())
    return profile.user


def test_the_dashboard_query_count_does_not_grow_with_the_meters(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for count in (1, 3):
        user = _homeowner_with_meters(count)
        client.force_login(user)
        client.get(reverse("home"))  # the session and translations settle
        with CaptureQueriesContext(connection) as queries:
            html = client.get(reverse("home")).text
        counts[count] = len(queries)
        assert [f"Meter {n + 1}" in html for n in range(count)] == [True] * count
        assert html.count("We ontvangen geen nieuwe meetgegevens") == count  # each card its own fault
    assert counts[1] == counts[3], counts
    # session, user, pause (cards and banner at once), meters, mandates, import claims, the daily
    # totals (figures, 30 days, monthly peaks), price, faults, profile (the greeting)
    assert counts[1] == 10, counts


def test_the_home_page_reads_unlinked_mandates_from_the_same_mandates_as_the_cards():
    """``home_dashboard`` takes the cards and the unlinked mandates from one read of the mandates:
    the same as ``dashboards_for_user`` and ``mandates_not_linked`` read on their own."""
    from consents.models import Mandate
    from meters.selectors import dashboards_for_user, home_dashboard, mandates_not_linked

    user = _homeowner_with_meters(2)  # each meter with an approved mandate of theirs: linked
    other = ProfileFactory().user
    stray = MeterFactory.build(owner=None).ean
    now = clock.now()
    newer = MandateFactory(user=user, ean=stray, approved_at=now - timedelta(days=2))
    MandateFactory(user=user, ean=stray, approved_at=now - timedelta(days=9))  # older, higher id
    MandateFactory(user=user, ean=stray, status=Mandate.Status.REQUESTED, approved_at=None)
    # Another EAN they did not link (an EAN no meter has: the factories count EANs separately).
    second = MandateFactory(user=user, ean=MeterFactory.build(owner=None).ean)
    MandateFactory(user=other, ean=MeterFactory.build(owner=None).ean)  # someone else's: never theirs
    home = home_dashboard(user=user)
    assert home.unlinked_mandates == mandates_not_linked(user=user)
    assert home.unlinked_mandates == sorted([newer, second], key=lambda m: m.ean)
    assert home.cards == dashboards_for_user(user=user)


def test_dashboards_for_user_reads_the_same_cards_in_a_fixed_number_of_queries(django_assert_num_queries):
    from meters.selectors import dashboards_for_user, meter_dashboard

    user = _homeowner_with_meters(3)
    # meters, mandates (claims and current ones at once), import claims, pause, the daily totals
    # (figures, 30 days and monthly peaks at once), price, faults
    with django_assert_num_queries(7):
        cards = dashboards_for_user(user=user)
    assert len(cards) == 3
    for card in cards:
        alone = meter_dashboard(user=user, meter=card.meter)
        assert alone == card
        assert card.yesterday.has_data and card.latest_day == local_today() - timedelta(days=1)
        assert card.mandate is not None and len(card.faults) == 1


def test_a_paused_homeowner_is_not_told_that_data_comes_in_every_day(client):
    from consents.models import ProcessingRestriction
    from consents.services.restriction import restriction_start

    profile = ProfileFactory()
    meter = MeterFactory(owner=profile.user)
    covering_mandate(meter)
    client.force_login(profile.user)
    assert "Je meetgegevens worden elke dag opgehaald" in client.get(reverse("home")).text
    restriction_start(user=profile.user, source=ProcessingRestriction.Source.HOMEOWNER, by=profile.user)
    page = client.get(reverse("home")).text
    assert "Je meetgegevens worden elke dag opgehaald" not in page
    assert "Actief, verwerking gepauzeerd" in page
