"""The homeowner's dashboard (``/`` and ``/meters/<id>/``): figures equal the stored data."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import override

from meters.selectors import local_today
from tests.factories import MandateFactory, MeterFactory, ProfileFactory
from tests.meters.dashboard_data import dutch_kwh, figures_cells, ingest_day, ingest_days, stored_kwh

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
    yesterday = local_today() - timedelta(days=1)
    ingest_days(meter, yesterday - timedelta(days=40), yesterday - timedelta(days=1))
    ingest_day(meter, yesterday, missing={3, 4}, estimated={10})
    ingest_day(meter, yesterday.replace(year=yesterday.year - 1, day=min(yesterday.day, 28)))
    return meter


def _expected(cells, expected):
    for key, value in expected.items():
        assert cells[key] == (dutch_kwh(value) if value is not None else "—geen gegevens"), key


def test_dashboard_figures_equal_the_stored_daily_totals(client, meter):
    today = local_today()
    yesterday = today - timedelta(days=1)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.text
    assert "Welkom, Katrien" in html
    periods = {
        "yesterday": (yesterday, today),
        "month": (yesterday.replace(day=1), today),
        "year": (yesterday.replace(month=1, day=1), today),
    }
    for testid, (start, end) in periods.items():
        expected = stored_kwh(meter, start, end)
        assert expected[("offtake", "total")] is not None
        _expected(figures_cells(html, testid), expected)
    # The two missing quarter-hours (both directions) and the EST value are said, not hidden.
    assert 'data-testid="incomplete-yesterday"' in html
    assert "4 kwartierwaarden ontbreken" in html
    assert "Bevat 2 geschatte waarden (EST)" in html  # offtake + injection of slot 10


def test_dashboard_says_how_fresh_the_data_is_and_the_mandate_state(client, meter, homeowner):
    MandateFactory(user=homeowner, ean=meter.ean)
    html = client.get(reverse("home")).text
    yesterday = local_today() - timedelta(days=1)
    with override("nl-be"):
        assert f"Gegevens tot en met {date_format(yesterday, 'l j F Y')}" in html
    assert 'data-testid="mandate-state">Actief<' in html
    assert 'data-testid="faults-slot"' in html  # the empty, marked slot for a later issue


def test_without_a_mandate_the_dashboard_offers_to_connect(client, meter):
    html = client.get(reverse("home")).text
    assert 'data-testid="mandate-state">Nog niet verbonden<' in html
    assert reverse("meters:connect", args=[meter.pk]) in html


def test_no_data_yesterday_shows_no_data_not_zero(client, homeowner):
    meter = MeterFactory(owner=homeowner)
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
