"""The API's cost over the selectors it calls: one meter's year by day, and 30 days by quarter-hour.

    .venv/bin/python benchmarks/api.py [--repeat 40] [--days 400]

Creates its own database (``ilusmart_bench_api`` on the configured server), migrates it, loads
one homeowner with one meter and ``--days`` days of generated readings (``synthetic.py``, through
``readings_ingest_days``) and an approved mandate over them, and measures in one run, in
interleaved rounds (each round times every case once):

- ``period_totals`` for the last 365 days by day, called directly (with the homeowner's
  ``visible_periods``), against ``GET /api/v1/meters/{ean}/readings/?resolution=day`` for the
  same range through Django's test client with a bearer token (authentication, throttles,
  middleware, the JSON answer);
- ``readings_for_range`` for the last 30 days (2,880 quarter-hours) made into a list, against
  the same request with ``resolution=quarter_hour``.

Prints the median milliseconds of each case, the ratio of the medians and the median of the
per-round ratios (goal: the API adds at most 2x). The database is dropped unless ``--keep``.

``--breakdown`` then times the parts of a request separately, in interleaved rounds too (wall
and CPU medians): the item writers on the selectors' output, a request for one day (what every
request costs whatever its size), the token's authentication, the throttles, the meter's lookup
and ``visible_periods``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
import warnings
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.benchdb import bench_database_create, bench_database_drop  # noqa: E402
from ilusmart.fluvius.simulator.testing import simulator_env  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--repeat", type=int, default=40, help="interleaved rounds")
parser.add_argument("--days", type=int, default=400, help="days of readings up to yesterday")
parser.add_argument("--database", default="ilusmart_bench_api")
parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
parser.add_argument("--breakdown", action="store_true", help="also time the parts of a request")
ARGS = parser.parse_args()

os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "ilusmart.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "EMAIL_URL": "consolemail://",
        "ILUSMART_TESTING": "1",
        "SECURE_SSL_REDIRECT": "false",
        "CACHE_KEY_PREFIX": "ilusmart-bench-api-" + secrets.token_hex(4),  # own throttle counters
        "API_THROTTLE_PER_TOKEN": "1000000/minute",
        "API_THROTTLE_PER_IP": "1000000/minute",
        **{k: v for k, v in simulator_env("http://127.0.0.1:9").items() if k.startswith("FLUVIUS_")},
    }
)
bench_database_create(ARGS.database)

import django  # noqa: E402

django.setup()
warnings.filterwarnings("ignore", message="No directory at")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.services.api_tokens import api_token_create  # noqa: E402
from benchmarks.synthetic import meter_days  # noqa: E402
from consents.models import Mandate  # noqa: E402
from meters.models import Meter  # noqa: E402
from meters.selectors import local_today, readings_for_range  # noqa: E402
from meters.selectors.readings import period_totals  # noqa: E402
from meters.selectors.visibility import visible_periods  # noqa: E402
from meters.services.ingest import readings_ingest_days  # noqa: E402

GOAL_RATIO = 2.0


def load():
    call_command("migrate", verbosity=0)
    now = timezone.now()
    user = User.objects.create_user("bench-api@example.be", "benchmark-only-password", email_verified_at=now)
    meter = Meter.objects.create(ean="541448800000000017", owner=user, label="Thuis")
    Mandate.objects.create(
        user=user,
        requested_by=user,
        reference_number="BENCHAPI0001",
        ean=meter.ean,
        status=Mandate.Status.APPROVED,
        data_period_from=now - timedelta(days=ARGS.days + 30),
        data_period_to=now + timedelta(days=365),
        approved_at=now - timedelta(days=ARGS.days + 30),
    )
    today = local_today()
    readings_ingest_days(
        meter=meter, days=meter_days(seed=1, start=today - timedelta(days=ARGS.days), end=today)
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return user, meter


def main():
    user, meter = load()
    today = local_today()
    year = (today - timedelta(days=365), today)
    month = (today - timedelta(days=30), today)
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, device='benchmark')[1]}"}
    url = f"/api/v1/meters/{meter.ean}/readings/"

    def api(span, resolution):
        def run():
            response = client.get(
                url,
                {"from": span[0].isoformat(), "to": span[1].isoformat(), "resolution": resolution},
                **headers,
            )
            assert response.status_code == 200, response.content[:200]
            return len(response.content)

        return run

    def year_by_day():
        visible = visible_periods(user=user, meter=meter)
        return len(
            period_totals(
                meter=meter, start_date=year[0], end_date=year[1], resolution="day", visible=visible
            )
        )

    def month_by_quarter_hour():
        visible = visible_periods(user=user, meter=meter)
        return len(
            list(readings_for_range(meter=meter, start_date=month[0], end_date=month[1], visible=visible))
        )

    cases = {
        "year by day: period_totals (selector)": year_by_day,
        "year by day: GET readings?resolution=day (API)": api(year, "day"),
        "30 days by quarter-hour: readings_for_range (selector)": month_by_quarter_hour,
        "30 days by quarter-hour: GET readings?resolution=quarter_hour (API)": api(month, "quarter_hour"),
    }
    sizes = {name: case() for name, case in cases.items()}  # warm-up, and the sizes
    times = {name: [] for name in cases}
    for _ in range(ARGS.repeat):
        for name, case in cases.items():
            start = time.perf_counter()
            case()
            times[name].append((time.perf_counter() - start) * 1000)
    names = list(cases)
    print(
        f"\none meter, {ARGS.days} days of readings; {ARGS.repeat} interleaved rounds; load {os.getloadavg()[0]:.1f}"
    )
    print("| case | items or bytes | median ms | ratio of medians | median of per-round ratios |")
    print("|---|---:|---:|---:|---:|")
    for selector, endpoint in ((names[0], names[1]), (names[2], names[3])):
        base = statistics.median(times[selector])
        for name in (selector, endpoint):
            median = statistics.median(times[name])
            per_round = statistics.median(a / b for a, b in zip(times[name], times[selector], strict=True))
            print(f"| {name} | {sizes[name]:,} | {median:.1f} | {median / base:.2f} | {per_round:.2f} |")
    for selector, endpoint in ((names[0], names[1]), (names[2], names[3])):
        ratio = statistics.median(times[endpoint]) / statistics.median(times[selector])
        verdict = "within" if ratio <= GOAL_RATIO else "OVER"
        print(f"{endpoint}: {ratio:.2f}x the selector ({verdict} the {GOAL_RATIO:.0f}x goal)")
    if ARGS.breakdown:
        breakdown(cases, user=user, meter=meter, year=year, month=month, client=client, headers=headers)


def breakdown(cases, *, user, meter, year, month, client, headers):
    """The parts of a request, timed separately in interleaved rounds (wall and CPU medians)."""
    from django.test import RequestFactory
    from rest_framework.request import Request

    from ilusmart.api.authentication import BearerTokenAuthentication
    from ilusmart.api.throttling import IpThrottle, TokenThrottle, throttles_take
    from meters.api.serializers import period_items_json, reading_items_json
    from meters.api.views import _own_meter

    url = f"/api/v1/meters/{meter.ean}/readings/"
    visible = visible_periods(user=user, meter=meter)
    slots = list(readings_for_range(meter=meter, start_date=month[0], end_date=month[1], visible=visible))
    periods = period_totals(
        meter=meter, start_date=year[0], end_date=year[1], resolution="day", visible=visible
    )
    one_day = {
        "from": year[1].isoformat(),
        "to": (year[1] + timedelta(days=1)).isoformat(),
        "resolution": "day",
    }

    def request():
        return Request(RequestFactory().get(url, **headers))

    def authenticated():
        drf_request = request()
        drf_request._user, drf_request._auth = BearerTokenAuthentication().authenticate(drf_request)
        return drf_request

    signed_in = authenticated()
    names = list(cases)
    parts = {
        names[0]: cases[names[0]],
        names[1]: cases[names[1]],
        "  period_items_json (365 days, from period_totals' output)": lambda: period_items_json(periods),
        names[2]: cases[names[2]],
        names[3]: cases[names[3]],
        "  reading_items_json (2,880 quarter-hours, from the list)": lambda: reading_items_json(slots),
        "fixed part: GET readings for one day by day (API)": lambda: client.get(url, one_day, **headers),
        "  token authentication (request made by RequestFactory)": authenticated,
        "  both throttles (one Redis round trip)": lambda: throttles_take(
            [TokenThrottle(), IpThrottle()], signed_in, None
        ),
        "  the meter's lookup (meter_for_user_by_ean)": lambda: _own_meter(signed_in, meter.ean),
        "  visible_periods (in both sides)": lambda: visible_periods(user=user, meter=meter),
    }
    wall, cpu = {name: [] for name in parts}, {name: [] for name in parts}
    for _ in range(ARGS.repeat):
        for name, part in parts.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            part()
            cpu[name].append((time.process_time() - start_cpu) * 1000)
            wall[name].append((time.perf_counter() - start) * 1000)
    print(f"\nbreakdown, {ARGS.repeat} interleaved rounds; load {os.getloadavg()[0]:.1f}")
    print("| part | wall ms (median) | CPU ms (median) |")
    print("|---|---:|---:|")
    for name in parts:
        print(f"| {name} | {statistics.median(wall[name]):.2f} | {statistics.median(cpu[name]):.2f} |")


if __name__ == "__main__":
    try:
        main()
    finally:
        connection.close()
        if not ARGS.keep:
            bench_database_drop(ARGS.database)
