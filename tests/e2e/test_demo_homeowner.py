"""The demo homeowner, made by the README's run command (`seed_demo` against the simulator).

Logs in with the printed login, checks the dashboard against the stored data, opens the month
view, and downloads a CSV whose totals equal the page's.
"""

import csv
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from meters.models import DailyTotal, Meter
from meters.selectors import local_today
from tests.e2e.conftest import login
from tests.e2e.test_dashboard_browser import _cell, _chart
from tests.meters.dashboard_data import dutch_kwh, stored_kwh

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_login(fluvius_settings):
    out = io.StringIO()
    call_command("seed_demo", days=40, stdout=out)
    line = next(ln for ln in out.getvalue().splitlines() if ln.startswith("Demo homeowner: "))
    email, password = line.removeprefix("Demo homeowner: ").split(" / ")
    return email, password


def test_demo_homeowner_dashboard_month_and_csv(page, screenshot, demo_login):
    email, password = demo_login
    meter = Meter.objects.get(owner__email=email)
    login(page, email, password)
    page.get_by_test_id("mandate-state").filter(has_text="Actief").wait_for()

    # Day D is published at 06:00 on D+1: early in the morning "yesterday" (even this month or
    # year) may have no data yet. Every figure that has data must equal the stored data.
    today = local_today()
    yesterday = today - timedelta(days=1)
    checked = 0
    for testid, start in (
        ("yesterday", yesterday),
        ("month", yesterday.replace(day=1)),
        ("year", yesterday.replace(month=1, day=1)),
    ):
        expected = stored_kwh(meter, start, today)
        if expected[("offtake", "total")] is None:
            continue
        checked += 1
        for row in ("offtake", "injection", "net"):
            for field in ("total", "day", "night"):
                assert _cell(page, testid, row, field) == dutch_kwh(expected[(row, field)]), (
                    testid,
                    row,
                    field,
                )
    assert checked >= 1
    screenshot(page, "demo-dashboard")

    month = DailyTotal.objects.filter(meter=meter).latest("day").day.replace(day=1)
    page.goto(f"/meters/{meter.pk}/maand/{month:%Y-%m}/")
    assert _chart(page)["offtake"] > 0
    page_offtake = _cell(page, "period", "offtake")
    page_injection = _cell(page, "period", "injection")
    screenshot(page, "demo-month")

    # Download the same month by day and add it up.
    last = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    with page.expect_download() as info:
        page.evaluate(
            "(url) => { const a = document.createElement('a'); a.href = url; a.download = ''; "
            "document.body.appendChild(a); a.click(); }",
            f"/meters/{meter.pk}/exporteren/csv/?van={month:%Y-%m-%d}&tot={last:%Y-%m-%d}&resolutie=day",
        )
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert len(rows) == (last - month).days + 1
    csv_offtake = sum(Decimal(r["offtake_kwh"]) for r in rows if r["offtake_kwh"])
    csv_injection = sum(Decimal(r["injection_kwh"]) for r in rows if r["injection_kwh"])
    assert dutch_kwh(csv_offtake) == page_offtake
    assert dutch_kwh(csv_injection) == page_injection
