"""The page-view log's cost per request: the same page with and without the middleware, side by side.

    .venv/bin/python benchmarks/page_views.py --rounds 1000

Issue 9, item 4: recording a page view (``privacy.middleware.PageViewMiddleware`` →
``privacy.services.page_views.page_view_record``: one pipelined RPUSH + LTRIM to Redis) must
cost at most 5 % of the page or 0.5 ms. A third case, a middleware in the same place that makes
one Redis round trip (PING) and nothing else (``benchmarks/redis_ping_middleware.py``), tells the
cost of the round trip from the cost of the log's own work.

Creates (and drops at the end, unless ``--keep``) its own database ``ilusmart_bench_pageviews``,
migrates it, creates one homeowner; production settings (``DEBUG=false``), the configured Redis
(its own random cache key prefix; its keys are deleted at the end). Three in-process test
``Client``s per page: one whose handler loaded ``settings.MIDDLEWARE`` as configured, one without
the page-view middleware, one with the control in its place. Each round GETs each page once with
each client, each client first in turn: the login page (anonymous) and the profile page (logged
in). Reports per page, in wall time and in CPU time of the process (``time.process_time``: what
the request costs us, without the time spent waiting for a CPU on a busy machine), the median and
p90 of each case, the difference of the medians to ``without`` and the median of the per-round
differences; then ``page_view_record`` alone and one Redis round trip (PING) alone, and a flush of
everything recorded (rows must equal the recorded requests, or the run fails).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.benchdb import bench_database_create, bench_database_drop  # noqa: E402
from ilusmart.fluvius.simulator.testing import simulator_env  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1000, help="rounds (each page once per client each)")
    parser.add_argument("--database", default="ilusmart_bench_pageviews")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    return parser.parse_args()


ARGS = parse_args()
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "ilusmart.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "EMAIL_URL": "memorymail://",
        "ILUSMART_TESTING": "1",
        "SECURE_SSL_REDIRECT": "false",
        "CACHE_KEY_PREFIX": "ilusmart-bench-pageviews-" + secrets.token_hex(4),
        **{k: v for k, v in simulator_env("http://127.0.0.1:9").items() if k.startswith("FLUVIUS_")},
    }
)
bench_database_create(ARGS.database)

import django  # noqa: E402

django.setup()
warnings.filterwarnings("ignore", message="No directory at")

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from privacy.models import PageView  # noqa: E402
from privacy.services.page_views import page_view_record, page_views_flush, page_views_waiting  # noqa: E402

MIDDLEWARE = "privacy.middleware.PageViewMiddleware"


CONTROL = "benchmarks.redis_ping_middleware.RedisPingMiddleware"
CASES = {"with": "with the log", "ping": "one Redis PING instead (control)", "without": "without"}


def _client(case: str) -> Client:
    """A client whose handler has the page-view middleware (``with``), the control in its place
    (``ping``) or neither (``without``): the chain is loaded at its first request, here."""
    at = settings.MIDDLEWARE.index(MIDDLEWARE)
    middleware = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    if case != "without":
        middleware.insert(at, MIDDLEWARE if case == "with" else CONTROL)
    client = Client()
    with override_settings(MIDDLEWARE=middleware):
        client.get("/healthz")
    return client


def _get(client: Client, url: str) -> tuple[float, float]:
    """(wall ms, CPU ms of this process) of one GET."""
    cpu, start = time.process_time(), time.perf_counter()
    response = client.get(url)
    elapsed, cpu = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed, cpu


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


LOAD_BEFORE = f"{os.getloadavg()[0]:.1f}"


def main() -> None:
    from tests.factories import ProfileFactory

    try:
        call_command("migrate", verbosity=0)
        user = ProfileFactory().user
        pages = {
            "login page (anonymous)": reverse("accounts:login"),
            "profile page (logged in)": reverse("accounts:profile"),
        }
        logged_in = {"profile page (logged in)"}
        clients = {case: _client(case) for case in CASES}
        anonymous = {case: _client(case) for case in CASES}
        for client in clients.values():
            client.force_login(user)
        for label, url in pages.items():  # warm-up: imports, templates, connections
            for case in CASES:
                for _ in range(20):
                    _get((clients if label in logged_in else anonymous)[case], url)
        page_views_flush()
        PageView.objects.all().delete()

        times = {(label, case): [] for label in pages for case in CASES}
        for n in range(ARGS.rounds):
            order = list(CASES)[n % 3 :] + list(CASES)[: n % 3]  # each case first in turn
            for label, url in pages.items():
                for case in order:
                    times[(label, case)].append(
                        _get((clients if label in logged_in else anonymous)[case], url)
                    )
        recorded = page_views_waiting()

        print(
            f"{ARGS.rounds} interleaved rounds, Python {sys.version.split()[0]}, Django {django.get_version()}"
        )
        print(
            f"load average before / after: {LOAD_BEFORE} / {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        for kind, index in (("wall time", 0), ("CPU time of the process", 1)):
            print(f"{kind} (ms): median (p90); difference to 'without': of the medians, median per round")
            for label in pages:
                base = [t[index] for t in times[(label, "without")]]
                mb = statistics.median(base)
                for case, name in CASES.items():
                    a = [t[index] for t in times[(label, case)]]
                    ma = statistics.median(a)
                    line = f"  {label:26} {name:34} {ma:7.3f} ({_p90(a):7.3f})"
                    if case != "without":
                        mp = statistics.median([x - y for x, y in zip(a, base, strict=True)])
                        line += f"  {ma - mb:+7.3f} = {100 * (ma - mb) / mb:+6.1f} %  {mp:+7.3f} = {100 * mp / mb:+6.1f} %"
                    print(line)

        record, record_cpu = [], []
        for n in range(2000):
            cpu, start = time.process_time(), time.perf_counter()
            page_view_record(path="/accounts/profiel/", ip=f"192.0.2.{n % 250}", user_id=user.pk)
            record.append((time.perf_counter() - start) * 1000)
            record_cpu.append((time.process_time() - cpu) * 1000)
        print(
            f"page_view_record alone (2000): median {statistics.median(record):.3f} ms, p90 {_p90(record):.3f}; "
            f"CPU median {statistics.median(record_cpu):.3f} ms"
        )
        redis, ping = cache._cache.get_client(write=True), []
        for _ in range(2000):
            start = time.perf_counter()
            redis.ping()
            ping.append((time.perf_counter() - start) * 1000)
        print(
            f"one Redis round trip (PING, 2000): median {statistics.median(ping):.3f} ms, p90 {_p90(ping):.3f}"
        )

        waiting = page_views_waiting()
        start = time.perf_counter()
        result = page_views_flush()
        flushed = time.perf_counter() - start
        print(
            f"recorded by the with-log clients: {recorded} (expected {2 * ARGS.rounds}); flush of {waiting}: "
            f"{result.rows} rows in {result.batches} batches, {flushed:.2f} s ({result.rows / flushed:,.0f} rows/s)"
        )
        # Only the clients with the log record: exactly one view per page per round.
        if recorded != 2 * ARGS.rounds or result.rows != waiting:
            raise SystemExit("the log lost or added views")
    finally:
        from django.db import connections

        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        connections.close_all()
        if not ARGS.keep:
            bench_database_drop(ARGS.database)


if __name__ == "__main__":
    main()
