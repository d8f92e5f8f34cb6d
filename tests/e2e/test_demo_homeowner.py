"""The demo homeowner, made by the README's run command (`seed_demo` against the simulator).

Logs in with the printed login and checks every figure of the dashboard, of the month view and
of a CSV download against what the simulator says it served (``/_sim/truth``), summed here from
its quarter-hours. The table the pages read (``DailyTotal``) is never consulted: a wrong
aggregate fails this test.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils.formats import date_format
from django.utils.translation import override

from ilusmart import clock
from meters.models import Meter
from meters.selectors import local_today
from tests.e2e.conftest import drawn_chart, login
from tests.meters.dashboard_data import dutch_kwh

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.date_sensitive]

SEEDED_DAYS = 40  # seed_demo --days: the portal holds the local dates [today - 40, today)
BRUSSELS = ZoneInfo("Europe/Brussels")
ROWS = ("offtake", "injection", "net")
FIELDS = ("total", "day", "night")


@dataclass(frozen=True)
class TruthQuarter:
    """One quarter-hour as the simulator served it (a row of ``/_sim/truth``)."""

    day: date  # local date
    register: str  # "day" on weekdays 07:00-22:00 local, "night" otherwise (docs: fluvius-api.md)
    offtake_wh: int | None
    injection_wh: int | None
    estimated: int  # EST values among the two


def _wh(kwh: str) -> int | None:
    return None if kwh == "" else int(Decimal(kwh) * 1000)


def truth_quarters(simulator, ean: str, first: date, end: date) -> list[TruthQuarter]:
    """The simulator's quarter-hours of the local dates [first, end) as served now."""
    response = simulator.get("/_sim/truth", params={"ean": ean, "from": first, "to": end})
    assert response.status_code == 200, response.text
    quarters = []
    for row in csv.DictReader(io.StringIO(response.text)):
        local = (
            datetime.strptime(row["start_utc"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).astimezone(BRUSSELS)
        )
        quarters.append(
            TruthQuarter(
                day=local.date(),
                register="day" if local.weekday() < 5 and 7 <= local.hour < 22 else "night",
                offtake_wh=_wh(row["offtake_kwh"]),
                injection_wh=_wh(row["injection_kwh"]),
                estimated=[row["offtake_state"], row["injection_state"]].count("EST"),
            )
        )
    return quarters


@dataclass(frozen=True)
class Expected:
    """What a period's figures table must show: kWh per (row, field), None for "no data"."""

    kwh: dict[tuple[str, str], Decimal | None]
    missing: int  # quarter-hours (due by now) without an offtake or injection value
    estimated: int

    @property
    def has_data(self) -> bool:
        return self.kwh[("offtake", "total")] is not None or self.kwh[("injection", "total")] is not None


def expected_figures(quarters: list[TruthQuarter], days) -> Expected:
    """Sum the quarter-hours of ``days``: per register, and None for a direction with no value."""
    chosen = [q for q in quarters if q.day in set(days)]
    kwh = {}
    for direction in ("offtake", "injection"):
        present = [q for q in chosen if getattr(q, f"{direction}_wh") is not None]
        for field in FIELDS:
            values = [getattr(q, f"{direction}_wh") for q in present if field in ("total", q.register)]
            kwh[(direction, field)] = Decimal(sum(values)) / 1000 if present else None
    for field in FIELDS:
        offtake, injection = kwh[("offtake", field)], kwh[("injection", field)]
        kwh[("net", field)] = None if offtake is None or injection is None else offtake - injection
    # Values are expected from the meter's first day with data on: what came before is not missing;
    # nor is a day Fluvius need not have published yet (day D: 06:00 on D+1).
    first = min((q.day for q in quarters if q.offtake_wh is not None), default=None)
    local_now = clock.now().astimezone(BRUSSELS)
    not_due = local_now.date() - timedelta(days=0 if local_now.hour >= 6 else 1)
    due = [q for q in chosen if first is not None and first <= q.day < not_due]
    # A quarter-hour counts once, whether offtake, injection or both lack a value.
    missing = sum(q.offtake_wh is None or q.injection_wh is None for q in due)
    return Expected(kwh, missing, sum(q.estimated for q in chosen))


def assert_figures(page, testid: str, expected: Expected, decimals: int = 3) -> None:
    """Every cell of the figures table ``testid`` and its flags, as ``expected`` says (kWh with
    ``decimals``: the dashboard shows 1)."""
    for row in ROWS:
        for field in FIELDS:
            value = expected.kwh[(row, field)]
            cell = page.locator(
                f'[data-testid="figures-{testid}"] tr[data-row="{row}"] td[data-field="{field}"]'
            )
            if value is None:
                assert cell.locator(".missing").count() == 1, (testid, row, field, cell.inner_text())
            else:
                assert cell.inner_text() == dutch_kwh(value, decimals), (testid, row, field)
    incomplete = page.get_by_test_id(f"incomplete-{testid}")
    if expected.has_data and expected.missing:
        assert re.sub(r"\D", "", incomplete.inner_text()) == str(expected.missing), testid
    else:
        assert incomplete.count() == 0, testid
    estimated = page.get_by_test_id(f"estimated-{testid}")
    if expected.estimated:
        shown = re.search(r"([\d.]+) geschatte", estimated.inner_text()).group(1)
        assert shown.replace(".", "") == str(expected.estimated), testid
    else:
        assert estimated.count() == 0, testid


def _caption(page, testid: str) -> str:
    return page.locator(f'[data-testid="figures-{testid}"] caption').inner_text()


@pytest.fixture
def demo_login(fluvius_settings):
    out = io.StringIO()
    call_command("seed_demo", days=SEEDED_DAYS, stdout=out)
    line = next(ln for ln in out.getvalue().splitlines() if ln.startswith("Demo homeowner: "))
    email, password = line.removeprefix("Demo homeowner: ").split(" / ")
    return email, password


def test_demo_homeowner_dashboard_month_and_csv(page, screenshot, demo_login, fluvius_settings):
    email, password = demo_login
    meter = Meter.objects.get(owner__email=email)
    today = local_today()
    seeded = [today - timedelta(days=n) for n in range(SEEDED_DAYS, 0, -1)]
    quarters = truth_quarters(fluvius_settings, meter.ean, seeded[0], today)
    assert any(q.offtake_wh is not None for q in quarters), "the simulator served nothing"

    login(page, email, password)
    page.get_by_test_id("mandate-state").filter(has_text="Actief").wait_for()

    # The three periods, each up to and including yesterday: named by the captions, checked here.
    # Day D is published at 06:00 on D+1, so early in the morning yesterday has no data yet and
    # its figures must read "—" (the truth has no values for it then), never a number.
    yesterday = seeded[-1]
    with override("nl-be"):
        assert _caption(page, "yesterday").startswith(f"Gisteren, {date_format(yesterday, 'l j F')} ")
        assert _caption(page, "month").startswith(f"Deze maand, {date_format(yesterday, 'F Y')} ")
        assert _caption(page, "year").startswith(f"Dit jaar, {yesterday.year} ")
    periods = {
        "yesterday": [yesterday],
        "month": [d for d in seeded if (d.year, d.month) == (yesterday.year, yesterday.month)],
        "year": [d for d in seeded if d.year == yesterday.year],
    }
    for testid, days in periods.items():
        assert_figures(page, testid, expected_figures(quarters, days), decimals=1)
    screenshot(page, "demo-dashboard")

    # The month of the last day with data, by day.
    last_day = max(q.day for q in quarters if q.offtake_wh is not None)
    month_days = [d for d in seeded if (d.year, d.month) == (last_day.year, last_day.month)]
    page.goto(f"/meters/{meter.pk}/maand/{last_day:%Y-%m}/")
    days_with_offtake = {q.day for q in quarters if q.day in month_days and q.offtake_wh is not None}
    assert drawn_chart(page)["offtake"] == len(days_with_offtake)
    month_expected = expected_figures(quarters, month_days)
    assert_figures(page, "period", month_expected)
    page_offtake = page.locator(
        '[data-testid="figures-period"] tr[data-row="offtake"] td[data-field="total"]'
    ).inner_text()
    page_injection = page.locator(
        '[data-testid="figures-period"] tr[data-row="injection"] td[data-field="total"]'
    ).inner_text()
    screenshot(page, "demo-month")

    # Download the same month by day: every day equals the truth, and the days add up to the page.
    first = last_day.replace(day=1)
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    with page.expect_download() as info:
        page.evaluate(
            "(url) => { const a = document.createElement('a'); a.href = url; a.download = ''; "
            "document.body.appendChild(a); a.click(); }",
            f"/meters/{meter.pk}/exporteren/csv/?van={first:%Y-%m-%d}&tot={last:%Y-%m-%d}&resolutie=day",
        )
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert [r["local_start"] for r in rows] == [
        (first + timedelta(days=n)).isoformat() for n in range(last.day)
    ]
    for row in rows:
        day = date.fromisoformat(row["local_start"])
        expected = expected_figures(quarters, [day])
        for direction in ("offtake", "injection"):
            for field, column in (("total", ""), ("day", "_day"), ("night", "_night")):
                value = expected.kwh[(direction, field)]
                assert row[f"{direction}{column}_kwh"] == ("" if value is None else f"{value:.3f}"), (
                    day,
                    direction,
                )
        assert int(row["estimated_values"]) == expected.estimated, day
    csv_offtake = sum(Decimal(r["offtake_kwh"]) for r in rows if r["offtake_kwh"])
    csv_injection = sum(Decimal(r["injection_kwh"]) for r in rows if r["injection_kwh"])
    assert csv_offtake == month_expected.kwh[("offtake", "total")]
    assert dutch_kwh(csv_offtake) == page_offtake
    assert dutch_kwh(csv_injection) == page_injection
