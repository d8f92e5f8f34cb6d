"""CSV import benchmark: a 30 MB Mijn Fluvius export, uploaded (web request) and imported (task).

    .venv/bin/python benchmarks/csv_import.py --megabytes 30 --rounds 3

Goal (issue 8, item 15): "the upload is checked and stored, then imported by a Celery task with
a progress page; at most 3 s of work and 60 MB extra memory for 30 MB (measured), and the web
worker is free at once."

Creates (and drops, unless ``--keep``) its own database ``ilusmart_bench_import`` with one meter,
and writes a Mijn Fluvius CSV export (old Dutch header, UTF-8 with BOM, one row per register and
quarter-hour, "Geen verbruik" rows where the synthetic data has no value) of about
``--megabytes`` MB, from ``benchmarks/synthetic.py`` days. Each round, with the meter's readings
deleted first so that every round does the same work:

1. **upload** (what the web request does: ``readings_csv_upload`` — size, kind and UTF-8 checks,
   the first 64 KiB read as an export, gzip, one row stored, the task queued);
2. **import** (what the task does: ``readings_csv_import_run`` — decompress, read every row,
   ``readings_ingest_days``, fault detection over the file's days).

Each step runs in a fresh child process, which reports its wall time, its CPU time (user +
system: on a shared machine the better measure of the work) and the growth of its peak
resident memory (``VmHWM``: every allocation, C included) over the process's peak just before the
step (the upload's child already holds the uploaded file in memory, as a web worker does).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", default="ilusmart_bench_import")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--step", choices=["upload", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--import-id", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


ARGS = parse_args()
from benchmarks.benchdb import bench_database_create, bench_database_drop, server_url  # noqa: E402

if ARGS.step:
    os.environ["DATABASE_URL"] = server_url(ARGS.database)
else:
    bench_database_create(ARGS.database)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilusmart.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

EAN = "541448820052377134"


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def cpu_seconds() -> float:
    """CPU time of this process (user + system): what the work costs, whatever else the machine runs."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mib() -> float:
    """This process's peak resident memory so far (VmHWM; unlike ru_maxrss, not inherited over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def write_export(path: Path, megabytes: int) -> int:
    """A Mijn Fluvius export of about ``megabytes`` MB; its number of rows."""
    from benchmarks.synthetic import meter_days
    from ilusmart.fluvius.slots import BRUSSELS, QUARTER, day_start_utc
    from meters.quarterhours import QUALITY_DECODE

    names = {"VAL": "Gevalideerd", "EST": "Geschat", "READ": "Uitgelezen", "NVAL": "Niet gevalideerd"}
    header = "Van datum;Van tijdstip;Tot datum;Tot tijdstip;EAN;Meter;Metertype;Register;Volume;Eenheid;Validatiestatus\n"
    target = megabytes * 1024 * 1024 - 65536  # whole days, just under the limit of that many MB
    rows, size, start = 0, 0, date(2015, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("\ufeff" + header)
        day = start
        while size < target:
            (readings,) = meter_days(seed=day.toordinal(), start=day, end=day + timedelta(days=1))
            first = day_start_utc(day)
            for i in range(len(readings.offtake_quality)):
                begin = (first + i * QUARTER).astimezone(BRUSSELS)
                end = (first + (i + 1) * QUARTER).astimezone(BRUSSELS)
                times = f"{begin:%d-%m-%Y};{begin:%H:%M:%S};{end:%d-%m-%Y};{end:%H:%M:%S}"
                for name, whs, codes in (
                    ("Afname", readings.offtake_wh, readings.offtake_quality),
                    ("Injectie", readings.injection_wh, readings.injection_quality),
                ):
                    wh = whs[i]
                    if wh is None:
                        line = (
                            f'{times};="{EAN}";1SAG1100042062;Digitale Meter;{name} Dag;;kWh;Geen verbruik\n'
                        )
                    else:
                        state, register = QUALITY_DECODE[codes[i]]
                        kind = "Dag" if register == "day" else "Nacht"
                        volume = f"{wh // 1000},{wh % 1000:03d}"
                        line = f'{times};="{EAN}";1SAG1100042062;Digitale Meter;{name} {kind};{volume};kWh;{names[state]}\n'
                    out.write(line)
                    size += len(line)
                    rows += 1
            day += timedelta(days=1)
    return rows


def step_upload() -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from meters.models import Meter
    from meters.services.csv_import import readings_csv_upload

    meter = Meter.objects.get(ean=EAN)
    upload = SimpleUploadedFile(
        "Verbruikshistoriek.csv", Path(ARGS.file).read_bytes(), content_type="text/csv"
    )
    before = peak_rss_mib()
    t0, c0 = time.perf_counter(), cpu_seconds()
    record = readings_csv_upload(meter=meter, file=upload, uploaded_by=meter.owner)
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    stored = record.file.content
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rss_growth_mib": peak_rss_mib() - before,
        "import_id": record.pk,
        "stored_mib": len(stored) / 2**20,
    }


def step_import() -> dict:
    from meters.services.csv_import import readings_csv_import_run

    connection.ensure_connection()
    before = peak_rss_mib()
    t0, c0 = time.perf_counter(), cpu_seconds()
    summary = readings_csv_import_run(import_id=ARGS.import_id)
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rss_growth_mib": peak_rss_mib() - before,
        "rows": summary.rows_read,
        "values": summary.values_imported,
        "days": summary.days_touched,
    }


def child(step: str, **extra) -> dict:
    argv = [sys.executable, __file__, "--database", ARGS.database, "--step", step]
    for key, value in extra.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    out = subprocess.run(argv, capture_output=True, text=True, env=os.environ.copy())
    if out.returncode:
        raise SystemExit(f"{step} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    from tests.factories import MeterFactory

    call_command("migrate", verbosity=0)
    MeterFactory(ean=EAN)
    path = Path("/tmp") / f"ilusmart-bench-{os.getpid()}.csv"
    t0 = time.perf_counter()
    rows = write_export(path, ARGS.megabytes)
    log(
        f"wrote {path} ({path.stat().st_size / 2**20:.1f} MiB, {rows:,} rows) in {time.perf_counter() - t0:.1f} s"
    )
    results = {"upload": [], "import": []}
    try:
        for number in range(ARGS.rounds):
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM meters_readingday; DELETE FROM meters_dailytotal; DELETE FROM meters_fault"
                )
            connection.close()
            upload = child("upload", file=path)
            imported = child("import", import_id=upload["import_id"])
            results["upload"].append(upload)
            results["import"].append(imported)
            log(f"round {number + 1}: upload {upload['seconds']:.2f} s, import {imported['seconds']:.2f} s")
    finally:
        path.unlink()
    print(f"\n{ARGS.megabytes} MB file, {rows:,} rows; {ARGS.rounds} rounds; load {os.getloadavg()[0]:.1f}\n")
    print("| step | median wall s | max wall s | median CPU s | max CPU s | peak RSS growth MiB (max) |")
    print("|---|---:|---:|---:|---:|---:|")
    for step, label in (("upload", "upload (web request)"), ("import", "import (Celery task)")):
        values = results[step]
        seconds = [v["seconds"] for v in values]
        cpu = [v["cpu_seconds"] for v in values]
        print(
            f"| {label} | {statistics.median(seconds):.2f} | {max(seconds):.2f} | "
            f"{statistics.median(cpu):.2f} | {max(cpu):.2f} | "
            f"{max(v['rss_growth_mib'] for v in values):.1f} |"
        )
    last = results["import"][-1]
    print(
        f"\nstored compressed: {results['upload'][-1]['stored_mib']:.1f} MiB; imported {last['values']:,} values "
        f"on {last['days']:,} days from {last['rows']:,} rows"
    )


if __name__ == "__main__":
    if ARGS.step:
        result = step_upload() if ARGS.step == "upload" else step_import()
        print(json.dumps(result))
        sys.exit(0)
    try:
        main()
    finally:
        connection.close()
        if not ARGS.keep:
            bench_database_drop(ARGS.database)
