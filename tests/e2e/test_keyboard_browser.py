"""The homeowner's tools with the keyboard alone (issue 8, item 12): the date picker, the
comparison links, the export and the import, reached with Tab and worked with Enter, Space and
the arrow keys; no mouse click after logging in. Screenshots at 1280 and 375 px go to
test-artifacts/screenshots/ (keyboard-*.png); axe-core checks every page screenshotted.
"""

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from ilusmart.clock import local_today
from meters.models import ReadingImport
from tests.e2e.conftest import drawn_chart, login
from tests.factories import DEFAULT_PASSWORD, MeterFactory, ProfileFactory, covering_mandate
from tests.meters.dashboard_data import WrittenReadings

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MAX_TABS = 120


@pytest.fixture
def homeowner():
    profile = ProfileFactory(user__email="toetsenbord@example.be", first_name="Katrien")
    meter = MeterFactory(owner=profile.user, label="Thuis", ean="541448820050357909")
    covering_mandate(meter)
    written = WrittenReadings(meter)
    written.days(date(2025, 4, 28), date(2025, 6, 3))
    yesterday = local_today() - timedelta(days=1)
    written.days(yesterday - timedelta(days=20), yesterday - timedelta(days=1))
    return profile.user, meter


def tab_to(page, selector: str, *, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until the focused element matches ``selector``; fail if it never does."""
    for _ in range(MAX_TABS):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"Tab never reached {selector}")


def type_date(page, selector: str, day: date) -> None:
    """Type ``day`` into a date field as a person does: digits, part after part. The order of the
    parts follows the browser's own locale, so try the usual orders (retyping from the first
    part with the arrow keys) until the field holds ``day``."""
    for order in ("dmY", "mdY", "Ymd"):
        tab_to(page, selector)
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")  # back to the first part if a try left us on a later one
        page.keyboard.type("".join(day.strftime(f"%{part}") for part in order))
        if page.input_value(selector) == day.isoformat():
            return
    raise AssertionError(f"could not type {day} into {selector}")


def _mijn_fluvius_csv(ean: str, day: date) -> bytes:
    """Four quarter-hours of ``day`` in the old Mijn Fluvius header (BOM, ';', decimal comma)."""
    header = "Van datum;Van tijdstip;Tot datum;Tot tijdstip;EAN;Meter;Metertype;Register;Volume;Eenheid;Validatiestatus"
    rows = []
    for quarter in range(4):
        start, end = (
            f"00:{quarter * 15:02d}:00",
            f"00:{quarter * 15 + 15:02d}:00" if quarter < 3 else "01:00:00",
        )
        for register, volume in (("Afname Nacht", f"0,{100 + quarter}"), ("Injectie Nacht", "0,000")):
            rows.append(
                f'{day:%d-%m-%Y};{start};{day:%d-%m-%Y};{end};="{ean}";1SAG12345678;Digitale Meter;'
                f"{register};{volume};kWh;Gevalideerd"
            )
    return b"\xef\xbb\xbf" + ("\n".join([header, *rows]) + "\n").encode("utf-8")


def test_date_picker_and_comparison_links_with_the_keyboard(page, screenshot, homeowner):
    _user, meter = homeowner
    login(page, "toetsenbord@example.be", DEFAULT_PASSWORD)
    page.get_by_role("heading", name="Welkom, Katrien").wait_for()

    # The month picker: reach it with Tab, one month back with the arrow key, Enter shows it.
    page.goto(f"/meters/{meter.pk}/maand/2025-06/")
    drawn_chart(page)
    tab_to(page, "#pick-month")
    page.keyboard.press("ArrowDown")  # the focused part (the month) one step back
    assert page.input_value("#pick-month") == "2025-05"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/meters/{meter.pk}/maand/2025-05/")
    assert drawn_chart(page)["offtake"] == 31  # every day of May has data
    # The chart's description for screen readers is the page's own, in Dutch, not ECharts' English.
    label = page.get_attribute("[data-chart]", "aria-label")
    assert label.startswith("mei 2025: Afname") and "chart" not in label.lower()

    # The day picker: the day one back with the arrow key.
    page.goto(f"/meters/{meter.pk}/dag/2025-06-02/")
    tab_to(page, "#pick-day")
    # The order of the day, month and year parts follows the browser's locale: step right to
    # the part that is the day (undoing a step on another part), then one day back.
    for _part in range(3):
        page.keyboard.press("ArrowDown")
        if page.input_value("#pick-day") == "2025-06-01":
            break
        page.keyboard.press("ArrowUp")
        page.keyboard.press("ArrowRight")
    assert page.input_value("#pick-day") == "2025-06-01"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/meters/{meter.pk}/dag/2025-06-01/")

    # Comparison links: Tab to "vorige periode", Enter; the link then says it is the current one.
    tab_to(page, ".compare-switch a[href*='vergelijk=vorige']")
    page.keyboard.press("Enter")
    page.wait_for_url("**vergelijk=vorige")
    current = page.locator(".compare-switch a[aria-current='true']")
    assert current.inner_text() == "vorige periode"
    assert "Afname, vorige dag" in drawn_chart(page)["legend"]
    # Back to no comparison, again with the keyboard only.
    tab_to(page, ".compare-switch a:not([href*='vergelijk'])")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/meters/{meter.pk}/dag/2025-06-01/")
    screenshot(page, "keyboard-day-1280")


def test_export_with_the_keyboard(page, screenshot, homeowner):
    _user, meter = homeowner
    login(page, "toetsenbord@example.be", DEFAULT_PASSWORD)
    page.get_by_role("heading", name="Welkom, Katrien").wait_for()

    # From the dashboard to the export form with Tab and Enter.
    tab_to(page, f"a[href='/meters/{meter.pk}/exporteren/']")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Gegevens downloaden").wait_for()
    # The dates: type them; the resolution: arrow keys in the select; the Excel file: arrow keys
    # in the radio group; Enter on the button downloads.
    type_date(page, "#id_van", date(2025, 5, 1))
    type_date(page, "#id_tot", date(2025, 6, 2))
    assert (page.input_value("#id_van"), page.input_value("#id_tot")) == ("2025-05-01", "2025-06-02")
    tab_to(page, "#id_resolutie")
    page.keyboard.press("ArrowDown")  # Per dag → Per maand
    assert page.input_value("#id_resolutie") == "month"
    tab_to(page, "input[name='formaat']")
    page.keyboard.press("ArrowDown")  # the standard CSV → the one for Excel
    assert page.locator("input[name='formaat']:checked").get_attribute("value") == "excel_be"
    screenshot(page, "keyboard-export-1280")
    tab_to(page, "form button[type='submit']")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    body = Path(download.value.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert [r["local_start"] for r in rows] == ["2025-05", "2025-06"]
    assert "," in rows[0]["offtake_kwh"]  # a decimal comma


def test_import_with_the_keyboard(page, screenshot, homeowner, tmp_path):
    """From the dashboard's link; Space on the file field opens the file chooser. (Its own page:
    right after a download Chromium may not open a file chooser.)"""
    user, meter = homeowner
    login(page, "toetsenbord@example.be", DEFAULT_PASSWORD)
    page.get_by_role("heading", name="Welkom, Katrien").wait_for()
    tab_to(page, "[data-testid='import-link']")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Verbruik inlezen uit Mijn Fluvius").wait_for()
    upload = tmp_path / "Verbruikshistoriek.csv"
    upload.write_bytes(_mijn_fluvius_csv(meter.ean, date(2025, 4, 20)))
    tab_to(page, "input[type='file']")
    with page.expect_file_chooser(timeout=60_000) as chooser:  # slow on a loaded machine
        page.keyboard.press("Space")
    chooser.value.set_files(str(upload))
    assert page.evaluate("() => document.querySelector('#id_file').files[0].name") == upload.name
    screenshot(page, "keyboard-import-1280")
    tab_to(page, "form button[type='submit']")
    page.keyboard.press("Enter")
    page.get_by_text("Resultaat van de import").or_(page.get_by_test_id("import-progress")).first.wait_for()
    assert ReadingImport.objects.filter(meter=meter, customer=user).exists()


def test_phone_pages_at_375_px(phone_page, screenshot, homeowner):
    _user, meter = homeowner
    login(phone_page, "toetsenbord@example.be", DEFAULT_PASSWORD)
    phone_page.get_by_role("heading", name="Welkom, Katrien").wait_for()
    phone_page.wait_for_function("() => document.querySelector('[data-chart].is-drawn canvas') !== null")
    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    assert phone_page.evaluate(fits)
    screenshot(phone_page, "keyboard-dashboard-375")
    for url, name in (
        (f"/meters/{meter.pk}/exporteren/", "keyboard-export-375"),
        (f"/meters/{meter.pk}/capaciteitstarief/", "keyboard-tariff-375"),
        (f"/meters/{meter.pk}/maand/2025-05/", "keyboard-month-375"),
    ):
        phone_page.goto(url)
        assert phone_page.evaluate(fits), url
        screenshot(phone_page, name)
    # The capacity-tariff table keeps every column on a phone: each value says its column's name.
    phone_page.goto(f"/meters/{meter.pk}/capaciteitstarief/")
    cell = phone_page.locator("[data-testid='peaks-table'] tbody td[data-label]").first
    before = phone_page.evaluate("(el) => getComputedStyle(el, '::before').content", cell.element_handle())
    assert "piek" in before.lower()
