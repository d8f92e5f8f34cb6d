"""Sync benchmark: a new mandate's back-fill, and the nightly sync of many meters, end to end.

    .venv/bin/python benchmarks/sync.py backfill --years 3 --runs 3
    .venv/bin/python benchmarks/sync.py nightly --meters 100,300,1000 --workers 1,2

Everything is real: its own Fluvius simulator subprocess (``manage.py fluvius_simulator`` on a
free port), real Celery worker subprocesses (prefork) on their own queue and Redis database, and
its own PostgreSQL database ``ilusmart_bench_sync`` (created, migrated, dropped at the end unless
``--keep``). The benchmark process and the workers share one environment (``FLUVIUS_*`` pointing
at the simulator, ``DEBUG=false``).

backfill — goal: "a homeowner who approves a mandate covering 3 years sees that history in their
charts within 60 seconds (local simulator, one worker)". Per run: a new homeowner and meter
(installed before the period), ``mandate_request(history_days=years*365)``, the simulator
approves (``SimulatorRemote.decide``), then the clock starts and ``mandates_refresh`` (the status
poll that queues the back-fill task) is called; the clock stops when ``MeterSyncState`` shows the
back-fill complete and ``meters_dailytotal`` has a row for every local day from the period's
first day to the last day the simulator serves. One worker, concurrency 1. Runs with each
``--rate-limits`` value (simulator requests per minute per key; 0 = off); the simulator is reset
before every run, so no run inherits another's rate-limit window.

nightly — goal: "a nightly sync of 1,000 meters, and how its time grows with meters and workers".
N meters, each with an approved mandate (``POST /api/mandate/mock`` + a local ``Mandate`` row
approved by the real ``mandates_poll``). Each new batch of meters gets one unmeasured first night
(it inserts their trailing days). Before every measured run the insertTime watermark of every
meter is set to 24 h ago (as after last night's run). The clock runs from queueing
``meters.sync_all_daily`` until every meter's ``last_success_at`` is past the start. Rate limit
off (our own capacity); ``--throttled-meters`` adds one run with the simulator's default 60/min.
CPU seconds are read from /proc for the simulator, the worker process trees, the whole
PostgreSQL server (live processes + reaped backends; other databases' clients included), Redis
and the whole machine; "SQL active" is pg_stat_database.active_time of the benchmark database.
"""

from __future__ import annotations

import argparse
import csv
import inspect
import io
import os
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ilusmart.fluvius.simulator.testing import SimulatorProcess, free_port, simulator_env  # noqa: E402
from tests.processes import ManagedProcess, celery_worker_argv  # noqa: E402

BRUSSELS = ZoneInfo("Europe/Brussels")


def int_list(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="ilusmart_bench_sync")
    parser.add_argument(
        "--redis-db", type=int, default=13, help="Redis database used (and flushed) exclusively"
    )
    parser.add_argument("--queue", default="ilusmart-bench-sync")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    sub = parser.add_subparsers(dest="mode", required=True)
    backfill = sub.add_parser("backfill", help="time from status poll to a complete back-fill")
    backfill.add_argument("--years", type=int, default=3)
    backfill.add_argument("--runs", type=int, default=3, help="runs per rate limit (median reported)")
    backfill.add_argument("--rate-limits", type=int_list, default=[60, 0], help="per minute; 0 = off")
    backfill.add_argument(
        "--chunk-days", type=int_list, default=[31], help="SYNC_CHUNK_DAYS values to compare"
    )
    backfill.add_argument("--timeout", type=float, default=600)
    nightly = sub.add_parser("nightly", help="time of sync_all_daily for N meters")
    nightly.add_argument("--meters", type=int_list, default=[100, 300, 1000])
    nightly.add_argument("--workers", type=int_list, default=[1, 2], help="worker processes")
    nightly.add_argument("--concurrency", type=int_list, default=[1], help="prefork children per worker")
    nightly.add_argument(
        "--throttled-meters", type=int, default=120, help="meters in the 60/min run (0 = skip)"
    )
    nightly.add_argument("--timeout", type=float, default=1800)
    return parser.parse_args()


ARGS = parse_args()
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ilusmart")
BENCH_URL = BASE_URL.rsplit("/", 1)[0] + "/" + ARGS.database
REDIS_URL = f"redis://127.0.0.1:6379/{ARGS.redis_db}"
SIM_PORT = free_port()
SIM_URL = f"http://127.0.0.1:{SIM_PORT}"
# One environment for this process, the simulator and the workers.
ENV = {k: v for k, v in simulator_env(SIM_URL).items() if k.startswith("FLUVIUS_") or k == "PYTHONUNBUFFERED"}
ENV.update(
    {
        "DATABASE_URL": BENCH_URL,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": "ilusmart-bench-sync",
        "CELERY_TASK_DEFAULT_QUEUE": ARGS.queue,
        "DJANGO_SETTINGS_MODULE": "ilusmart.settings",
        "DEBUG": "false",  # production-like: no query log in the workers
        "SECRET_KEY": "benchmark-only-not-secret",
        "EMAIL_URL": "consolemail://",
        "FLUVIUS_SIMULATOR_ENABLED": "true",
        "FLUVIUS_ALLOW_TEST_EANS": "false",
        "FLUVIUS_MANDATE_HISTORY_DAYS": str(3 * 365),
    }
)
os.environ.update(ENV)


def admin_execute(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(BASE_URL.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


admin_execute(f"DROP DATABASE IF EXISTS {ARGS.database}")
admin_execute(f"CREATE DATABASE {ARGS.database}")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from consents.models import Mandate  # noqa: E402
from consents.services.mandates import mandate_request, mandates_poll, reference_number_new  # noqa: E402
from ilusmart.fluvius.client import FluviusClient  # noqa: E402
from ilusmart.fluvius.simulator.remote import SimulatorRemote  # noqa: E402
from meters.models import DailyTotal, Meter, MeterSyncState, SyncDeadLetter  # noqa: E402
from meters.services.meters import meter_link  # noqa: E402
from meters.services.sync import mandates_refresh  # noqa: E402
from meters.tasks import sync_all_daily  # noqa: E402
from tests.factories import _meter_ean  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


# --- processes ---------------------------------------------------------------------------------
class Processes:
    """Everything this benchmark started, stopped in `stop_all` (called from `finally`)."""

    def __init__(self):
        self.simulator: SimulatorProcess | None = None
        self.workers: list[ManagedProcess] = []

    def simulator_start(self) -> SimulatorProcess:
        self.simulator = SimulatorProcess(port=SIM_PORT, env=ENV).start()
        return self.simulator

    def workers_start(self, count: int, concurrency: int, extra_env: dict | None = None) -> None:
        for n in range(count):
            worker = ManagedProcess(
                celery_worker_argv(queue=ARGS.queue, concurrency=concurrency, name=f"bench-sync-{n}"),
                env={**ENV, **(extra_env or {})},
            )
            self.workers.append(worker)
            worker.wait_for("ready.", timeout=120)

    def workers_stop(self) -> None:
        while self.workers:
            worker = self.workers.pop()
            try:
                worker.stop()
            except Exception as error:  # keep stopping the others
                log(f"could not stop worker {worker.proc.pid}: {error}")

    def workers_output_tail(self) -> str:
        return "\n".join(w.output()[-3000:] for w in self.workers)

    def stop_all(self) -> None:
        self.workers_stop()
        if self.simulator is not None:
            self.simulator.stop()
            self.simulator = None


PROCS = Processes()


# --- CPU accounting from /proc -----------------------------------------------------------------
def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def _proc_cpu(pid: int) -> float:
    fields = _stat_fields(pid)
    return 0.0 if fields is None else (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _tree(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields is not None:
                parents.setdefault(int(fields[1]), []).append(int(entry))
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(parents.get(pid, []))
    return pids


def _machine_busy() -> float:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / CLOCK_TICKS


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _postmaster() -> int | None:
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                comm = Path(f"/proc/{entry}/comm").read_text().strip()
                fields = _stat_fields(int(entry))
                parent = Path(f"/proc/{fields[1]}/comm").read_text().strip() if fields else ""
            except OSError:
                continue
            if comm == "postgres" and parent != "postgres":
                return int(entry)
    return None


POSTMASTER = _postmaster()
REDIS_SERVER = next(
    (
        int(e)
        for e in os.listdir("/proc")
        if e.isdigit() and _stat_fields(int(e)) and _comm(int(e)) == "redis-server"
    ),
    None,
)


def _postgres_cpu() -> dict:
    """CPU of the whole PostgreSQL server: live processes plus the exited backends it reaped.

    Server-wide (other databases' clients count too): the workers open a new connection for
    every task (Celery's Django fix-up closes it before and after each task), so the backends
    that served them are gone by the end of a run.
    """
    if POSTMASTER is None:
        return {}
    out = {pid: _proc_cpu(pid) for pid in _tree(POSTMASTER)}
    fields = _stat_fields(POSTMASTER)
    out[-1] = (int(fields[13]) + int(fields[14])) / CLOCK_TICKS if fields else 0.0
    return out


def cpu_snapshot() -> dict:
    """CPU seconds so far of the simulator, the workers, PostgreSQL, us, the machine; DB sessions."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT sessions, active_time FROM pg_stat_database WHERE datname = %s", [ARGS.database]
        )
        sessions, active_ms = cursor.fetchone()
    workers = {pid: _proc_cpu(pid) for w in PROCS.workers for pid in _tree(w.proc.pid)}
    return {
        "simulator": _proc_cpu(PROCS.simulator.process.pid),
        "workers": workers,
        "postgres": _postgres_cpu(),
        "redis": _proc_cpu(REDIS_SERVER) if REDIS_SERVER else 0.0,
        "benchmark": time.process_time(),
        "machine": _machine_busy(),
        "db_sessions": sessions,
        "db_active": active_ms / 1000,
    }


def cpu_delta(before: dict, after: dict) -> dict:
    def keyed(name):  # cumulative per process (exited backends: in the postmaster's reaped time)
        return sum(after[name].values()) - sum(before[name].values())

    out = {
        "simulator": after["simulator"] - before["simulator"],
        "workers": keyed("workers"),
        "postgres": keyed("postgres"),
        "benchmark": after["benchmark"] - before["benchmark"],
        "redis": after["redis"] - before["redis"],
        "machine": after["machine"] - before["machine"],
        "db_sessions": after["db_sessions"] - before["db_sessions"],
        "db_active": after["db_active"] - before["db_active"],
    }
    out["other"] = out["machine"] - sum(
        out[k] for k in ("simulator", "workers", "postgres", "redis", "benchmark")
    )
    return out


def cpu_text(cpu: dict, wall: float) -> str:
    """CPU seconds per part, and the machine's busy share of its NCPU cores."""
    parts = ", ".join(
        f"{k} {cpu[k]:.1f}" for k in ("simulator", "workers", "postgres", "redis", "benchmark", "other")
    )
    return (
        f"{parts}; DB sessions {cpu['db_sessions']}, DB active {cpu['db_active']:.1f} s; "
        f"machine {cpu['machine']:.1f} s = {100 * cpu['machine'] / (wall * NCPU):.0f}% of {NCPU} cores"
    )


# --- simulator helpers -------------------------------------------------------------------------
def sim_config(rate_limit: int) -> None:
    PROCS.simulator.post("/_sim/config", json={"rateLimitPerMinute": rate_limit}).raise_for_status()


def sim_reset(rate_limit: int) -> None:
    """Forget the simulator's state (rate-limit windows included) and our cached token."""
    PROCS.simulator.reset()
    sim_config(rate_limit)
    FluviusClient.from_settings().invalidate_token()


def sim_requests() -> list[dict]:
    response = PROCS.simulator.get("/_sim/requests", timeout=120)
    response.raise_for_status()
    body = response.json()
    return body["requests"] if isinstance(body, dict) else body


def count_requests(entries: list[dict]) -> dict:
    energy = [e for e in entries if "/mandate/energy" in e["path"].lower()]
    return {
        "energy": sum(1 for e in energy if e["status"] == 200),
        "energy_429": sum(1 for e in energy if e["status"] == 429),
        "api": sum(1 for e in entries if "/oauth2/" not in e["path"].lower()),
        "token": sum(1 for e in entries if "/oauth2/" in e["path"].lower()),
        "429": sum(1 for e in entries if e["status"] == 429),
    }


def last_served_day(ean: str, today: date) -> date:
    """The last local day for which the simulator serves any value now (publication lags)."""
    response = PROCS.simulator.get(
        "/_sim/truth",
        params={
            "ean": ean,
            "from": (today - timedelta(days=5)).isoformat(),
            "to": (today + timedelta(days=1)).isoformat(),
        },
    )
    response.raise_for_status()
    served = [
        datetime.fromisoformat(row["start_utc"].replace("Z", "+00:00")).astimezone(BRUSSELS).date()
        for row in csv.DictReader(io.StringIO(response.text))
        if row["offtake_kwh"] or row["injection_kwh"]
    ]
    return max(served)


def wait_until(condition, *, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"{what}: not done within {timeout:.0f} s\n{PROCS.workers_output_tail()}")


# --- back-fill ---------------------------------------------------------------------------------
_homeowners = 0


def backfill_once(rate_limit: int) -> dict:
    """One homeowner's mandate flow; seconds from the status poll to a complete back-fill."""
    global _homeowners
    _homeowners += 1
    sim_reset(rate_limit)
    today = timezone.localdate(timezone=BRUSSELS)
    days = ARGS.years * 365
    ean = _meter_ean(5_000_000 + _homeowners)
    remote = SimulatorRemote(settings.FLUVIUS_SIMULATOR_URL)
    remote.meter_register(ean=ean, install_date=today - timedelta(days=days + 30))
    user = User.objects.create_user(email=f"backfill-{_homeowners}@bench.invalid")
    meter = meter_link(user=user, ean=ean, label="bench")
    # The return URL argument is being reworked elsewhere: accept either spelling.
    return_url = settings.SITE_URL + "/bench/"
    if "return_url_for" in inspect.signature(mandate_request).parameters:
        url_kwargs = {"return_url_for": lambda reference: return_url + reference}
    else:
        url_kwargs = {"return_url": return_url + "{reference}"}
    mandate = mandate_request(user=user, ean=ean, history_days=days, **url_kwargs)
    remote.decide(short_id=mandate.short_url_id, eans=[ean], decision="approve")
    first_day = mandate.data_period_from.astimezone(BRUSSELS).date()
    last_day = last_served_day(ean, today)
    expected_days = (last_day - first_day).days + 1

    def complete():
        state = MeterSyncState.objects.filter(meter=meter).first()
        if state is None or state.backfill_to is None or not state.backfill_complete:
            return False
        covered = DailyTotal.objects.filter(meter=meter, day__gte=first_day, day__lte=last_day).count()
        return covered == expected_days

    requests_before = len(sim_requests())
    cpu_before = cpu_snapshot()
    t0 = time.perf_counter()
    poll = mandates_refresh(reference_number=mandate.reference_number)
    if len(poll.newly_approved) != 1:
        raise RuntimeError(f"the status poll did not see the approval: {poll}")
    wait_until(complete, timeout=ARGS.timeout, what=f"back-fill of {ean}")
    seconds = time.perf_counter() - t0
    cpu = cpu_delta(cpu_before, cpu_snapshot())
    counts = count_requests(sim_requests()[requests_before:])
    if SyncDeadLetter.objects.filter(meter=meter).exists():
        raise RuntimeError(f"back-fill of {ean} wrote a dead letter")
    return {"seconds": seconds, "days": expected_days, "cpu": cpu, **counts}


def run_backfill() -> None:
    rows = []
    for chunk_days in ARGS.chunk_days:
        PROCS.workers_start(1, 1, {"SYNC_CHUNK_DAYS": str(chunk_days)})
        try:
            for rate_limit in ARGS.rate_limits:
                runs = []
                for n in range(ARGS.runs):
                    result = backfill_once(rate_limit)
                    log(
                        f"chunk {chunk_days} d, rate limit {rate_limit or 'off'}, run {n + 1}: "
                        f"{result['seconds']:.1f} s, {result['days']} days, {result['energy']} energy requests "
                        f"({result['energy_429']} answered 429); CPU s: {cpu_text(result['cpu'], result['seconds'])}"
                    )
                    runs.append(result)
                rows.append((chunk_days, rate_limit, runs))
        finally:
            PROCS.workers_stop()

    print(
        f"## Back-fill of a {ARGS.years}-year mandate: status poll -> history in the charts "
        f"(one worker, concurrency 1; {ARGS.runs} runs each)"
    )
    print()
    print(
        "| chunk (days) | simulator rate limit | median s | runs (s) | local days | energy requests "
        "| answered 429 | API calls incl. poll | CPU s median: simulator / worker / postgres / machine |"
    )
    print("|---:|---|---:|---|---:|---:|---:|---:|---|")
    for chunk_days, rate_limit, runs in rows:
        med = statistics.median(r["seconds"] for r in runs)
        cpu = {
            k: statistics.median(r["cpu"][k] for r in runs)
            for k in ("simulator", "workers", "postgres", "machine")
        }
        print(
            f"| {chunk_days} | {f'{rate_limit}/min' if rate_limit else 'off'} | {med:.1f} | "
            f"{', '.join(f'{r["seconds"]:.1f}' for r in runs)} | {runs[0]['days']} | "
            f"{statistics.median(r['energy'] for r in runs):.0f} | "
            f"{statistics.median(r['energy_429'] for r in runs):.0f} | {statistics.median(r['api'] for r in runs):.0f} | "
            f"{cpu['simulator']:.1f} / {cpu['workers']:.1f} / {cpu['postgres']:.1f} / {cpu['machine']:.1f} |"
        )


# --- nightly -----------------------------------------------------------------------------------
def meters_add(count: int, start_index: int) -> None:
    """`count` homeowners with a meter and an approved mandate (simulator mock + real poll)."""
    now = timezone.now()
    period_from = now - timedelta(days=365)
    period_to = now + timedelta(days=2 * 365)
    client = FluviusClient.from_settings()
    users = User.objects.bulk_create(
        User(email=f"nightly-{start_index + i}@bench.invalid", password="!") for i in range(count)
    )
    meters = Meter.objects.bulk_create(
        Meter(ean=_meter_ean(start_index + i), owner=user, label="bench") for i, user in enumerate(users)
    )
    mandates = []
    for meter in meters:
        reference = reference_number_new()
        client.mandate_mock(
            reference_number=reference, ean=meter.ean, data_period_from=period_from, data_period_to=period_to
        )
        mandates.append(
            Mandate(
                user_id=meter.owner_id,
                requested_by_id=meter.owner_id,
                ean=meter.ean,
                reference_number=reference,
                data_period_from=period_from,
                data_period_to=period_to,
            )
        )
    Mandate.objects.bulk_create(mandates)
    client.close()
    result = mandates_poll(full=True)
    approved = Mandate.objects.filter(status=Mandate.Status.APPROVED).count()
    if approved != Meter.objects.count():
        raise RuntimeError(f"only {approved} approved mandates for {Meter.objects.count()} meters ({result})")


def nightly_once(n_meters: int, label: str) -> dict:
    """Queue sync_all_daily; seconds until every meter succeeded after the start."""
    MeterSyncState.objects.update(insert_time_watermark=timezone.now() - timedelta(hours=24))
    requests_before = len(sim_requests())
    dead_before = SyncDeadLetter.objects.count()
    started_at = timezone.now()
    cpu_before = cpu_snapshot()
    t0 = time.perf_counter()
    sync_all_daily.delay()
    last_progress, last_done = time.monotonic(), 0
    deadline = time.monotonic() + ARGS.timeout
    while True:
        done = MeterSyncState.objects.filter(last_success_at__gte=started_at).count()
        if done >= n_meters:
            break
        if done != last_done:
            last_progress, last_done = time.monotonic(), done
        if time.monotonic() > deadline or time.monotonic() - last_progress > 300:
            raise TimeoutError(
                f"{label}: {done}/{n_meters} meters after {time.perf_counter() - t0:.0f} s\n"
                f"{PROCS.workers_output_tail()}"
            )
        time.sleep(0.2)
    seconds = time.perf_counter() - t0
    cpu = cpu_delta(cpu_before, cpu_snapshot())
    entries = sim_requests()[requests_before:]
    counts = count_requests(entries)
    errors = MeterSyncState.objects.filter(last_error_at__gte=started_at).count()
    dead = SyncDeadLetter.objects.count() - dead_before
    result = {"seconds": seconds, "meters": n_meters, "cpu": cpu, "errors": errors, "dead": dead, **counts}
    log(
        f"{label}: {n_meters} meters in {seconds:.1f} s = {n_meters / seconds:.1f} meters/s; "
        f"{counts['energy']} energy requests ({counts['energy_429']} answered 429), errors {errors}, "
        f"dead letters {dead}; CPU s: {cpu_text(cpu, seconds)}"
    )
    return result


def run_nightly() -> None:
    sizes = sorted(ARGS.meters)
    configs = [(w, c) for w in ARGS.workers for c in ARGS.concurrency]
    biggest = max(configs, key=lambda wc: wc[0] * wc[1])
    sim_config(0)
    rows, first_nights = [], []
    have = 0
    for size in sizes:
        t0 = time.perf_counter()
        meters_add(size - have, start_index=1 + have)
        log(f"set up {size - have} meters with approved mandates in {time.perf_counter() - t0:.1f} s")
        have = size
        PROCS.workers_start(*biggest)
        try:
            first_nights.append(nightly_once(size, f"first night, {biggest[0]}x{biggest[1]}"))
        finally:
            PROCS.workers_stop()
        for workers, concurrency in configs:
            PROCS.workers_start(workers, concurrency)
            try:
                rows.append(
                    (workers, concurrency, nightly_once(size, f"{workers} worker(s) x {concurrency}"))
                )
            finally:
                PROCS.workers_stop()

    throttled = None
    if ARGS.throttled_meters:
        # The first N meters only: the others lose their mandate's approval for this run.
        keep = list(Meter.objects.order_by("pk").values_list("pk", flat=True)[: ARGS.throttled_meters])
        Mandate.objects.exclude(ean__in=Meter.objects.filter(pk__in=keep).values("ean")).update(
            fetch_suspended_at=timezone.now()
        )
        sim_config(60)  # windows are empty: nothing is counted while the limit is off
        PROCS.workers_start(*biggest)
        try:
            throttled = (biggest, nightly_once(len(keep), f"rate limit 60/min, {biggest[0]}x{biggest[1]}"))
        finally:
            PROCS.workers_stop()

    print("## Nightly sync (sync_all_daily), simulator rate limit off")
    print()
    print(
        "| meters | worker processes x concurrency | wall s | meters/s | energy requests | errors "
        "| CPU ms per meter: workers / simulator / PostgreSQL (whole server) / Redis "
        "| SQL active ms per meter (this DB) | CPU s of other processes | machine busy |"
    )
    print("|---:|---|---:|---:|---:|---:|---|---:|---:|---:|")
    for workers, concurrency, r in rows:
        c, n = r["cpu"], r["meters"]
        print(
            f"| {n:,} | {workers} x {concurrency} | {r['seconds']:.1f} | {n / r['seconds']:.1f} | "
            f"{r['energy']:,} | {r['errors'] + r['dead']} | {1000 * c['workers'] / n:.0f} / "
            f"{1000 * c['simulator'] / n:.0f} / {1000 * c['postgres'] / n:.0f} / {1000 * c['redis'] / n:.0f} | "
            f"{1000 * c['db_active'] / n:.1f} | {c['other']:.1f} | {100 * c['machine'] / (r['seconds'] * NCPU):.0f}% |"
        )
    ours = [
        (r["cpu"]["workers"] + r["cpu"]["postgres"] + r["cpu"]["redis"]) / r["meters"] for _, _, r in rows
    ]
    if ours:
        per_meter = statistics.median(ours)
        print()
        print(
            f"Our side's CPU per meter (workers + PostgreSQL + Redis, median over the runs): "
            f"{1000 * per_meter:.0f} ms, i.e. at most {NCPU / per_meter:.0f} meters/s on {NCPU} dedicated cores "
            f"with nothing else running (the simulator and other jobs excluded)."
        )
    print()
    print(f"First nights ({biggest[0]} x {biggest[1]}; new meters insert their trailing days):")
    for r in first_nights:
        print(f"- {r['meters']:,} meters: {r['seconds']:.1f} s, {r['meters'] / r['seconds']:.1f} meters/s")
    if throttled:
        (w, c), r = throttled
        print()
        print(
            f"Rate limit 60/min, {r['meters']} meters, {w} x {c}: {r['seconds']:.1f} s = "
            f"{r['meters'] / r['seconds'] * 60:.1f} meters/min; {r['energy']} energy requests, "
            f"{r['429']} answered 429, errors {r['errors']}, dead letters {r['dead']}"
            + f"; floor at 60/min with a fresh window: {max(0, r['energy'] - 60):,} requests after the first "
            f"60 = {max(0, r['energy'] - 60):.0f} s"
        )
    best = max(rows, key=lambda row: row[2]["meters"] / row[2]["seconds"]) if rows else None
    if best:
        r = best[2]
        per_meter = r["energy"] / r["meters"]
        rate = r["meters"] / r["seconds"]
        print()
        print(
            f"Projection to 100,000 meters: at the best measured rate ({rate:.1f} meters/s, "
            f"{best[0]} x {best[1]} on {NCPU} cores) {100_000 / rate / 60:.0f} min; at "
            f"{per_meter:.2f} energy requests per meter and 60 requests/min: "
            f"{100_000 * per_meter / 60 / 60:.1f} h."
        )


def code_version() -> str:
    import subprocess

    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    paths = [
        "meters/services",
        "meters/tasks.py",
        "consents/services",
        "ilusmart/fluvius",
        "ilusmart/settings.py",
    ]
    dirty = git("status", "--porcelain", "--", *paths).splitlines()
    return git("rev-parse", "--short", "HEAD") + (f" (uncommitted: {', '.join(dirty)})" if dirty else "")


def main() -> None:
    log(f"benchmark database {ARGS.database}; migrating")
    call_command("migrate", verbosity=0)
    connection.ensure_connection()
    print(f"Code: {code_version()}; {NCPU} cores; PostgreSQL {connection.pg_version}")
    print()
    redis.Redis.from_url(REDIS_URL).flushdb()
    PROCS.simulator_start()
    log(f"simulator on {SIM_URL}")
    if ARGS.mode == "backfill":
        run_backfill()
    else:
        run_nightly()


if __name__ == "__main__":
    try:
        main()
    finally:
        PROCS.stop_all()
        connection.close()
        try:
            redis.Redis.from_url(REDIS_URL).flushdb()
        except redis.RedisError as error:
            log(f"could not flush Redis database {ARGS.redis_db}: {error}")
        if not ARGS.keep:
            admin_execute(f"DROP DATABASE IF EXISTS {ARGS.database}")
