"""Battery what-if benchmark (issue 12): the simulation next to reading the year, the page next to
the month chart page, side by side in one run.

    .venv/bin/python benchmarks/battery.py --meters 200

Goals (the issue): "one year (35,040 quarter-hours) for three sizes within 2× the time of reading
that year's quarter-hours from the database (side by side, one run); the page's server time within
3× the month chart page."

Creates (and at the end drops, unless ``--keep``) its own database ``ilusmart_bench_battery``,
migrates it and loads N homeowners, each with a profile, a meter and an approved mandate, with the
12 whole local months before this month of quarter-hours (``benchmarks/synthetic.py``, stored by
``readings_ingest_days``; ``--distinct`` generated meters, the others copies), a typical energy
tariff and a capacity-tariff price. For the meter in the middle of the table, interleaved
round-robin for ``--repeat`` rounds:

1. *read*: the year's 365 ``ReadingDay`` rows (both directions and their quality) from PostgreSQL,
   as the what-if reads them (``meters.selectors.battery.battery_quarter_hours``: the rows, the
   night flags, days without a row filled with missing quarter-hours); and the bare fetch of the
   same rows (``values_list``) for reference;
2. *simulate*: ``baseline_days`` (the year without battery) and ``battery_simulate`` for 5, 10
   and 15 kWh (2.5, 5, 5 kW) over those days, as the page does (the read and the simulation with
   the cyclic garbage collector paused, as in the page: docs/decisions/0007);
3. *pages* (Django test ``Client``, logged in): the what-if page with its defaults (three sizes,
   the same 12 months, the bill with and without) and the month chart page of this month.

``--breakdown`` then times the what-if page's parts separately, in interleaved rounds too (wall
and CPU medians): the view's steps (the meter, the tariffs, the form, the selector, the tables and
the chart data), the render of ``meters/battery.html`` next to the month page's render (each with
the context its view made, on its own request), the template tags of the what-if tables, the
rate limit's Redis round trip, and the rest of the page (middleware, session, authentication,
garbage collection: the page's median less its parts' medians).

Runs with production settings (``DEBUG=false``) except plain static storage (``ILUSMART_TESTING=1``).
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import sys
import time
import warnings
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.benchdb import bench_database_create, bench_database_drop, readings_copy  # noqa: E402
from ilusmart.fluvius.simulator.testing import simulator_env  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meters", type=int, default=200, help="homeowners, one meter each")
    parser.add_argument("--distinct", type=int, default=5, help="distinct generated meters")
    parser.add_argument("--repeat", type=int, default=40, help="interleaved rounds")
    parser.add_argument("--database", default="ilusmart_bench_battery")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument(
        "--profile", action="store_true", help="instead of timing: cProfile 10 what-if pages, print the top"
    )
    parser.add_argument(
        "--breakdown", action="store_true", help="then time the what-if page's parts (wall and CPU medians)"
    )
    return parser.parse_args()


ARGS = parse_args()
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "ilusmart.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "EMAIL_URL": "consolemail://",
        "ILUSMART_TESTING": "1",
        "SECURE_SSL_REDIRECT": "false",
        "CACHE_KEY_PREFIX": "ilusmart-bench-battery-" + secrets.token_hex(4),  # own rate-limit counters
        **{k: v for k, v in simulator_env("http://127.0.0.1:9").items() if k.startswith("FLUVIUS_")},
    }
)
bench_database_create(ARGS.database)

import django  # noqa: E402

django.setup()
warnings.filterwarnings("ignore", message="No directory at")

from django.conf import settings  # noqa: E402

# The what-if page's rate limit still counts each request in Redis (its cost is the page's), but
# never refuses one: a run loads the page more often than the 300 an hour a homeowner may.
settings.RATE_LIMITS = {
    **settings.RATE_LIMITS,
    "battery_whatif": {"user": 10**9, "ip": 10**9, "seconds": 3600},
}

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Profile, User  # noqa: E402
from benchmarks.synthetic import meter_days  # noqa: E402
from consents.models import Mandate  # noqa: E402
from ilusmart.gcpause import gc_paused  # noqa: E402
from meters.models import CapacityTariffPrice, EnergyTariff, Meter, ReadingDay  # noqa: E402
from meters.selectors import local_today  # noqa: E402
from meters.selectors.battery import battery_quarter_hours, whatif_default_start  # noqa: E402
from meters.selectors.visibility import visible_periods  # noqa: E402
from meters.services.battery import BatterySpec, baseline_days, battery_simulate  # noqa: E402
from meters.services.ingest import readings_ingest_days  # noqa: E402
from tests.factories import _meter_ean  # noqa: E402

SIZES = ((5_000, 2_500), (10_000, 5_000), (15_000, 5_000))
SIM_GOAL, PAGE_GOAL = 2.0, 3.0


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def load(start: date, end: date) -> Meter:
    now = timezone.now()
    password = make_password("benchmark-only-password")
    users = User.objects.bulk_create(
        User(email=f"battery{i}@example.be", email_verified_at=now, password=password)
        for i in range(ARGS.meters)
    )
    Profile.objects.bulk_create(
        Profile(
            user=user,
            first_name="An",
            last_name=f"Peeters{i}",
            street="Kerkstraat",
            house_number="12",
            postal_code="9000",
            municipality="Gent",
            phone="+32470123456",
        )
        for i, user in enumerate(users)
    )
    meters = Meter.objects.bulk_create(
        Meter(ean=_meter_ean(i + 1), owner=user) for i, user in enumerate(users)
    )
    Mandate.objects.bulk_create(
        Mandate(
            user=meter.owner,
            requested_by=meter.owner,
            reference_number=f"BENCH{meter.ean[-10:]}",
            ean=meter.ean,
            status=Mandate.Status.APPROVED,
            data_period_from=now - timedelta(days=3 * 365),
            data_period_to=now + timedelta(days=2 * 365),
            expires_at=now + timedelta(days=2 * 365),
            approved_at=now - timedelta(days=800),
        )
        for meter in meters
    )
    pool = meters[: ARGS.distinct]
    for i, meter in enumerate(pool):
        readings_ingest_days(meter=meter, days=meter_days(seed=i, start=start, end=end))
    readings_copy(source_ids=[m.pk for m in pool], target_ids=[m.pk for m in meters[ARGS.distinct :]])
    EnergyTariff.objects.create(
        label="benchmark",
        offtake_day_eur_per_kwh=Decimal("0.32"),
        offtake_night_eur_per_kwh=Decimal("0.25"),
        injection_eur_per_kwh=Decimal("0.035"),
        fixed_eur_per_year=Decimal("110"),
        valid_from=start - timedelta(days=365),
    )
    CapacityTariffPrice.objects.create(price_eur_per_kw_year="60.44", valid_from=start - timedelta(days=365))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return meters[len(meters) // 2]


def machine_note() -> str:
    load1, load5, _ = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs, load average {load1:.2f}/{load5:.2f}, Python {platform.python_version()}, "
        f"Django {django.get_version()}, PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 100}"
    )


def timed(work) -> tuple[float, float]:
    """(wall ms, this process's CPU ms): on a shared machine the CPU time shows our own work;
    PostgreSQL's part of a read runs in the server process and shows only in the wall time."""
    t0, c0 = time.perf_counter(), time.process_time()
    work()
    return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000


def main():
    today = local_today()
    start = whatif_default_start(today=today)
    end = today.replace(day=1)
    log(f"benchmark database {ARGS.database}; migrating")
    call_command("migrate", verbosity=0)
    meter = load(start, end)
    visible = visible_periods(user=meter.owner, meter=meter)
    days = battery_quarter_hours(meter=meter, start_date=start, end_date=end, visible=visible)
    slots = sum(len(d.offtake_wh) for d in days)
    present = sum(
        1
        for d in days
        for o, j in zip(d.offtake_wh, d.injection_wh, strict=True)
        if o is not None and j is not None
    )
    specs = [BatterySpec(capacity_wh=c, power_w=p) for c, p in SIZES]
    client = Client()
    client.force_login(meter.owner)
    pages = {
        "whatif page (3 sizes, defaults)": reverse("meters:battery", args=[meter.pk]),
        "month chart page (this month)": reverse("meters:month", args=[meter.pk, today.replace(day=1)]),
    }

    def raw_fetch():
        list(
            ReadingDay.objects.filter(meter=meter, day__gte=start, day__lt=end)
            .filter(visible.q("day"))
            .values_list("day", "offtake_wh", "injection_wh", "offtake_quality", "injection_quality")
        )

    @gc_paused()  # as the page reads it
    def read():
        battery_quarter_hours(meter=meter, start_date=start, end_date=end, visible=visible)

    @gc_paused()
    def simulate():
        # as the page does: the year without battery once, then each size from it, with the
        # cyclic collector paused (docs/decisions/0007)
        base = baseline_days(days)
        for spec in specs:
            battery_simulate(spec=spec, days=days, baseline=base)

    def page(url):
        def get():
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")

        return get

    work = {
        "read: `battery_quarter_hours` (the year from PostgreSQL)": read,
        "read: bare `values_list` of the 365 rows (reference)": raw_fetch,
        "simulate: the year without battery, then 5, 10 and 15 kWh": simulate,
        **{key: page(url) for key, url in pages.items()},
    }
    for _ in range(3):  # warm-up
        for job in work.values():
            job()
    if ARGS.profile:
        import cProfile
        import pstats

        whatif_page = page(pages["whatif page (3 sizes, defaults)"])
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [whatif_page() for _ in range(10)])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats("meters/|render|_fetch_all", 45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        with CaptureQueriesContext(connection) as queries:
            whatif_page()
        print(f"what-if page: {len(queries)} queries")
        for query in queries:
            print("  ", query["sql"][:150])
        return
    note_before = machine_note()
    times = {key: [] for key in work}
    cpu = {key: [] for key in work}
    keys = list(work)
    for r in range(ARGS.repeat):
        shift = r % len(keys)
        for key in keys[shift:] + keys[:shift]:
            wall, own = timed(work[key])
            times[key].append(wall)
            cpu[key].append(own)
    note_after = machine_note()

    med = {key: statistics.median(values) for key, values in times.items()}
    read_key, sim_key = keys[0], keys[2]
    whatif_key, month_key = list(pages)
    per_round_sim = statistics.median(s / r for s, r in zip(times[sim_key], times[read_key], strict=True))
    per_round_page = statistics.median(
        w / m for w, m in zip(times[whatif_key], times[month_key], strict=True)
    )
    print(f"## Battery what-if: {ARGS.meters} meters, the year {start} – {end - timedelta(days=1)}")
    print()
    print(
        f"{slots:,} quarter-hours ({present:,} with both directions) of meter {meter.pk}; {ARGS.repeat} interleaved rounds."
    )
    print(f"Machine before: {note_before}; after: {note_after}.")
    print()
    print("| what | median ms | p90 ms | median CPU ms of this process |")
    print("|---|---:|---:|---:|")
    for key in keys:
        values = sorted(times[key])
        print(
            f"| {key} | {med[key]:.1f} | {values[int(len(values) * 0.9) - 1]:.1f} "
            f"| {statistics.median(cpu[key]):.1f} |"
        )
    print()
    sim_ratio = med[sim_key] / med[read_key]
    page_ratio = med[whatif_key] / med[month_key]
    print(
        f"Simulation of three sizes / reading the year: {sim_ratio:.2f}× (ratio of medians), "
        f"{per_round_sim:.2f}× (median of per-round ratios); goal ≤ {SIM_GOAL:.0f}×: "
        f"{'met' if max(sim_ratio, per_round_sim) <= SIM_GOAL else 'NOT met'}."
    )
    print(
        f"What-if page / month chart page: {page_ratio:.2f}× (ratio of medians), {per_round_page:.2f}× "
        f"(median of per-round ratios); goal ≤ {PAGE_GOAL:.0f}×: "
        f"{'met' if max(page_ratio, per_round_page) <= PAGE_GOAL else 'NOT met'}."
    )
    if ARGS.breakdown:
        breakdown(client, meter, pages, today)


def breakdown(client, meter, pages, today):
    """The what-if page's parts, timed separately in interleaved rounds (wall and CPU medians)."""
    from django.shortcuts import render
    from django.template.loader import render_to_string
    from django.utils.html import json_script

    from accounts.client_ip import client_ip_address
    from accounts.services.rate_limits import rate_limit_take
    from meters.selectors.battery import battery_whatif, home_tariff_for, tariff_periods
    from meters.templatetags import energy
    from meters.views import battery as view
    from meters.views import charts
    from meters.views.common import own_meter

    captured = {}

    def capturing(module, name):
        real = module.render

        def wrapper(request, template, context=None, *args, **kwargs):
            captured[name] = (request, template, context)
            return real(request, template, context, *args, **kwargs)

        return real, wrapper

    whatif_url, month_url = pages.values()
    real_whatif, module_wrapper = capturing(view, "whatif")
    real_charts, charts_wrapper = capturing(charts, "month")
    view.render, charts.render = module_wrapper, charts_wrapper
    try:
        for url in pages.values():
            client.get(url)
    finally:
        view.render, charts.render = real_whatif, real_charts
    request, template, context = captured["whatif"]
    month_request, month_template, month_context = captured["month"]
    user = request.user
    periods = tariff_periods()
    home = home_tariff_for(user=user)
    form = view._form(request, today, home, periods)
    form.is_valid()
    specs, battery_prices, entered, capacity = view.whatif_inputs(form.cleaned_data)
    visible = visible_periods(user=user, meter=meter)
    names = context["names"]
    charts_data = context["charts"]

    def selector():
        return battery_whatif(
            meter=meter,
            start=form.cleaned_data["vanaf"],
            specs=specs,
            battery_prices=battery_prices,
            visible=visible,
            home=home,
            entered=entered,
            entered_capacity=capacity,
            periods=periods,
        )

    whatif = selector()

    def new_form():
        f = view._form(request, today, home, periods)
        f.is_valid()
        view.whatif_inputs(f.cleaned_data)

    def tables():
        view._columns(whatif)
        view._year_rows(whatif)
        view._month_tables(whatif)

    parts = {
        "what-if page (3 sizes, defaults)": lambda: client.get(whatif_url),
        "month chart page (this month)": lambda: client.get(month_url),
        "  own_meter": lambda: own_meter(request, meter.pk),
        "  home_tariff_for": lambda: home_tariff_for(user=user),
        "  tariff_periods": tariff_periods,
        "  the form (placeholders, validation, the selector's inputs)": new_form,
        "  visible_periods": lambda: visible_periods(user=user, meter=meter),
        "  rate limit (per user and per address)": lambda: rate_limit_take(
            action="battery_whatif", user_id=user.pk, ip=client_ip_address(request)
        ),
        "  battery_whatif (the selector)": selector,
        "  the tables (_columns, _year_rows, _month_tables)": tables,
        "  _chart_data": lambda: view._chart_data(whatif, names),
        "  render of meters/battery.html (the view's context)": lambda: render(request, template, context),
        "    whatif_rows of the year and the four month tables": lambda: [
            energy.whatif_rows(context["year_rows"], names=names),
            *(energy.whatif_rows(t["rows"], t["kind"]) for t in context["month_tables"]),
        ],
        "    typical_day_rows of the two typical days": lambda: [
            energy.typical_day_rows(c["rows"]) for c in charts_data
        ],
        "    json_script of the two typical days": lambda: [
            json_script(c["data"], c["script_id"]) for c in charts_data
        ],
        "    base.html alone (an empty page in the layout)": lambda: render_to_string(
            "base.html", {}, request
        ),
        "render of meters/chart.html (the month page's context)": lambda: render(
            month_request, month_template, month_context
        ),
    }
    wall, cpu = {name: [] for name in parts}, {name: [] for name in parts}
    for _ in range(ARGS.repeat):
        for name, part in parts.items():
            ms, own = timed(part)
            wall[name].append(ms)
            cpu[name].append(own)
    print()
    print(f"Breakdown of the what-if page, {ARGS.repeat} interleaved rounds; {machine_note()}.")
    print()
    print("| part | wall ms (median) | CPU ms (median) |")
    print("|---|---:|---:|")
    for name in parts:
        print(f"| {name} | {statistics.median(wall[name]):.2f} | {statistics.median(cpu[name]):.2f} |")
    view_parts = [name for name in parts if name.startswith("  ") and not name.startswith("    ")]
    for label, medians in (("wall", wall), ("CPU", cpu)):
        page = statistics.median(medians["what-if page (3 sizes, defaults)"])
        rest = page - sum(statistics.median(medians[name]) for name in view_parts)
        print(
            f"The rest of the what-if page ({label}: middleware, session, authentication, GC …): {rest:.2f} ms"
        )


if __name__ == "__main__":
    try:
        main()
    finally:
        connection.close()
        if not ARGS.keep:
            bench_database_drop(ARGS.database)
