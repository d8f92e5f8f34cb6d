"""Export benchmark: a homeowner's 5-year quarter-hour CSV next to PostgreSQL writing the same rows.

    .venv/bin/python benchmarks/export.py --years 5 --repeat 7

Goal (issue 8, item 14): the 5-year quarter-hour CSV download of one meter (≈ 175,000 rows) takes
at most 2× the time of PostgreSQL producing the same CSV rows itself (``COPY (SELECT …) TO
STDOUT`` over the same tables), with memory that does not grow with the range.

Creates (and drops, unless ``--keep``) its own database ``ilusmart_bench_export``, one homeowner
with a meter, an approved mandate covering the range and ``--years`` years of generated readings
up to yesterday (``benchmarks/synthetic.py`` through ``readings_ingest_days``). Then, in
interleaved rounds (each round times every case once, in turn):

- ``readings_export_lines`` (what the download view streams), every chunk consumed;
- ``COPY (SELECT …) TO STDOUT`` of the same rows: one SQL statement that unnests the stored
  arrays, formats times, values, states, registers and sources as the export does (the baseline);
- for reference, the rows made one ``ReadingSlot`` at a time through the format's definition
  (``_quarter_hour_cells``), as the download did before.

Before timing, the run checks that the export and the COPY give the same rows (line ends aside:
COPY writes ``\\n``, the download ``\\r\\n``). Memory: ``tracemalloc`` peak while consuming the
export of 1 year and of ``--years`` years (in a separate pass, untimed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=7, help="interleaved rounds")
    parser.add_argument("--database", default="ilusmart_bench_export")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    return parser.parse_args()


ARGS = parse_args()
from benchmarks.benchdb import bench_database_create, bench_database_drop  # noqa: E402

bench_database_create(ARGS.database)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilusmart.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from benchmarks.synthetic import meter_days  # noqa: E402
from ilusmart import clock  # noqa: E402
from meters.quarterhours import BRUSSELS, QUALITY_DECODE, SOURCE_BOTH, SOURCE_FLUVIUS, SOURCE_IMPORT  # noqa: E402
from meters.selectors import readings_for_range, visible_periods  # noqa: E402
from meters.services.export import _quarter_hour_cells, readings_export_lines  # noqa: E402
from meters.services.ingest import readings_ingest_days  # noqa: E402
from tests.factories import MandateFactory, MeterFactory  # noqa: E402


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


class Sink:
    """A file that only counts what is written to it (and may keep it, for the identity check)."""

    def __init__(self, keep: bool = False):
        self.size, self.parts, self.keep = 0, [], keep

    def write(self, data):
        self.size += len(data)
        if self.keep:
            self.parts.append(data if isinstance(data, str) else data.decode("ascii"))


def copy_sql(meter, start, end, visible) -> tuple[str, list]:
    """The same rows as the quarter-hour download, written by PostgreSQL itself."""
    codes = ", ".join(
        f"('{code}', '{state}', '{register}', {'true' if code in IMPORTED else 'false'})"
        for code, (state, register) in QUALITY_DECODE.items()
    )
    condition, parameters = visible.sql("r.day")
    query = f"""
COPY (
WITH codes(code, state, register, imported) AS (VALUES {codes}),
days AS (
  SELECT d::date AS day, (d AT TIME ZONE 'Europe/Brussels') AS t0,
         ((d + interval '1 day') AT TIME ZONE 'Europe/Brussels') AS t1
  FROM generate_series(%s::timestamp, %s::timestamp - interval '1 day', interval '1 day') AS d
),
slots AS (
  SELECT days.day, i, days.t0 + i * interval '15 minutes' AS u,
         r.offtake_wh[i + 1] AS o, r.injection_wh[i + 1] AS j,
         substr(r.offtake_quality, i + 1, 1) AS oq, substr(r.injection_quality, i + 1, 1) AS iq
  FROM days
  CROSS JOIN LATERAL generate_series(0, (extract(epoch FROM days.t1 - days.t0) / 900)::int - 1) AS i
  LEFT JOIN meters_readingday r ON r.meter_id = %s AND r.day = days.day AND {condition}
)
SELECT to_char(u AT TIME ZONE 'Europe/Brussels', 'YYYY-MM-DD HH24:MI'),
       '+' || to_char((u AT TIME ZONE 'Europe/Brussels') - (u AT TIME ZONE 'UTC'), 'HH24:MI'),
       to_char(u AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
       to_char(o / 1000.0, 'FM999999990.000'),
       to_char(j / 1000.0, 'FM999999990.000'),
       co.state, ci.state, co.register, ci.register,
       CASE WHEN 'EST' IN (co.state, ci.state) THEN '1' ELSE '0' END,
       CASE
         WHEN o IS NULL AND j IS NULL THEN NULL
         WHEN o IS NULL THEN CASE WHEN ci.imported THEN '{SOURCE_IMPORT}' ELSE '{SOURCE_FLUVIUS}' END
         WHEN j IS NULL THEN CASE WHEN co.imported THEN '{SOURCE_IMPORT}' ELSE '{SOURCE_FLUVIUS}' END
         WHEN co.imported = ci.imported THEN
              CASE WHEN co.imported THEN '{SOURCE_IMPORT}' ELSE '{SOURCE_FLUVIUS}' END
         ELSE '{SOURCE_BOTH}'
       END
FROM slots LEFT JOIN codes co ON co.code = oq LEFT JOIN codes ci ON ci.code = iq
ORDER BY day, i
) TO STDOUT WITH (FORMAT csv)
"""
    return query, [start, end, meter.pk, *parameters]


def run_copy(meter, start, end, visible, sink) -> None:
    query, parameters = copy_sql(meter, start, end, visible)
    with connection.cursor() as cursor:
        cursor.copy_expert(cursor.mogrify(query, parameters).decode(), sink)


def run_export(meter, start, end, visible, sink) -> None:
    lines = readings_export_lines(
        meter=meter, start_date=start, end_date=end, resolution="quarter_hour", visible=visible
    )
    next(lines)  # the header (COPY writes none)
    for chunk in lines:
        sink.write(chunk)


def run_per_slot(meter, start, end, visible, sink) -> None:
    for slot in readings_for_range(meter=meter, start_date=start, end_date=end, visible=visible):
        sink.write(",".join(_quarter_hour_cells(slot)) + "\r\n")


def main():
    global IMPORTED
    from meters.quarterhours import IMPORTED_CODE_SET

    IMPORTED = IMPORTED_CODE_SET
    call_command("migrate", verbosity=0)
    today = clock.local_today()
    start = today.replace(month=1, day=1) - timedelta(days=366 * (ARGS.years - 1))
    start = start.replace(day=1)
    end = today
    meter = MeterFactory()
    since = datetime.combine(start, datetime.min.time(), BRUSSELS)
    MandateFactory(
        user=meter.owner,
        ean=meter.ean,
        data_period_from=since,
        data_period_to=clock.now() + timedelta(days=365),
        approved_at=since,
    )
    t0 = time.perf_counter()
    readings_ingest_days(meter=meter, days=meter_days(seed=1, start=start, end=end))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    visible = visible_periods(user=meter.owner, meter=meter)
    log(f"loaded {start} … {end} ({(end - start).days} days) in {time.perf_counter() - t0:.1f} s")

    ours, theirs = Sink(keep=True), Sink(keep=True)
    run_export(meter, start, end, visible, ours)
    run_copy(meter, start, end, visible, theirs)
    export_text = "".join(ours.parts).replace("\r\n", "\n")
    copy_text = "".join(theirs.parts)
    rows = export_text.count("\n")
    assert export_text == copy_text, "the COPY baseline does not write the export's rows"
    log(f"identical rows: {rows:,} ({len(export_text):,} bytes)")

    cases = {"COPY (SELECT …) TO STDOUT": run_copy, "readings_export_lines": run_export}
    cases["per-slot rows (the previous download, info)"] = run_per_slot
    times = {name: [] for name in cases}
    for _ in range(ARGS.repeat):
        for name, case in cases.items():
            t = time.perf_counter()
            case(meter, start, end, visible, Sink())
            times[name].append(time.perf_counter() - t)
    baseline = times["COPY (SELECT …) TO STDOUT"]
    print(f"\n{rows:,} quarter-hour rows, {ARGS.repeat} interleaved rounds, load {os.getloadavg()[0]:.1f}\n")
    print("| case | median s | ratio of medians | median of per-round ratios |")
    print("|---|---:|---:|---:|")
    for name, values in times.items():
        ratios = [v / b for v, b in zip(values, baseline, strict=True)]
        print(
            f"| {name} | {statistics.median(values):.3f} | "
            f"{statistics.median(values) / statistics.median(baseline):.2f} | {statistics.median(ratios):.2f} |"
        )

    print("\n| export consumed | MiB written | tracemalloc peak MiB |\n|---|---:|---:|")
    for label, first in (("1 year", end - timedelta(days=365)), (f"{ARGS.years} years", start)):
        tracemalloc.start()
        sink = Sink()
        run_export(meter, first, end, visible, sink)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"| {label} | {sink.size / 2**20:.1f} | {peak / 2**20:.1f} |")


if __name__ == "__main__":
    try:
        main()
    finally:
        connection.close()
        if not ARGS.keep:
            bench_database_drop(ARGS.database)
