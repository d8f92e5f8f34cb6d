"""The chart pages: day by quarter-hour, month by day, year by month, all years."""

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from meters.models import DailyTotal
from meters.selectors import local_today
from tests.factories import MeterFactory, ProfileFactory
from tests.meters.dashboard_data import (
    dutch_kwh,
    figures_cells,
    ingest_day,
    ingest_days,
    row_label,
    stored_kwh,
    table_rows,
)

pytestmark = pytest.mark.django_db

SPRING = date(2025, 3, 30)  # 92 quarter-hours
AUTUMN = date(2025, 10, 26)  # 100 quarter-hours


@pytest.fixture
def homeowner(client):
    profile = ProfileFactory()
    client.force_login(profile.user)
    return profile.user


@pytest.fixture
def meter(homeowner):
    return MeterFactory(owner=homeowner)


def _chart_data(html: str) -> dict:
    raw = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    return json.loads(raw)


def test_spring_day_has_92_rows_without_the_skipped_hour(client, meter):
    ingest_day(meter, SPRING)
    html = client.get(reverse("meters:day", args=[meter.pk, SPRING])).text
    labels = [row_label(r) for r in table_rows(html)]
    assert len(labels) == 92
    assert labels[7:9] == ["01:45", "03:00"]  # 02:00–03:00 does not exist that night
    assert not any(label.startswith("02:") for label in labels)
    data = _chart_data(html)
    assert len(data["labels"]) == len(data["offtake"]) == 92


def test_autumn_day_has_100_rows_with_the_repeated_hour_labelled(client, meter):
    ingest_day(meter, AUTUMN)
    html = client.get(reverse("meters:day", args=[meter.pk, AUTUMN])).text
    labels = [row_label(r) for r in table_rows(html)]
    assert len(labels) == 100
    assert labels[7:17] == [
        "01:45",
        "02:00 (zomertijd)",
        "02:15 (zomertijd)",
        "02:30 (zomertijd)",
        "02:45 (zomertijd)",
        "02:00 (wintertijd)",
        "02:15 (wintertijd)",
        "02:30 (wintertijd)",
        "02:45 (wintertijd)",
        "03:00",
    ]
    assert labels[-1] == "23:45"
    assert _chart_data(html)["labels"][8] == "02:00 (zomertijd)"
    assert len(set(_chart_data(html)["labels"])) == 100


def test_day_totals_and_values_equal_the_stored_data(client, meter):
    day = date(2025, 6, 14)
    ingest_day(meter, day)
    html = client.get(reverse("meters:day", args=[meter.pk, day])).text
    expected = stored_kwh(meter, day, day + timedelta(days=1))
    cells = figures_cells(html, "period")
    for key, value in expected.items():
        assert cells[key] == dutch_kwh(value)
    caption = re.search(r'data-testid="chart-caption">(.*?)</figcaption>', html, re.S).group(1)
    assert f"Afname {dutch_kwh(expected[('offtake', 'total')])} kWh" in caption
    assert f"injectie {dutch_kwh(expected[('injection', 'total')])} kWh" in caption
    data = _chart_data(html)
    total = DailyTotal.objects.get(meter=meter, day=day)
    assert round(sum(data["offtake"]) * 1000) == total.offtake_wh


def test_missing_is_a_gap_and_estimates_are_marked(client, meter):
    day = date(2025, 6, 14)
    ingest_day(meter, day, missing={20, 21}, estimated={40}, missing_injection={50})
    html = client.get(reverse("meters:day", args=[meter.pk, day])).text
    rows = table_rows(html)
    assert 'class="status-missing"' in rows[20] and "ontbreekt" in rows[20]
    assert "0,000" not in rows[20] and "geen gegevens" in rows[20]
    assert 'class="status-estimated"' in rows[40] and "geschat (EST)" in rows[40]
    assert 'class="status-incomplete"' in rows[50]
    data = _chart_data(html)
    assert data["offtake"][20] is None and data["injection"][20] is None
    assert data["missing"][20] is True and data["missing"][19] is False
    assert data["offtakeEstimated"][40] is True and data["injectionEstimated"][40] is True
    assert data["offtakeEstimated"][39] is False
    assert data["injection"][50] is None and data["offtake"][50] is not None
    assert "5 kwartierwaarden ontbreken" in html  # 2 × 2 + 1
    assert "2 waarden zijn geschat (EST)" in html


def test_month_view_by_day_with_missing_days_as_gaps(client, meter):
    ingest_days(meter, date(2025, 6, 1), date(2025, 6, 10))
    ingest_days(meter, date(2025, 6, 12), date(2025, 6, 19))
    ingest_day(meter, date(2025, 6, 20), estimated={5})  # a VAL value would never be replaced by EST
    ingest_days(meter, date(2025, 6, 21), date(2025, 6, 30))
    html = client.get(reverse("meters:month", args=[meter.pk, date(2025, 6, 1)])).text
    rows = table_rows(html)
    assert len(rows) == 30
    assert "status-missing" in rows[10] and "ontbreekt" in rows[10]  # 11 June
    assert "status-estimated" in rows[19]
    data = _chart_data(html)
    assert data["offtake"][10] is None and data["missing"][10] is True
    for index, day in ((0, 1), (29, 30)):
        total = DailyTotal.objects.get(meter=meter, day=date(2025, 6, day))
        assert round(data["offtake"][index] * 1000) == total.offtake_wh
        assert dutch_kwh(Decimal(total.offtake_wh) / 1000) in rows[index]
    expected = stored_kwh(meter, date(2025, 6, 1), date(2025, 7, 1))
    for key, value in expected.items():
        assert figures_cells(html, "period")[key] == dutch_kwh(value)
    # Each day links to its own quarter-hour chart.
    assert reverse("meters:day", args=[meter.pk, date(2025, 6, 12)]) in rows[11]


def test_year_and_years_views(client, meter):
    ingest_days(meter, date(2024, 12, 30), date(2025, 1, 2))
    ingest_day(meter, date(2025, 3, 30))
    html = client.get(reverse("meters:year", args=[meter.pk, 2025])).text
    rows = table_rows(html)
    assert len(rows) == 12
    data = _chart_data(html)
    january = sum(
        DailyTotal.objects.filter(meter=meter, day__year=2025, day__month=1).values_list(
            "offtake_wh", flat=True
        )
    )
    assert round(data["offtake"][0] * 1000) == january
    assert data["offtake"][1] is None and data["missing"][1] is True  # February: nothing stored
    assert "status-incomplete" in rows[0]  # 2 of 31 days
    # Before the meter's first data nothing is "missing": there was nothing to expect yet.
    html = client.get(reverse("meters:year", args=[meter.pk, 2024])).text
    rows = table_rows(html)
    assert "status-future" in rows[0] and "nog geen gegevens" in rows[0]
    assert _chart_data(html)["missing"][:11] == [False] * 11
    assert "status-incomplete" not in rows[11]  # 30 and 31 December are complete
    assert "ontbreken" not in html.split('data-testid="chart-caption"', 1)[1].split("</figcaption>", 1)[0]
    html = client.get(reverse("meters:years", args=[meter.pk])).text
    labels = [row_label(r) for r in table_rows(html)]
    assert labels[:2] == ["2024", "2025"] and labels[-1] == str(local_today().year)
    expected = stored_kwh(meter, date(2024, 1, 1), date(2100, 1, 1))
    assert figures_cells(html, "period")[("offtake", "total")] == dutch_kwh(expected[("offtake", "total")])


def _link(html: str, testid: str) -> str | None:
    match = re.search(rf'href="([^"]+)"[^>]*data-testid="{testid}"', html)
    return match.group(1) if match else None


def test_navigation_goes_to_the_right_periods(client, meter):
    pk = meter.pk
    html = client.get(reverse("meters:day", args=[pk, date(2025, 3, 1)])).text
    assert _link(html, "previous") == reverse("meters:day", args=[pk, date(2025, 2, 28)])
    assert _link(html, "next") == reverse("meters:day", args=[pk, date(2025, 3, 2)])
    html = client.get(reverse("meters:month", args=[pk, date(2025, 1, 1)]) + "?vergelijk=vorige").text
    assert (
        _link(html, "previous") == reverse("meters:month", args=[pk, date(2024, 12, 1)]) + "?vergelijk=vorige"
    )
    assert _link(html, "next") == reverse("meters:month", args=[pk, date(2025, 2, 1)]) + "?vergelijk=vorige"
    html = client.get(reverse("meters:year", args=[pk, 2025])).text
    assert _link(html, "previous") == reverse("meters:year", args=[pk, 2024])
    # No "next" beyond the current period.
    today = local_today()
    assert _link(client.get(reverse("meters:day", args=[pk, today])).text, "next") is None
    assert _link(client.get(reverse("meters:year", args=[pk, today.year])).text, "next") is None
    # The view switch keeps the period: from a day to its month and year.
    html = client.get(reverse("meters:day", args=[pk, date(2025, 3, 1)])).text
    assert reverse("meters:month", args=[pk, date(2025, 3, 1)]) in html
    assert reverse("meters:year", args=[pk, 2025]) in html


def test_the_date_picker_redirects_and_bad_dates_never_fail(client, meter):
    pick = reverse("meters:pick", args=[meter.pk])
    assert client.get(pick, {"dag": "2025-10-26"})["Location"] == reverse(
        "meters:day", args=[meter.pk, AUTUMN]
    )
    response = client.get(pick, {"maand": "2025-02", "vergelijk": "vorigjaar"})
    assert (
        response["Location"]
        == reverse("meters:month", args=[meter.pk, date(2025, 2, 1)]) + "?vergelijk=vorigjaar"
    )
    assert client.get(pick, {"jaar": "2024"})["Location"] == reverse("meters:year", args=[meter.pk, 2024])
    for params in ({"dag": "2025-02-30"}, {"maand": "2025-13"}, {"jaar": "twee"}, {}, {"dag": "1850-01-01"}):
        response = client.get(pick, params)
        assert response.status_code == 400, params
        assert "geldige datum" in response.text or "Kies een datum tussen" in response.text
    base = f"/meters/{meter.pk}"
    for url in (
        f"{base}/dag/2025-02-30/",
        f"{base}/maand/2025-13/",
        f"{base}/dag/2025-1-1/",
        f"{base}/jaar/20x5/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"{base}/jaar/1999/").status_code == 400
    assert client.get(f"{base}/dag/2025-06-14/?vergelijk=onzin").status_code == 200


def test_compare_with_the_same_day_last_year(client, meter):
    ingest_day(meter, date(2025, 6, 14))
    ingest_day(meter, date(2024, 6, 14), missing={0})
    url = reverse("meters:day", args=[meter.pk, date(2025, 6, 14)])
    html = client.get(url + "?vergelijk=vorigjaar").text
    data = _chart_data(html)
    assert data["compare"]["offtake"][0] is None
    assert round(data["compare"]["offtake"][1] * 1000) == 40 + (7 + 14 * 3) % 90
    assert "zelfde dag vorig jaar" in html
    comparisons = html.split('data-testid="comparisons"', 1)[1].split("</table>", 1)[0]
    last_year = stored_kwh(meter, date(2024, 6, 14), date(2024, 6, 15))
    assert dutch_kwh(last_year[("offtake", "total")]) in comparisons
    assert _chart_data(client.get(url).text)["compare"] is None


URL_NAMES = ["dashboard", "day", "month", "year", "years", "pick"]


def _urls(meter_id):
    return [
        reverse("meters:dashboard", args=[meter_id]),
        reverse("meters:day", args=[meter_id, date(2025, 6, 14)]),
        reverse("meters:month", args=[meter_id, date(2025, 6, 1)]),
        reverse("meters:year", args=[meter_id, 2025]),
        reverse("meters:years", args=[meter_id]),
        reverse("meters:pick", args=[meter_id]) + "?dag=2025-06-14",
    ]


def test_another_homeowners_meter_is_404_on_every_url(client, homeowner):
    other = MeterFactory()
    ingest_day(other, date(2025, 6, 14))
    for url in _urls(other.pk):
        assert client.get(url).status_code == 404, url
    for url in _urls(987654):
        assert client.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_login(client):
    meter = MeterFactory()
    for url in [reverse("home"), *_urls(meter.pk)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url
