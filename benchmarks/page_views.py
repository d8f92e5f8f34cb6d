"""The page-view log's cost per request: the same page with and without the middleware, side by side.

    .venv/bin/python benchmarks/page_views.py --rounds 2000

Issue 9, item 4: recording a page view (``privacy.middleware.PageViewMiddleware`` →
``privacy.services.page_views.page_view_record``: one pipelined RPUSH + LTRIM to Redis) must
cost at most 5 % of the page or 0.5 ms.

Creates (and drops at the end, unless ``--keep``) its own database ``ilusmart_bench_pageviews``,
migrates it, creates one homeowner; production settings (``DEBUG=false``), the configured Redis
(its own random cache key prefix; its keys are deleted at the end). Two in-process test
``Client``s: one whose handler loaded ``settings.MIDDLEWARE`` as configured, one whose handler
loaded it without the page-view middleware. Each round GETs each page once with each client, the
order alternating from round to round: the login page (anonymous) and the profile page (logged
in). Reports per page the median and p90 of each, the difference of the medians, the median of
the per-round differences and their ratio; then the cost of ``page_view_record`` alone, and a
flush of everything recorded (rows must equal the recorded requests).
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
    parser.add_argument("--rounds", type=int, default=2000, help="rounds (each page once per client each)")
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


def _client(*, with_log: bool) -> Client:
    """A client whose handler has (or has not) the page-view middleware: loaded at its first request."""
    client = Client()
    middleware = settings.MIDDLEWARE if with_log else [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    with override_settings(MIDDLEWARE=middleware):
        client.get("/healthz")  # loads the handler's middleware chain now, with these settings
    return client


def _get(client: Client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


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
        clients = {True: _client(with_log=True), False: _client(with_log=False)}
        anonymous = {True: _client(with_log=True), False: _client(with_log=False)}
        for client in clients.values():
            client.force_login(user)
        for label, url in pages.items():  # warm-up: imports, templates, connections
            for flag in (True, False):
                for _ in range(20):
                    _get((clients if label in logged_in else anonymous)[flag], url)
        page_views_flush()
        PageView.objects.all().delete()

        times = {(label, flag): [] for label in pages for flag in (True, False)}
        for n in range(ARGS.rounds):
            order = (True, False) if n % 2 == 0 else (False, True)
            for label, url in pages.items():
                for flag in order:
                    times[(label, flag)].append(
                        _get((clients if label in logged_in else anonymous)[flag], url)
                    )
        recorded = page_views_waiting()

        print(
            f"{ARGS.rounds} interleaved rounds, Python {sys.version.split()[0]}, Django {django.get_version()}"
        )
        print(
            f"{'page':28} {'with log':>18} {'without':>18} {'diff of medians':>16} {'median per-round diff':>22}"
        )
        for label in pages:
            a, b = times[(label, True)], times[(label, False)]
            paired = [x - y for x, y in zip(a, b, strict=True)]
            ma, mb = statistics.median(a), statistics.median(b)
            print(
                f"{label:28} {ma:7.3f} (p90 {_p90(a):6.3f}) {mb:7.3f} (p90 {_p90(b):6.3f}) "
                f"{ma - mb:+8.3f} ms {100 * (ma - mb) / mb:+5.1f} % {statistics.median(paired):+10.3f} ms "
                f"{100 * statistics.median(paired) / mb:+5.1f} %"
            )

        record = []
        for n in range(2000):
            start = time.perf_counter()
            page_view_record(path="/accounts/profiel/", ip=f"192.0.2.{n % 250}", user_id=user.pk)
            record.append((time.perf_counter() - start) * 1000)
        print(
            f"page_view_record alone (2000): median {statistics.median(record):.3f} ms, p90 {_p90(record):.3f}"
        )

        waiting = page_views_waiting()
        start = time.perf_counter()
        result = page_views_flush()
        flushed = time.perf_counter() - start
        print(
            f"recorded by the with-log clients: {recorded} (expected {2 * ARGS.rounds}); flush of {waiting}: "
            f"{result.rows} rows in {result.batches} batches, {flushed:.2f} s ({result.rows / flushed:,.0f} rows/s)"
        )
        # Only the clients with the middleware record: exactly one view per page per round.
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
