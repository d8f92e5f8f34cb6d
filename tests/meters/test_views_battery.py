"""The battery what-if page: "Wat als ik een thuisbatterij had?" (meters/views/battery.py)."""

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meters.models import EnergyTariff, HomeTariff
from tests.factories import MeterFactory, ProfileFactory, covering_mandate
from tests.meters.battery_data import simple_year

pytestmark = pytest.mark.django_db

# Two batteries on the simple year (tests/meters/battery_data.py), 100 % efficient and usable,
# and prices entered in the URL: every figure below is worked out by hand.
PARAMS = {
    "vanaf": "2025-01",
    "kwh1": "5",
    "kw1": "2.5",
    "prijs1": "5000",
    "kwh2": "10",
    "kw2": "5",
    "prijs2": "",
    "kwh3": "",
    "kw3": "",
    "rendement": "100",
    "diepte": "100",
    "strategie": "zelfverbruik",
    "prijs_dag": "0.30",
    "prijs_nacht": "0.20",
    "prijs_injectie": "0.04",
    "vast": "100",
    "capaciteit": "50",
}


@pytest.fixture
def homeowner(client):
    profile = ProfileFactory()
    client.force_login(profile.user)
    return profile.user


@pytest.fixture
def meter(homeowner):
    meter = MeterFactory(owner=homeowner)
    covering_mandate(meter)
    return meter


def _url(meter):
    return reverse("meters:battery", args=[meter.pk])


def _cells(html: str, testid: str) -> dict[str, list[str]]:
    """Rows of the table ``testid``: the row header's text → its cells' texts."""
    table = re.search(rf'<table[^>]*data-testid="{testid}".*?</table>', html, re.S).group(0)
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        header = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if header:
            label = " ".join(re.sub(r"<[^>]+>", " ", header.group(1)).split())
            rows[label] = [
                re.sub(r"<[^>]+>|\s+", "", cell)
                for cell in re.findall(r'<td class="num"[^>]*>(.*?)</td>', row, re.S)
            ]
    return rows


def test_the_comparison_worked_by_hand(client, meter):
    simple_year(meter, missing={date(2025, 5, 5): [10]})

    response = client.get(_url(meter), PARAMS)

    assert response.status_code == 200
    html = response.content.decode()
    rows = _cells(html, "battery-year")
    # Each day: 3,000 Wh in at noon, 2,000 Wh out at 19:00. The 5 kWh / 2.5 kW battery stores
    # 625 Wh (its power for a quarter-hour) at noon and gives it back at 19:00; the 10 kWh / 5 kW
    # one 1,250 Wh. 365 days: offtake 730 kWh → 501.875 / 273.75 kWh; injection 1,095 → 866.875
    # / 638.75; peak 8 kW → 5.5 / 3 kW every month.
    assert rows["Afname van het net (kWh)"] == ["730", "502", "274"]
    assert rows["Injectie in het net (kWh)"] == ["1.095", "867", "639"]
    assert rows["Zelfverbruik via de batterij (kWh)"] == ["n.v.t.", "228", "456"]
    assert rows["Hoogste kwartierpiek (kW)"] == ["8,000", "5,500", "3,000"]
    assert rows["Gemiddelde aangerekende maandpiek (kW)"] == ["8,000", "5,500", "3,000"]
    # Capacity tariff: the month's peak × € 50 per kW per year ÷ 12, twelve months.
    assert rows["Capaciteitstarief (€)"] == ["400,00", "275,00", "150,00"]
    # Offtake at € 0.30: 219.00, 150.5625 → 150.56, 82.125 → 82.13 (half up)
    assert rows["Afname (€)"] == ["219,00", "150,56", "82,13"]
    # Injection at € 0.04: 43.80, 34.675 → 34.68, 25.55
    assert rows["Injectievergoeding (min) (€)"] == ["-43,80", "-34,68", "-25,55"]
    assert rows["Vaste kosten (€)"] == ["100,00", "100,00", "100,00"]
    assert rows["Energiefactuur (€)"] == ["675,20", "490,88", "306,58"]
    assert rows["Besparing per jaar (€)"] == ["n.v.t.", "184,32", "368,62"]
    assert rows["Prijs van de batterij (€)"] == ["n.v.t.", "5.000,00", "geenprijs"]
    assert rows["Terugverdientijd (jaar)"] == ["n.v.t.", "27,1", "geenprijs"]  # 5,000 / 184.32
    coverage = re.search(r'data-testid="battery-coverage">(.*?)</p>', html, re.S).group(1)
    assert "35.039 van de 35.040 kwartieren" in re.sub(r"\s+", " ", coverage)
    assert "1 kwartier ontbreekt" in coverage


def test_on_a_phone_each_year_row_is_a_card_whose_figures_name_their_battery(client, meter):
    simple_year(meter)
    html = client.get(_url(meter), PARAMS).content.decode()
    table = re.search(r'<table[^>]*data-testid="battery-year".*?</table>', html, re.S).group(0)
    assert 'class="data-table battery-table stack-table"' in table  # static/css/site.css
    row = re.search(r"<tr[^>]*><th scope=\"row\">Afname van het net.*?</tr>", table, re.S).group(0)
    assert re.findall(r'<td class="num" data-label="([^"]+)">', row) == [
        "Zonder batterij",
        "5 kWh / 2,5 kW",
        "10 kWh / 5 kW",
    ]


def test_the_page_reads_the_quarter_hours_and_each_price_table_once(client, meter):
    simple_year(meter)
    params = {
        k: v for k, v in PARAMS.items() if k not in ("prijs_dag", "prijs_nacht", "prijs_injectie", "vast")
    }
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url(meter), params).status_code == 200
    tables = [re.search(r'FROM\s+"?(\w+)"?', q["sql"]).group(1) for q in queries]
    for table in ("meters_readingday", "meters_energytariff", "meters_capacitytariffprice"):
        assert tables.count(table) == 1, tables  # shared by the three batteries and the placeholders
    assert len(tables) <= 12, tables


def test_monthly_tables_and_typical_days(client, meter):
    simple_year(meter)
    html = client.get(_url(meter), PARAMS).content.decode()
    month_table = re.search(r"<caption[^>]*>Maandpiek \(capaciteitstarief\).*?</table>", html, re.S).group(0)
    assert month_table.count("<tr>") == 13  # header + 12 months
    assert re.search(
        r"(?i)jan\.? 2025</th><td class=\"num\">8,000</td><td class=\"num\">5,500</td><td class=\"num\">3,000</td>",
        month_table,
    )
    # summer and winter day charts, each with its data for the chart script
    for season in ("summer", "winter"):
        raw = re.search(
            rf'<script id="battery-chart-{season}-data" type="application/json">(.*?)</script>', html, re.S
        )
        data = json.loads(raw.group(1))
        assert len(data["labels"]) == 96
        noon = data["labels"].index("12:00")
        evening = data["labels"].index("19:00")
        assert data["injection"][noon] == 3.0 and data["offtake"][evening] == 2.0
        # state of charge: 0 until noon, 0.625 / 1.25 kWh until 19:00, then 0 again
        assert [run[noon] for run in data["soc"]] == [0.625, 1.25]
        assert [run[noon - 1] for run in data["soc"]] == [0.0, 0.0]
        assert [run[evening] for run in data["soc"]] == [0.0, 0.0]
    assert 'src="/static/js/battery.js"' in html


def test_defaults_without_parameters_show_three_sizes(client, meter):
    response = client.get(_url(meter))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Wat als ik een thuisbatterij had?" in html
    for name, value in (("kwh1", "5"), ("kw1", "2.5"), ("kwh2", "10"), ("kwh3", "15"), ("rendement", "90")):
        assert re.search(rf'<input[^>]* name="{name}"[^>]* value="{value}"', html), name
    assert re.search(r'<option value="zelfverbruik" selected>', html)
    # no readings at all: the last 12 whole months, every quarter-hour reported missing
    coverage = re.search(r'data-testid="battery-coverage">(.*?)</p>', html, re.S).group(1)
    assert re.search(r"Gebaseerd op 0 van de [\d.]+ kwartieren", coverage)
    assert "kwartieren ontbreken" in coverage
    assert len(_cells(html, "battery-year")["Energiefactuur (€)"]) == 4  # without + three sizes


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kwh1": "abc"}, "Voer een getal in"),
        ({"kwh1": "5", "kw1": ""}, "zowel capaciteit als vermogen"),
        ({"kwh1": "", "kw1": "", "kwh2": "", "kw2": ""}, "minstens één batterij"),
        ({"vanaf": "2099-01"}, "Kies een maand tussen"),
        ({"vanaf": "januari"}, "Geef een maand als jjjj-mm"),
        ({"rendement": "40"}, "tussen 50 en 100 procent"),
        ({"strategie": "piekbeperking"}, "Geef een doelpiek"),
        ({"prijs_nacht": ""}, "Vul alle vier de prijzen in"),
        ({"kwh1": "300"}, "hoogstens 200"),
    ],
)
def test_wrong_assumptions_answer_400_with_a_message(client, meter, change, message):
    response = client.get(_url(meter), {**PARAMS, **change})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "zowel capaciteit als vermogen" not in html or "zowel" in message
    assert 'data-testid="battery-result"' not in html


def test_only_the_homeowners_own_days_count(client, meter, homeowner):
    simple_year(meter)
    other_meter = MeterFactory()  # someone else's meter: not found
    assert client.get(_url(other_meter), PARAMS).status_code == 404
    # a second occupant whose mandate came later sees none of the first one's 2025
    newcomer = ProfileFactory().user
    meter.owner = newcomer
    meter.save()
    covering_mandate(meter, user=newcomer, since=date(2026, 1, 1))  # approved 1 January 2026
    client.force_login(newcomer)
    html = client.get(_url(meter), PARAMS).content.decode()
    rows = _cells(html, "battery-year")
    assert rows["Afname van het net (kWh)"] == ["0", "0", "0"]
    assert "35040 kwartieren ontbreken" in html.replace(".", "")


def test_staff_tariffs_by_day_and_the_homeowners_own_prices(client, meter, homeowner):
    simple_year(meter)
    EnergyTariff.objects.create(
        offtake_day_eur_per_kwh=Decimal("0.30"),
        offtake_night_eur_per_kwh=Decimal("0.20"),
        injection_eur_per_kwh=Decimal("0.04"),
        fixed_eur_per_year=Decimal("100"),
        valid_from=date(2025, 1, 1),
        valid_to=date(2025, 6, 30),
    )
    params = {
        k: v for k, v in PARAMS.items() if k not in ("prijs_dag", "prijs_nacht", "prijs_injectie", "vast")
    }
    html = client.get(_url(meter), params).content.decode()
    # July–December have no tariff: the bill is not made up
    assert "184 dagen met gegevens is geen energietarief bekend" in html
    assert _cells(html, "battery-year")["Energiefactuur (€)"] == ["—geengegevens"] * 3

    # the homeowner keeps their own contract's prices; from then on they count for every day
    back = "&".join(f"{k}={v}" for k, v in params.items())
    response = client.post(
        reverse("meters:battery_tariff", args=[meter.pk]),
        {
            "prijs_dag": "0.30",
            "prijs_nacht": "0.20",
            "prijs_injectie": "0.04",
            "vast": "100",
            "capaciteit": "50",
            "terug": back,
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(_url(meter) + "?vanaf=2025-01")
    saved = HomeTariff.objects.get(user=homeowner)
    assert saved.capacity_eur_per_kw_year == Decimal("50")
    html = client.get(_url(meter), params).content.decode()
    assert _cells(html, "battery-year")["Energiefactuur (€)"] == ["675,20", "490,88", "306,58"]
    assert "die van je eigen contract" in html

    client.post(reverse("meters:battery_tariff", args=[meter.pk]), {"wissen": "1", "terug": back})
    assert not HomeTariff.objects.filter(user=homeowner).exists()


def test_saving_wrong_prices_is_refused_with_400(client, meter, homeowner):
    response = client.post(
        reverse("meters:battery_tariff", args=[meter.pk]), {"prijs_dag": "-1", "terug": ""}
    )
    assert response.status_code == 400
    assert not HomeTariff.objects.filter(user=homeowner).exists()


def test_the_dashboard_links_to_the_what_if(client, meter):
    html = client.get(reverse("meters:dashboard", args=[meter.pk])).content.decode()
    assert f'href="{_url(meter)}"' in html


def test_english(client, meter):
    simple_year(meter)
    client.cookies["django_language"] = "en"
    html = client.get(_url(meter), PARAMS, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "What if I had a home battery?" in html
    assert "Energy bill" in html


def test_a_shortened_link_takes_the_defaults_for_what_it_leaves_out(client, meter):
    simple_year(meter)
    response = client.get(_url(meter), {"strategie": "piekbeperking", "doelpiek": "3"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="battery-result"' in html
    assert re.search(r'<option value="piekbeperking" selected>', html)
    for name, value in (("kwh1", "5"), ("kw2", "5"), ("kwh3", "15"), ("doelpiek", "3")):
        assert re.search(rf'<input[^>]* name="{name}"[^>]* value="{value}"', html), name
    assert len(_cells(html, "battery-year")["Energiefactuur (€)"]) == 4  # without + three sizes
    # a battery the link empties on purpose stays out
    html = client.get(_url(meter), {"kwh3": "", "kw3": ""}).content.decode()
    assert len(_cells(html, "battery-year")["Energiefactuur (€)"]) == 3
