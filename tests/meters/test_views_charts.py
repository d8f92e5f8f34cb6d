"""The chart pages: day by quarter-hour, month by day, year by month, all years."""

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from meters.selectors import local_today
from tests.factories import MeterFactory, ProfileFactory, covering_mandate
from tests.meters.dashboard_data import (
    WrittenReadings,
    dutch_kwh,
    figures_cells,
    ingest_day,
    injection_wh,
    offtake_wh,
    row_label,
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
    meter = MeterFactory(owner=homeowner)
    covering_mandate(meter)  # the homeowner sees the days their mandate covers
    return meter


@pytest.fixture
def written(meter):
    """Readings this test stores for ``meter``; expected figures are computed from them."""
    return WrittenReadings(meter)


def _assert_figures(html: str, expected: dict):
    cells = figures_cells(html, "period")
    for key, value in expected.items():
        assert cells[key] == (dutch_kwh(value) if value is not None else "—geen gegevens"), key


def _chart_data(html: str) -> dict:
    raw = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    return json.loads(raw)


def test_spring_day_has_92_rows_without_the_skipped_hour(client, meter, written):
    written.day(SPRING)
    html = client.get(reverse("meters:day", args=[meter.pk, SPRING])).text
    labels = [row_label(r) for r in table_rows(html)]
    assert len(labels) == 92
    assert labels[7:9] == ["01:45", "03:00"]  # 02:00–03:00 does not exist that night
    assert not any(label.startswith("02:") for label in labels)
    data = _chart_data(html)
    assert len(data["labels"]) == len(data["offtake"]) == 92
    assert round(data["offtake"][91] * 1000) == offtake_wh(SPRING, 91)  # 23:45, the day's last
    _assert_figures(html, written.kwh(SPRING, date(2025, 3, 31)))


def test_autumn_day_has_100_rows_with_the_repeated_hour_labelled(client, meter, written):
    written.day(AUTUMN)
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
    assert round(_chart_data(html)["offtake"][12] * 1000) == offtake_wh(AUTUMN, 12)  # 02:00 winter time
    _assert_figures(html, written.kwh(AUTUMN, date(2025, 10, 27)))


def test_day_totals_and_values_equal_the_values_written(client, meter, written):
    day = date(2025, 6, 14)
    written.day(day)
    html = client.get(reverse("meters:day", args=[meter.pk, day])).text
    expected = written.kwh(day, date(2025, 6, 15))
    _assert_figures(html, expected)
    caption = re.search(r'data-testid="chart-caption">(.*?)</figcaption>', html, re.S).group(1)
    assert f"Afname {dutch_kwh(expected[('offtake', 'total')])} kWh" in caption
    assert f"injectie {dutch_kwh(expected[('injection', 'total')])} kWh" in caption
    data = _chart_data(html)
    assert [round(kwh * 1000) for kwh in data["offtake"]] == [offtake_wh(day, slot) for slot in range(96)]
    assert [round(kwh * 1000) for kwh in data["injection"]] == [injection_wh(day, slot) for slot in range(96)]


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
    assert "3 kwartierwaarden ontbreken" in html  # slots 20, 21 and 50, each counted once
    assert "2 waarden zijn geschat (EST, 1,1 % van de waarden)" in html  # 2 of 189


def test_month_view_by_day_with_missing_days_as_gaps(client, meter, written):
    written.days(date(2025, 5, 31), date(2025, 6, 10))  # 31 May: outside the month
    written.days(date(2025, 6, 12), date(2025, 6, 19))
    written.day(date(2025, 6, 20), estimated={5})  # a VAL value would never be replaced by EST
    written.days(date(2025, 6, 21), date(2025, 7, 1))  # 1 July: outside the month
    html = client.get(reverse("meters:month", args=[meter.pk, date(2025, 6, 1)])).text
    rows = table_rows(html)
    assert len(rows) == 30
    assert "status-missing" in rows[10] and "ontbreekt" in rows[10]  # 11 June
    assert "status-estimated-part" in rows[19]
    data = _chart_data(html)
    assert data["offtake"][10] is None and data["missing"][10] is True
    for index in range(30):
        day = date(2025, 6, index + 1)
        wh = written.day_wh(day)
        if wh is None:
            assert day == date(2025, 6, 11)
            continue
        assert round(data["offtake"][index] * 1000) == wh, day
        assert dutch_kwh(Decimal(wh) / 1000) in rows[index], day
        assert round(data["injection"][index] * 1000) == written.day_wh(day, "injection"), day
    _assert_figures(html, written.kwh(date(2025, 6, 1), date(2025, 7, 1)))
    # Each day links to its own quarter-hour chart.
    assert reverse("meters:day", args=[meter.pk, date(2025, 6, 12)]) in rows[11]


def test_year_and_years_views(client, meter, written):
    written.days(date(2024, 12, 30), date(2025, 1, 2))
    written.day(date(2025, 1, 31))
    written.days(date(2025, 3, 30), date(2025, 4, 1))  # 92 quarter-hours, then March's last day
    html = client.get(reverse("meters:year", args=[meter.pk, 2025])).text
    rows = table_rows(html)
    assert len(rows) == 12
    data = _chart_data(html)
    january = written.wh(date(2025, 1, 1), date(2025, 2, 1))[("offtake", "total")]
    march = written.wh(date(2025, 3, 1), date(2025, 4, 1))[("offtake", "total")]
    assert round(data["offtake"][0] * 1000) == january
    assert round(data["offtake"][2] * 1000) == march
    assert round(data["offtake"][3] * 1000) == written.day_wh(date(2025, 4, 1))
    _assert_figures(html, written.kwh(date(2025, 1, 1), date(2026, 1, 1)))
    assert data["offtake"][1] is None and data["missing"][1] is True  # February: nothing stored
    assert "status-incomplete" in rows[0]  # 2 of 31 days
    # Before the meter's first data nothing is "missing": there was nothing to expect yet.
    html = client.get(reverse("meters:year", args=[meter.pk, 2024])).text
    rows = table_rows(html)
    assert "status-none" in rows[0] and "geen gegevens" in rows[0] and "nog geen" not in rows[0]
    assert _chart_data(html)["missing"][:11] == [False] * 11
    assert "status-incomplete" not in rows[11]  # 30 and 31 December are complete
    assert "ontbreken" not in html.split('data-testid="chart-caption"', 1)[1].split("</figcaption>", 1)[0]
    html = client.get(reverse("meters:years", args=[meter.pk])).text
    labels = [row_label(r) for r in table_rows(html)]
    assert labels[:2] == ["2024", "2025"] and labels[-1] == str(local_today().year)
    _assert_figures(html, written.kwh(date(2024, 1, 1), date(2100, 1, 1)))
    by_year = [round(kwh * 1000) if kwh is not None else None for kwh in _chart_data(html)["offtake"][:2]]
    assert by_year == [
        written.wh(date(2024, 1, 1), date(2025, 1, 1))[("offtake", "total")],
        written.wh(date(2025, 1, 1), date(2026, 1, 1))[("offtake", "total")],
    ]


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
    assert client.get(f"{base}/jaar/1999/").status_code == 404  # before 2010: no such page
    assert client.get(f"{base}/dag/2025-06-14/?vergelijk=onzin").status_code == 200


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def test_periods_outside_2010_to_tomorrow_are_404_never_500(client, meter):
    tomorrow = local_today() + timedelta(days=1)
    base = f"/meters/{meter.pk}"
    outside = [
        "jaar/0000/",
        "jaar/0001/",
        "jaar/2009/",
        "jaar/9999/",
        f"jaar/{tomorrow.year + 1}/",
        "dag/0000-01-01/",
        "dag/0001-01-01/",
        "dag/2009-12-31/",
        "dag/9999-12-31/",
        f"dag/{tomorrow + timedelta(days=1)}/",
        "maand/0000-01/",
        "maand/0001-01/",
        "maand/2009-12/",
        "maand/9999-12/",
        f"maand/{_next_month(tomorrow):%Y-%m}/",
        "maand/2025-00/",
        "dag/2025-06-00/",
    ]
    for path in outside:
        for query in ("", "?vergelijk=vorige", "?vergelijk=vorigjaar"):
            assert client.get(f"{base}/{path}{query}").status_code == 404, path + query
    inside = [
        "dag/2010-01-01/",
        "maand/2010-01/",
        "jaar/2010/",
        f"dag/{tomorrow}/",
        f"maand/{tomorrow:%Y-%m}/",
    ]
    inside.append(f"jaar/{tomorrow.year}/")
    for path in inside:
        for query in ("", "?vergelijk=vorige", "?vergelijk=vorigjaar"):
            assert client.get(f"{base}/{path}{query}").status_code == 200, path + query


def test_hostile_query_strings_never_fail(client, meter):
    pick = reverse("meters:pick", args=[meter.pk])
    tomorrow = local_today() + timedelta(days=1)
    refused = [
        {"jaar": "0"},
        {"jaar": "0000"},
        {"jaar": "-1"},
        {"jaar": "2009"},
        {"jaar": "9" * 30},
        {"jaar": "9" * 5000},
        {"jaar": "1e9"},
        {"jaar": "2025.5"},
        {"maand": "9999-12"},
        {"maand": "0000-01"},
        {"maand": "2025-" + "9" * 30},
        {"maand": "-2025-01"},
        {"maand": "2025-06-01"},
        {"dag": "0001-01-01"},
        {"dag": "9999-12-31"},
        {"dag": str(tomorrow + timedelta(days=1))},
        {"dag": "2025-06-14\x00"},
        {"dag": "2025-06-14T10:00"},
        {"dag": "+2025-06-14"},
        {"dag": "２０２５-06-14"},
        {"dag": ["2025-06-14", "0001-01-01"]},
    ]
    for params in refused:
        response = client.get(pick, params)
        assert response.status_code == 400, params
        assert "geldige datum" in response.text or "Kies een datum tussen" in response.text, params
    assert client.get(pick, {"dag": "2010-01-01", "vergelijk": "vorigjaar"}).status_code == 302
    assert client.get(pick, {"jaar": str(tomorrow.year)}).status_code == 302
    years = reverse("meters:years", args=[meter.pk])
    for query in (
        "?jaar=0000",
        "?vergelijk=vorigjaar",
        "?dag=9999-12-31&maand=0000-00",
        "?vergelijk=" + "x" * 5000,
    ):
        assert client.get(years + query).status_code == 200, query
    day = reverse("meters:day", args=[meter.pk, date(2025, 6, 14)])
    for query in ("?vergelijk=%00", "?vergelijk=vorige&vergelijk=onzin", "?jaar=0"):
        assert client.get(day + query).status_code == 200, query


def test_compare_with_the_same_day_last_year(client, meter, written):
    written.day(date(2025, 6, 14))
    written.day(date(2024, 6, 14), missing={0})
    url = reverse("meters:day", args=[meter.pk, date(2025, 6, 14)])
    html = client.get(url + "?vergelijk=vorigjaar").text
    data = _chart_data(html)
    assert data["compare"]["offtake"][0] is None
    assert round(data["compare"]["offtake"][1] * 1000) == 40 + (7 + 14 * 3) % 90
    assert "zelfde dag vorig jaar" in html
    comparisons = html.split('data-testid="comparisons"', 1)[1].split("</table>", 1)[0]
    last_year = written.kwh(date(2024, 6, 14), date(2024, 6, 15))
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


def _source_cell(row: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r'data-field="source">(.*?)</td>', row, re.S).group(1)).strip()


def test_the_tables_say_where_the_values_came_from(client, meter):
    from meters.services.ingest import readings_ingest
    from tests.meters.values import QUARTER, local_midnight_utc, qh

    def imported(day, slots):
        start = local_midnight_utc(day)
        values = [qh(start + slot * QUARTER, "offtake", "0.050") for slot in slots]
        readings_ingest(meter=meter, values=values, source="import")

    ingest_day(meter, date(2025, 6, 12))  # Fluvius only
    imported(date(2025, 6, 13), range(96))  # the homeowner's file only
    ingest_day(meter, date(2025, 6, 14), missing={10, 11})
    imported(date(2025, 6, 14), [10, 11, 12])  # fills 10 and 11; 12 stays Fluvius's

    rows = table_rows(client.get(reverse("meters:month", args=[meter.pk, date(2025, 6, 1)])).text)
    assert [_source_cell(rows[i]) for i in (10, 11, 12, 13)] == ["", "Fluvius", "import", "Fluvius en import"]

    rows = table_rows(client.get(reverse("meters:day", args=[meter.pk, date(2025, 6, 14)])).text)
    assert [_source_cell(rows[i]) for i in (9, 10, 11, 12)] == ["Fluvius", "import", "import", "Fluvius"]
    assert "0,050" in rows[10] and "0,050" not in rows[12]

    rows = table_rows(client.get(reverse("meters:year", args=[meter.pk, 2025])).text)
    assert _source_cell(rows[5]) == "Fluvius en import"


def test_a_day_not_yet_due_and_a_day_before_the_data_read_differently(client, meter, written, settings):
    """A day Fluvius has not had to deliver yet (today; yesterday before 06:00) reads "nog geen
    gegevens" and is not missing (a day before the data: test_year_and_years_views)."""
    from datetime import time

    from ilusmart import clock

    today = local_today()
    yesterday = today - timedelta(days=1)
    first = today - timedelta(days=3)
    written.days(first, today - timedelta(days=2))
    settings.CLOCK_SHIFT = clock.shift_to(today, local_time=time(5, 0))
    html = client.get(reverse("meters:month", args=[meter.pk, yesterday.replace(day=1)])).text
    row = next(r for r in table_rows(html) if f'data-key="{yesterday.day}"' in r)
    assert "status-future" in row and "nog geen gegevens" in row
    assert "ontbreken" not in html.split('data-testid="chart-caption"', 1)[1].split("</figcaption>", 1)[0]
    # After 06:00 yesterday is due: its 92/96/100 quarter-hours are missing.
    settings.CLOCK_SHIFT = clock.shift_to(today, local_time=time(7, 0))
    html = client.get(reverse("meters:month", args=[meter.pk, yesterday.replace(day=1)])).text
    row = next(r for r in table_rows(html) if f'data-key="{yesterday.day}"' in r)
    assert "status-missing" in row and "ontbreekt" in row


def test_a_month_bar_is_marked_estimated_only_for_its_share(client, meter, written):
    written.days(date(2025, 6, 1), date(2025, 6, 19))
    written.day(date(2025, 6, 20), estimated={5})  # 2 of 5,760 values of the month
    written.days(date(2025, 6, 21), date(2025, 6, 30))
    html = client.get(reverse("meters:year", args=[meter.pk, 2025])).text
    data = _chart_data(html)
    june = 5
    assert data["offtakeEstimated"][june] is False and data["injectionEstimated"][june] is False
    assert 0 < data["estimatedShare"][june] < 0.01
    assert data["estimatedShare"][june - 1] == 0
    row = table_rows(html)[june]
    assert "status-estimated-part" in row and "0,1 % geschat (EST)" in row
    assert "Het gearceerde, lichtere deel van een staaf is het aandeel geschatte waarden (EST)." in html


def test_missing_counts_have_thousands_separators(client, meter, written):
    written.day(date(2024, 1, 2))  # then nothing for the rest of 2024: 365 × 96 − … quarter-hours
    html = client.get(reverse("meters:year", args=[meter.pk, 2024])).text
    caption = html.split('data-testid="chart-caption"', 1)[1].split("</figcaption>", 1)[0]
    missing = re.search(r"([\d.]+) kwartierwaarden ontbreken", caption).group(1)
    assert re.fullmatch(r"\d{1,3}(\.\d{3})+", missing), missing
    assert (
        int(missing.replace(".", "")) == 365 * 96 - 4 + 4 - 96
    )  # 2 Jan … 31 Dec 2024 (two DST days), less 2 Jan
    html = client.get(reverse("meters:year", args=[meter.pk, 2024]), headers={"accept-language": "en"}).text
    english = re.search(r"Incomplete: ([\d,]+) quarter-hour", html)
    assert english and "," in english.group(1), html[:200]
