"""Shared helpers for the sync tests: a simulator with a frozen clock and meters connected to it.

Everything is real: the simulator subprocess over HTTP, PostgreSQL, and (where a test asks for
one) Redis and a Celery worker. The mandate flow is the one a homeowner goes through:
``mandate_request`` → the decision in the stand-in Mijn Fluvius → ``mandates_poll``.
"""

import csv
import io
import math
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from consents.models import Mandate
from consents.services.mandates import mandate_request, mandates_poll
from ilusmart import clock
from ilusmart.fluvius.client import format_utc
from ilusmart.fluvius.simulator.remote import SimulatorRemote
from meters.services.meters import mandate_return_url
from tests.factories import MeterFactory, UserFactory

BRUSSELS = ZoneInfo("Europe/Brussels")
ENERGY_PATH = "/api/mandate/energy"


def local_today() -> date:
    """Today in Belgium by the project clock (ilusmart/clock.py), which ILUSMART_TODAY can move."""
    return clock.local_today()


# --- Expected counts, derived from the dates (never from the code under test) ----------------


def _utc_midnight(day: date) -> datetime:
    # Through UTC on purpose: subtracting two aware datetimes of the same zone in Python ignores
    # their offsets, so a DST day would count 24 hours.
    return datetime.combine(day, time(0), BRUSSELS).astimezone(UTC)


def quarter_hours(first: date, last: date) -> int:
    """Quarter-hours in the local days [first, last): 92 on a March DST day, 100 in October."""
    return int((_utc_midnight(last) - _utc_midnight(first)).total_seconds()) // 900


def windows_needed(first: date, last: date, *, chunk_days: int) -> int:
    """Requests a sync of [first, last) makes when it asks for at most ``chunk_days`` × 24 h at once."""
    seconds = (_utc_midnight(last) - _utc_midnight(first)).total_seconds()
    return math.ceil(seconds / (chunk_days * 86400))


# The fault test of test_sync_reliability.py, whose arithmetic test_date_arithmetic.py replays.
FAULT_TEST_DAYS = 60
FAULT_TEST_CHUNK_DAYS = 10


def fault_test_window(today: date) -> tuple[date, date]:
    """The 60 local days [first, last) the fault test syncs: up to the day before yesterday."""
    last = today - timedelta(days=1)
    return last - timedelta(days=FAULT_TEST_DAYS), last


def published_days(first: date, now: datetime) -> int:
    """Local days from ``first`` whose data Fluvius has published at ``now`` (day D: 06:00 on D + 1)."""
    local = now.astimezone(BRUSSELS)
    last_published = local.date() - timedelta(days=1 if local.time() >= time(6) else 2)
    return max(0, (last_published - first).days + 1)


def latest_dst_days(today: date) -> tuple[date, date]:
    """The latest March (92 quarter-hours) and October (100) DST days whose next day is published."""
    found = {}
    day = today - timedelta(days=3)  # day + 1 published (06:00 on day + 2) whatever the hour
    while len(found) < 2:
        count = quarter_hours(day, day + timedelta(days=1))
        if count != 96:
            found.setdefault(count, day)
        day -= timedelta(days=1)
    return found[92], found[100]


def request_mandate(*, user, ean: str, history_days: int) -> Mandate:
    """``mandate_request`` as the portal makes it, with the portal's own return URL."""
    return mandate_request(user=user, ean=ean, history_days=history_days, return_url_for=mandate_return_url)


def truth_bytes(sim, ean: str, start: date, end: date) -> bytes:
    """The simulator's truth CSV for local dates ``[start, end)``."""
    response = sim.get("/_sim/truth", params={"ean": ean, "from": start.isoformat(), "to": end.isoformat()})
    response.raise_for_status()
    return response.content


def export_bytes(ean: str, start: date, end: date) -> bytes:
    """``manage.py export_readings`` for local dates ``[start, end)``, as UTF-8 bytes."""
    out = StringIO()
    call_command(
        "export_readings", "--ean", ean, "--from", start.isoformat(), "--to", end.isoformat(), stdout=out
    )
    return out.getvalue().encode("utf-8")


def truth_day_sums(truth: bytes) -> dict[date, dict]:
    """Per local day of a truth CSV: quarter-hour count and offtake/injection sums in Wh (None if none)."""
    days: dict[date, dict] = defaultdict(lambda: {"slots": 0, "offtake_wh": None, "injection_wh": None})
    for row in csv.DictReader(io.StringIO(truth.decode("utf-8"))):
        start = datetime.strptime(row["start_utc"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        entry = days[start.astimezone(BRUSSELS).date()]
        entry["slots"] += 1
        for direction in ("offtake", "injection"):
            cell = row[f"{direction}_kwh"]
            if cell:
                wh = int(Decimal(cell) * 1000)
                entry[f"{direction}_wh"] = (entry[f"{direction}_wh"] or 0) + wh
    return dict(days)


def missing_cells(truth: bytes) -> int:
    """How many quarter-hour values (either direction) the truth leaves empty."""
    rows = list(csv.DictReader(io.StringIO(truth.decode("utf-8"))))
    return sum(1 for row in rows for d in ("offtake", "injection") if not row[f"{d}_kwh"])


def energy_requests(sim) -> list[dict]:
    """The energy API requests the simulator served so far, oldest first."""
    requests = sim.get("/_sim/requests").json()["requests"]
    return [r for r in requests if r["path"].lower().endswith(ENERGY_PATH)]


def row_versions(meter) -> dict[str, list[tuple]]:
    """(day, xmin, ctid) of every ReadingDay and DailyTotal row of `meter`: changes when a row is rewritten."""
    versions = {}
    with connection.cursor() as cursor:
        for table in ("meters_readingday", "meters_dailytotal"):
            cursor.execute(
                f"SELECT day, xmin::text, ctid::text FROM {table} WHERE meter_id = %s ORDER BY day",  # noqa: S608
                [meter.pk],
            )
            versions[table] = cursor.fetchall()
    return versions


@pytest.fixture
def sim(fluvius_settings, settings):
    """The session's simulator, reset, its clock frozen at the project clock's second, rate limit off.

    A frozen clock keeps the truth stable while a test runs (it changes at daily boundaries
    only). Client timeouts and back-offs are small so retries cost little.
    """
    frozen = clock.now().replace(microsecond=0)
    fluvius_settings.post("/_sim/clock", {"now": format_utc(frozen)}).raise_for_status()
    fluvius_settings.post("/_sim/config", {"rateLimitPerMinute": 0}).raise_for_status()
    settings.FLUVIUS_TIMEOUT_SECONDS = 10
    settings.FLUVIUS_BACKOFF_BASE_SECONDS = 0.01
    settings.FLUVIUS_RETRY_AFTER_CAP_SECONDS = 0.05
    fluvius_settings.frozen_now = frozen
    fluvius_settings.remote = SimulatorRemote(fluvius_settings.url)
    return fluvius_settings


@pytest.fixture
def connected_meter(sim):
    """Connect a new meter through the real mandate flow; returns ``connect(days=…, …) -> (meter, mandate)``.

    The meter is registered in the simulator with data from well before the mandate's data
    period, which reaches back ``days`` local days.
    """

    def connect(*, days: int = 70, ean: str | None = None, user=None, decision: str = "approve"):
        meter = MeterFactory(owner=user or UserFactory(), **({"ean": ean} if ean else {}))
        sim.remote.meter_register(ean=meter.ean, install_date=local_today() - timedelta(days=days + 30))
        mandate = request_mandate(user=meter.owner, ean=meter.ean, history_days=days)
        sim.remote.decide(short_id=mandate.short_url_id, eans=[meter.ean], decision=decision)
        mandates_poll(reference_number=mandate.reference_number)
        mandate.refresh_from_db()
        return meter, mandate

    return connect
