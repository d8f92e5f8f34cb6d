"""The dashboard and charts in a real browser: numbers, drawn charts, navigation, English, 375 px.

Screenshots go to test-artifacts/screenshots/ (dashboard*.png, chart-*.png).
"""

from datetime import date, timedelta

import pytest

from ilusmart.clock import local_today
from tests.e2e.conftest import drawn_chart, login
from tests.factories import DEFAULT_PASSWORD, MeterFactory, ProfileFactory, covering_mandate
from tests.meters.dashboard_data import WrittenReadings, dutch_kwh

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.date_sensitive]


@pytest.fixture
def homeowner_with_data():
    profile = ProfileFactory(user__email="grafiek@example.be", first_name="Katrien")
    meter = MeterFactory(owner=profile.user, label="Thuis")
    covering_mandate(meter)  # its data period covers every day written below
    yesterday = local_today() - timedelta(days=1)
    written = WrittenReadings(meter)  # the expected figures: what was written, not DailyTotal
    written.days(yesterday - timedelta(days=45), yesterday - timedelta(days=1))
    written.day(yesterday, missing={20, 21, 22}, estimated={40, 41})
    written.day(date(2025, 10, 26))
    return profile.user, meter, written


def _no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _cell(page, testid, row, field="total"):
    return page.locator(
        f'[data-testid="figures-{testid}"] tr[data-row="{row}"] td[data-field="{field}"]'
    ).inner_text()


def test_dashboard_and_charts(page, screenshot, homeowner_with_data):
    _user, meter, written = homeowner_with_data
    login(page, "grafiek@example.be", DEFAULT_PASSWORD)
    page.get_by_role("heading", name="Welkom, Katrien").wait_for()

    today = local_today()
    yesterday = today - timedelta(days=1)
    for testid, start in (
        ("yesterday", yesterday),
        ("month", yesterday.replace(day=1)),
        ("year", yesterday.replace(month=1, day=1)),
    ):
        expected = written.kwh(start, today)
        for row in ("offtake", "injection", "net"):
            for field in ("total", "day", "night"):
                assert _cell(page, testid, row, field) == dutch_kwh(expected[(row, field)], 1), (
                    testid,
                    row,
                    field,
                )
    assert page.get_by_test_id("mandate-state").inner_text() == "Actief"
    screenshot(page, "dashboard")

    # Day view: 96 (or 92/100) quarter-hours, 3 missing, 2 estimated.
    page.get_by_role("link", name="Per kwartier").click()
    state = drawn_chart(page)
    assert state["canvas"] and state["labels"] in (92, 96, 100)
    assert state["offtake"] == state["labels"] - 3
    assert "Geschat (EST)" in state["legend"] and "Ontbreekt" in state["legend"]
    assert state["axis"] == "1.234,5"  # Dutch numbers on the value axis too
    screenshot(page, "chart-day")

    page.get_by_test_id("previous").click()
    page.wait_for_url(f"**/dag/{yesterday - timedelta(days=1):%Y-%m-%d}/")
    state = drawn_chart(page)
    assert state["offtake"] == state["labels"]  # a full day

    page.get_by_role("link", name="Maand", exact=True).click()
    state = drawn_chart(page)
    assert state["offtake"] > 0
    screenshot(page, "chart-month")
    page.get_by_test_id("previous").click()
    drawn_chart(page)
    screenshot(page, "chart-month-previous")

    page.get_by_role("link", name="Jaar", exact=True).click()
    assert drawn_chart(page)["labels"] == 12
    screenshot(page, "chart-year")

    page.get_by_role("link", name="Alle jaren", exact=True).first.click()
    assert drawn_chart(page)["offtake"] >= 1
    screenshot(page, "chart-years")

    # The autumn daylight-saving day: 100 quarter-hours, the repeated hour labelled twice.
    page.goto(f"/meters/{meter.pk}/dag/2025-10-26/?vergelijk=vorige")
    state = drawn_chart(page)
    assert state["labels"] == 100
    assert page.locator('tr[data-key="02:00"] th').text_content().strip() == "02:00 (zomertijd)"
    assert page.locator('tr[data-key="02:00#2"] th').text_content().strip() == "02:00 (wintertijd)"
    screenshot(page, "chart-day-dst")


def test_date_picker_works_with_the_keyboard(page, homeowner_with_data):
    _user, meter, _written = homeowner_with_data
    login(page, "grafiek@example.be", DEFAULT_PASSWORD)
    page.goto(f"/meters/{meter.pk}/jaar/2025/")
    picker = page.get_by_label("Kies een jaar")
    picker.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("2024")
    page.keyboard.press("Enter")
    page.wait_for_url("**/jaar/2024/")
    page.get_by_test_id("chart-title").filter(has_text="2024").wait_for()


def test_switch_to_english(page, screenshot, homeowner_with_data):
    login(page, "grafiek@example.be", DEFAULT_PASSWORD)
    page.get_by_role("heading", name="Welkom, Katrien").wait_for()
    page.select_option("#lang-select", "en")
    page.get_by_role("button", name="Kies").click()
    page.get_by_role("heading", name="Welcome, Katrien").wait_for()
    assert page.locator('[data-testid="figures-month"] th', has_text="Offtake").count() == 1
    screenshot(page, "dashboard-en")
    page.get_by_role("link", name="Per day").click()
    state = drawn_chart(page)
    assert "Offtake" in state["legend"]
    assert state["axis"] == "1,234.5"
    screenshot(page, "chart-month-en")


def test_dashboard_and_charts_fit_a_375px_phone(phone_page, screenshot, homeowner_with_data):
    _user, meter, _written = homeowner_with_data
    login(phone_page, "grafiek@example.be", DEFAULT_PASSWORD)
    phone_page.get_by_role("heading", name="Welkom, Katrien").wait_for()
    assert _no_horizontal_scroll(phone_page)
    screenshot(phone_page, "dashboard-375")
    yesterday = local_today() - timedelta(days=1)
    for name, url in (
        ("chart-day-375", f"/meters/{meter.pk}/dag/{yesterday:%Y-%m-%d}/"),
        ("chart-month-375", f"/meters/{meter.pk}/maand/{yesterday:%Y-%m}/?vergelijk=vorigjaar"),
        ("chart-year-375", f"/meters/{meter.pk}/jaar/{yesterday:%Y}/"),
    ):
        phone_page.goto(url)
        drawn_chart(phone_page)
        assert _no_horizontal_scroll(phone_page), name
        screenshot(phone_page, name)
