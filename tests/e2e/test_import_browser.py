"""The CSV import page follows the import task in the browser (meters/views/imports.py,
static/js/import_progress.js): the upload answers at once with a progress bar, which the page's
script keeps up to date without reloading, and the summary appears by itself once the import
ended. Screenshots at 1280 and 375 px (axe-core checks each page screenshotted and at the end)."""

from datetime import date

import pytest

from meters.models import ReadingDay, ReadingImport
from meters.services.csv_import import readings_csv_import_run
from tests.e2e.conftest import login
from tests.factories import DEFAULT_PASSWORD, MeterFactory, ProfileFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EAN = "541448820050357909"
HEADER = "Van datum;Van tijdstip;Tot datum;Tot tijdstip;EAN;Meter;Metertype;Register;Volume;Eenheid;Validatiestatus"


def _export(day: date) -> bytes:
    rows = []
    for quarter in range(96):
        hh, mm = divmod(quarter * 15, 60)
        end_hh, end_mm = divmod(quarter * 15 + 15, 60)
        end_day = day if end_hh < 24 else day.replace(day=day.day + 1)
        rows.append(
            f'{day:%d-%m-%Y};{hh:02d}:{mm:02d}:00;{end_day:%d-%m-%Y};{end_hh % 24:02d}:{end_mm:02d}:00;="{EAN}";'
            f"1SAG12345678;Digitale Meter;Afname Dag;0,{100 + quarter};kWh;Gevalideerd"
        )
    return b"\xef\xbb\xbf" + ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


@pytest.mark.parametrize("width", [1280, 375])
def test_the_page_follows_the_import_and_shows_its_summary(page, screenshot, tmp_path, width):
    profile = ProfileFactory(user__email="inlezen@example.be", first_name="Inge")
    meter = MeterFactory(owner=profile.user, label="Thuis", ean=EAN)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "inlezen@example.be", DEFAULT_PASSWORD)
    page.goto(f"/meters/{meter.pk}/importeren/")
    upload = tmp_path / "Verbruikshistoriek.csv"
    upload.write_bytes(_export(date(2025, 4, 20)))
    page.set_input_files("#id_file", str(upload))
    page.get_by_role("button", name="Inlezen").click()

    progress = page.get_by_test_id("import-progress")
    progress.wait_for()  # the web request only stored the file; the task has not run
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"import-progress-{width}")
    record = ReadingImport.objects.get(meter=meter)
    assert record.status == ReadingImport.Status.QUEUED and not ReadingDay.objects.exists()

    readings_csv_import_run(import_id=record.pk)  # what the Celery worker does (test_tasks.py)

    page.get_by_test_id("import-summary").wait_for(timeout=30_000)  # the script noticed and reloaded
    assert "96 nieuwe waarden ingelezen" in page.get_by_test_id("import-summary").inner_text()
    assert page.get_by_test_id("import-progress").count() == 0
    screenshot(page, f"import-summary-{width}")
