"""Erasure benchmark: erasing a person with 3 years of quarter-hour data on two meters, next to
deleting their rows by hand in SQL.

    .venv/bin/python benchmarks/erasure.py --years 3 --rounds 5

Goal (issue 10, item 5): ``person_erase`` of a person with two meters and 3 years of quarter-hour
data each takes at most 2 s.

Creates (and drops, unless ``--keep``) its own database ``ilusmart_bench_erasure`` with two source
meters holding ``--years`` years of generated readings up to yesterday (``benchmarks/synthetic.py``
through ``readings_ingest_days``). Each round makes two fresh people the same way: an account with
a profile, two meters with products, an approved mandate each, and the source meters' readings and
daily totals copied onto their meters (``readings_copy``). Then, in turn (interleaved), one person
is erased by the service (``person_erase``, permanent, personal and meter data: the data map's
plans, both anonymised meters and mandates, the access-record trigger, the Redis sweep of the
portal's database after the commit, receipt and ledger; no mail) and the other by hand: one
transaction of plain ``DELETE`` statements on the tables their rows are in (readings, totals,
products, sync state, mandates, meters, profile, account) — the least any erasure must do.
``BENCH_PROFILE=1`` prints a cProfile of each service erasure instead of timing it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database", default="ilusmart_bench_erasure")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    return parser.parse_args()


ARGS = parse_args()
from benchmarks.benchdb import bench_database_create, bench_database_drop, readings_copy  # noqa: E402

bench_database_create(ARGS.database)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilusmart.settings")
os.environ.setdefault("DEBUG", "true")
os.environ["ERASURE_LEDGER_PATH"] = str(Path(tempfile.mkdtemp(prefix="bench-erasure-")) / "ledger.jsonl")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from benchmarks.synthetic import meter_days  # noqa: E402
from consents.models import Mandate  # noqa: E402
from ilusmart import clock  # noqa: E402
from meters.models import DailyTotal, Meter, ReadingDay  # noqa: E402
from meters.services.ingest import readings_ingest_days  # noqa: E402
from privacy.services.erasure import person_erase  # noqa: E402
from tests.factories import MeterFactory, ProductFactory, ProfileFactory  # noqa: E402

SQL_BY_HAND = [
    "DELETE FROM meters_readingday WHERE meter_id = ANY(%(meters)s)",
    "DELETE FROM meters_dailytotal WHERE meter_id = ANY(%(meters)s)",
    "DELETE FROM meters_product WHERE meter_id = ANY(%(meters)s)",
    "DELETE FROM meters_metersyncstate WHERE meter_id = ANY(%(meters)s)",
    "DELETE FROM consents_mandate WHERE user_id = %(user)s",
    "DELETE FROM meters_meter WHERE id = ANY(%(meters)s)",
    "DELETE FROM accounts_profile WHERE user_id = %(user)s",
    "DELETE FROM accounts_user WHERE id = %(user)s",
]


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def person_make(sources: list[int], round_number: int, case: str):
    """An account with a profile, two meters with products and mandates, and the sources' readings."""
    user = ProfileFactory(user__email=f"{case}-{round_number}@bench.example").user
    meters = [MeterFactory(owner=user) for _ in sources]
    for n, meter in enumerate(meters):
        ProductFactory(meter=meter)
        Mandate.objects.create(
            user=user, reference_number=f"B{case[0]}{round_number}{n}", ean=meter.ean, status="Approved"
        )
    readings_copy(source_ids=sources, target_ids=[m.pk for m in meters])
    return user, [m.pk for m in meters]


def erase_by_service(user, meter_ids) -> None:
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        person_erase(
            email=user.email,
            personal=True,
            meter=True,
            permanent=True,
            reason="bench",
            via="command",
            notify=False,
        )
        profile.disable()
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
        return
    person_erase(
        email=user.email,
        personal=True,
        meter=True,
        permanent=True,
        reason="benchmark",
        via="command",
        notify=False,
    )


def erase_by_hand(user, meter_ids) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in SQL_BY_HAND:
            cursor.execute(statement, {"meters": meter_ids, "user": user.pk})


def main():
    call_command("migrate", verbosity=0)
    end = clock.local_today()
    start = end - timedelta(days=365 * ARGS.years + ARGS.years // 4)
    sources = []
    for seed in (1, 2):
        meter = MeterFactory(owner=None)
        readings_ingest_days(meter=meter, days=meter_days(seed=seed, start=start, end=end))
        sources.append(meter.pk)
    days = ReadingDay.objects.filter(meter_id=sources[0]).count()
    log(f"source meters: {days} days each ({start} .. {end})")

    cases = {"service": erase_by_service, "sql": erase_by_hand}
    times = {name: [] for name in cases}
    for round_number in range(ARGS.rounds):
        for name, erase in cases.items():
            user, meter_ids = person_make(sources, round_number, name)
            rows = ReadingDay.objects.filter(meter_id__in=meter_ids).count()
            began = time.perf_counter()
            erase(user, meter_ids)
            times[name].append(time.perf_counter() - began)
            left = ReadingDay.objects.filter(meter_id__in=meter_ids).count()
            left += DailyTotal.objects.filter(meter_id__in=meter_ids).count()
            assert left == 0, f"{name} left {left} rows"
            log(f"round {round_number + 1} {name}: {rows} reading days erased in {times[name][-1]:.3f} s")
    assert not Meter.objects.filter(owner__email__endswith="@bench.example").exists()

    base = statistics.median(times["sql"])
    print(f"\n{ARGS.years} years, 2 meters ({days} days each), {ARGS.rounds} interleaved rounds\n")
    print("| case | median s | max s | × SQL by hand |")
    print("|---|---:|---:|---:|")
    for name, label in (("service", "person_erase (service)"), ("sql", "DELETE by hand (baseline)")):
        median = statistics.median(times[name])
        print(f"| {label} | {median:.3f} | {max(times[name]):.3f} | {median / base:.1f} |")


if __name__ == "__main__":
    try:
        main()
    finally:
        connection.close()
        if not ARGS.keep:
            bench_database_drop(ARGS.database)
