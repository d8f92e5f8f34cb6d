"""Calibration of ``inverter_suspected``: false alarms and detection delay on simulated meters.

    .venv/bin/python benchmarks/fault_thresholds.py
    .venv/bin/python benchmarks/fault_thresholds.py --meters 200 --years 2023 2024 2025

Runs the service's own episode code (``meters.services.faults._inverter_episodes``, the
thresholds and run lengths of docs/faults.md) on daily totals that the Fluvius simulator's data
generator (``ilusmart.fluvius.simulator.data``) produces, without a database:

1. **working systems**: N meters (3–9 kWp, PV product known, EANs not used elsewhere) over
   March–October of each year: days at or below the near-zero threshold, and the episodes
   opened (every one is a false alarm), per month of the start;
2. **failed inverters**: the same meters with a failure window of 5–20 days starting on a random
   day in April–September: episodes opened per window (should be exactly 1), and the days between
   the window's start and ``started`` and between its end and ``resolved``.

``--uniform-run 2`` runs the same with 2 near-zero days in every month, for comparison.

Prints counts; nothing is timed. The simulator is a model (bell-shaped PV by month with random
cloudiness, a household load), not the weather: real false-alarm rates will differ.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilusmart.settings")
os.environ.setdefault("DEBUG", "true")  # local defaults: benchmarks run against the simulator

import django  # noqa: E402

django.setup()

from ilusmart.fluvius.ean import ean_check_digit  # noqa: E402
from ilusmart.fluvius.simulator.data import MeterProfile, generate_day  # noqa: E402
from meters.models import Product  # noqa: E402
from meters.services import faults  # noqa: E402


class SimulatedMeterData(faults._MeterData):
    """``_MeterData`` filled from the simulator's generator instead of the database."""

    def __init__(self, profile: MeterProfile, first: date, last: date, kwp: Decimal):
        self.pv_products = [Product(kind=Product.Kind.PV, kwp=kwp, installed_on=profile.install_date)]
        self.batteries = []
        self._history = None
        self.totals = {}
        day = first
        while day <= last:
            quarters = generate_day(profile, day)
            present = sum(1 for q in quarters if q.offtake_wh is not None)
            self.totals[day] = faults._Day(
                sum(q.offtake_wh or 0 for q in quarters),
                sum(q.injection_wh or 0 for q in quarters),
                len(quarters),
                present,
                present,
            )
            day += timedelta(days=1)


def ean(n: int) -> str:
    first_17 = f"5414488{900_000_000 + n:010d}"
    return first_17 + str(ean_check_digit(first_17))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--meters", type=int, default=80)
    parser.add_argument("--years", type=int, nargs="+", default=[2024, 2025])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--uniform-run",
        type=int,
        help="compare: this many near-zero days in every month (instead of by month)",
    )
    args = parser.parse_args()
    if args.uniform_run:
        faults.RUN_DAYS_BY_MONTH = dict.fromkeys(faults.RUN_DAYS_BY_MONTH, args.uniform_run)
    rng = random.Random(args.seed)

    season_days = near_zero_days = 0
    false_alarms: Counter[int] = Counter()
    per_window: Counter[int] = Counter()
    start_delays: Counter[int] = Counter()
    end_delays: Counter[int] = Counter()
    for n in range(args.meters):
        kwp = Decimal(str(round(rng.uniform(3.0, 9.0), 1)))
        for year in args.years:
            first, last = date(year, 2, 1), date(year, 10, 31)
            profile = MeterProfile(ean=ean(n), kwp=float(kwp), install_date=date(year - 1, 1, 1))
            data = SimulatedMeterData(profile, first, last, kwp)
            for day in data.totals:
                if day.month >= 3:
                    season_days += 1
                    near_zero_days += faults._inverter_day(data, day)[0] is True
            for episode in faults._inverter_episodes(data, date(year, 3, 1), last):
                false_alarms[episode.start.month] += 1

            fail_from = date(year, 4, 1) + timedelta(days=rng.randrange(183))
            fail_to = fail_from + timedelta(days=rng.randint(5, 20))  # exclusive, like the simulator
            failing = MeterProfile(
                ean=ean(n),
                kwp=float(kwp),
                install_date=date(year - 1, 1, 1),
                pv_failure_from=fail_from,
                pv_failure_to=fail_to,
            )
            data = SimulatedMeterData(failing, first, last, kwp)
            found = [
                e
                for e in faults._inverter_episodes(data, date(year, 3, 1), last)
                if e.start < fail_to and (e.end or date.max) > fail_from
            ]
            per_window[len(found)] += 1
            if len(found) == 1:
                start_delays[(found[0].start - fail_from).days] += 1
                end_delays[((found[0].end or date.max) - fail_to).days if found[0].end else 999] += 1

    meter_seasons = args.meters * len(args.years)
    print(f"meters: {args.meters}, seasons: {args.years}, meter-seasons: {meter_seasons}")
    print(f"near-zero days needed by month: {faults.RUN_DAYS_BY_MONTH}")
    print(f"working systems: {season_days} March–October days, {near_zero_days} at or below the threshold")
    print(
        f"  false episodes by start month: {dict(sorted(false_alarms.items()))} (total {sum(false_alarms.values())})"
    )
    print(f"failed inverters: episodes per failure window: {dict(sorted(per_window.items()))}")
    print(f"  started − window start (days): {dict(sorted(start_delays.items()))}")
    print(f"  resolved − window end (days, 999 = still open): {dict(sorted(end_delays.items()))}")


if __name__ == "__main__":
    main()
