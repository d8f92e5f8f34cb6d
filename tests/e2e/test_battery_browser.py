"""The battery what-if in a real browser: from the dashboard to the comparison, charts drawn,
the assumptions in the URL, at 1280 px and on a 375-px phone.

Screenshots go to test-artifacts/screenshots/ (battery-whatif*.png).
"""

from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from ilusmart.clock import local_today
from meters.models import CapacityTariffPrice, EnergyTariff
from tests.e2e.conftest import login
from tests.factories import DEFAULT_PASSWORD, MeterFactory, ProfileFactory, covering_mandate
from tests.meters.battery_data import solar_home_days

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.date_sensitive]

BATTERY_CHARTS = """() => Array.from(document.querySelectorAll('[data-battery-chart]')).map((el) => {
  const chart = window.echarts && echarts.getInstanceByDom(el);
  const option = chart.getOption();
  return {
    canvas: !!el.querySelector('canvas'),
    labels: option.xAxis[0].data.length,
    legend: option.legend[0].data,
    axes: option.yAxis.map((axis) => (axis.axisLabel.formatter || String)(1234.5)),
    socMax: Math.max(...option.series.filter((s) => s.id.startsWith('soc')).flatMap((s) => s.data)),
  };
})"""


TABLES_FIT = """() => Array.from(document.querySelectorAll('.battery-table')).map((table) => {
  const region = table.closest('.table-scroll');
  return region.scrollWidth <= region.clientWidth;
})"""


def _twelve_months(today: date) -> tuple[date, date]:
    """The page's default period: the 12 whole months before this month, [first, last]."""
    this_month = today.replace(day=1)
    first = date(this_month.year - 1, this_month.month, 1)
    return first, this_month - timedelta(days=1)


@pytest.fixture
def solar_homeowner():
    profile = ProfileFactory(user__email="batterij@example.be", first_name="Wim")
    meter = MeterFactory(owner=profile.user, label="Thuis")
    covering_mandate(meter)
    first, last = _twelve_months(local_today())
    solar_home_days(meter, first, last)
    EnergyTariff.objects.create(
        label="Gemiddeld Vlaanderen",
        offtake_day_eur_per_kwh=Decimal("0.32"),
        offtake_night_eur_per_kwh=Decimal("0.25"),
        injection_eur_per_kwh=Decimal("0.035"),
        fixed_eur_per_year=Decimal("110"),
        valid_from=date(2020, 1, 1),
    )
    CapacityTariffPrice.objects.create(price_eur_per_kw_year=Decimal("60.44"), valid_from=date(2020, 1, 1))
    return profile.user, meter


def _no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _drawn(page):
    page.wait_for_function(
        "() => document.querySelectorAll('[data-battery-chart].is-drawn canvas').length === 2"
    )
    return page.evaluate(BATTERY_CHARTS)


def test_battery_whatif_from_the_dashboard(page, screenshot, solar_homeowner):
    _user, meter = solar_homeowner
    login(page, "batterij@example.be", DEFAULT_PASSWORD)
    page.get_by_role("heading", name="Welkom, Wim").wait_for()
    page.get_by_test_id("battery-link").click()
    page.get_by_role("heading", name="Wat als ik een thuisbatterij had?").wait_for()

    charts = _drawn(page)
    assert [c["labels"] for c in charts] in ([96, 96], [96, 92], [96, 100])  # summer, winter
    for chart in charts:
        assert chart["canvas"]
        assert chart["legend"][:2] == ["Afname zonder batterij", "Injectie zonder batterij"]
        assert len(chart["legend"]) == 5  # three batteries' charge
        assert chart["axes"] == ["1.234,5", "1.234,5"]  # Dutch numbers on both value axes
    assert 0 < charts[0]["socMax"] <= 15  # the summer day fills the batteries, within 15 kWh

    # enter battery prices: the result is a link (everything in the URL)
    page.get_by_label("Prijs van de batterij (€)").nth(0).fill("4500")
    page.get_by_label("Prijs van de batterij (€)").nth(1).fill("7000")
    page.get_by_label("Prijs van de batterij (€)").nth(2).fill("9500")
    page.get_by_test_id("battery-submit").click()
    page.wait_for_url("**/thuisbatterij/?*prijs1=4500*")
    query = parse_qs(urlsplit(page.url).query)
    assert query["kwh2"] == ["10"] and query["prijs3"] == ["9500"]
    _drawn(page)
    year = page.get_by_test_id("battery-year")
    header = year.locator("thead th").all_inner_texts()
    assert header == ["Cijfer", "Zonder batterij", "5 kWh / 2,5 kW", "10 kWh / 5 kW", "15 kWh / 5 kW"]
    payback = year.locator("tr", has_text="Terugverdientijd").locator("td").all_inner_texts()
    assert payback[0] == "n.v.t."
    assert all(float(text.replace(",", ".")) > 0 or text == "nooit" for text in payback[1:])
    offtake = year.locator("tr", has_text="Afname van het net").locator("td").all_inner_texts()
    numbers = [int(text.replace(".", "")) for text in offtake]
    assert numbers[0] > numbers[1] > numbers[2] >= numbers[3]  # a bigger battery takes less from the grid
    screenshot(page, "battery-whatif")

    page.get_by_text("Tabel met alle cijfers").first.click()
    assert page.locator("table.chart-table").first.locator("tbody tr").count() in (92, 96, 100)


def test_battery_whatif_fits_a_375px_phone(phone_page, screenshot, solar_homeowner):
    _user, meter = solar_homeowner
    login(phone_page, "batterij@example.be", DEFAULT_PASSWORD)
    phone_page.get_by_role("heading", name="Welkom, Wim").wait_for()
    phone_page.goto(
        f"/meters/{meter.pk}/thuisbatterij/?kwh1=5&kw1=2.5&prijs1=4500&kwh2=10&kw2=5&prijs2=7000"
        "&kwh3=15&kw3=5&prijs3=9500&rendement=90&diepte=90&strategie=piekbeperking&doelpiek=3.5"
        f"&reserve=50&vanaf={_twelve_months(local_today())[0]:%Y-%m}"
    )
    _drawn(phone_page)
    assert _no_horizontal_scroll(phone_page)
    assert phone_page.get_by_test_id("battery-result").is_visible()
    # no table of the comparison scrolls sideways: the year's rows are cards, the months fit
    assert phone_page.evaluate(TABLES_FIT) == [True] * 5
    screenshot(phone_page, "battery-whatif-375")
