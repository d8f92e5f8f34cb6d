"""Reliability of the Fluvius sync (meters/services/sync.py, meters/tasks.py), end to end.

Real PostgreSQL, real HTTP to the simulator subprocess, real Redis and a real Celery worker; no
mocks. "Correct" always means: ``manage.py export_readings`` prints, byte for byte, what the
simulator's ``/_sim/truth`` says it serves for the same EAN and local dates.
"""

import json
import threading
import time
import uuid
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
import requests
from django.db import connection

from consents.models import FetchRefusal, Mandate
from ilusmart.fluvius.client import FluviusClient, format_utc
from ilusmart.fluvius.errors import FluviusUnavailable
from meters.models import DailyTotal, MeterSyncState, ReadingDay, SyncDeadLetter
from meters.quarterhours import ESTIMATED_CODES
from meters.services.sync import (
    _LOCK_NAMESPACE,
    NoActiveMandate,
    backfill_start,
    local_midnight,
    meter_backfill,
    meter_sync_daily,
    meter_sync_range,
)
from meters.tasks import backfill_meter, sync_meter_daily
from tests.factories import MeterFactory, UserFactory, _meter_ean
from tests.meters.conftest import (
    BRUSSELS,
    FAULT_TEST_CHUNK_DAYS,
    FAULT_TEST_DAYS,
    energy_requests,
    export_bytes,
    fault_test_window,
    latest_dst_days,
    local_today,
    missing_cells,
    published_days,
    quarter_hours,
    row_versions,
    truth_bytes,
    truth_day_sums,
    windows_needed,
)
from tests.processes import celery_worker

# Every expected count below is derived from the dates of the day the test runs (the project
# clock), never written down for one season: `make test-dates` runs this module on DST days,
# at the turn of the year and on 29 February, and test_date_arithmetic.py replays the
# arithmetic for every day of two years.
pytestmark = pytest.mark.date_sensitive


def assert_totals_match_truth(meter, truth: bytes) -> int:
    """Every day with data has one ReadingDay and one DailyTotal whose sums equal the truth's."""
    sums = truth_day_sums(truth)
    days_with_data = {
        d for d, s in sums.items() if s["offtake_wh"] is not None or s["injection_wh"] is not None
    }
    totals = {t.day: t for t in DailyTotal.objects.filter(meter=meter, day__in=list(sums))}
    readings = {r.day: r for r in ReadingDay.objects.filter(meter=meter, day__in=list(sums))}
    assert set(totals) == days_with_data
    assert set(readings) == days_with_data
    for day in days_with_data:
        expected = sums[day]
        assert (totals[day].offtake_wh, totals[day].injection_wh) == (
            expected["offtake_wh"],
            expected["injection_wh"],
        ), day
        assert totals[day].slots_expected == expected["slots"] == len(readings[day].offtake_wh), day
    return len(days_with_data)


def stored_values(meter) -> int:
    """Quarter-hour values (both directions) stored for `meter`."""
    return sum(
        sum(v is not None for v in r.offtake_wh) + sum(v is not None for v in r.injection_wh)
        for r in ReadingDay.objects.filter(meter=meter)
    )


# --- faults ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sixty_days_through_every_kind_of_fault_equal_the_truth(sim, connected_meter, settings):
    """The first six chunks meet faults: 429, 500, 503, timeouts, malformed JSON; missing stays missing."""
    settings.SYNC_CHUNK_DAYS = FAULT_TEST_CHUNK_DAYS
    settings.FLUVIUS_TIMEOUT_SECONDS = 1
    settings.FLUVIUS_MAX_RETRIES = 5
    meter, mandate = connected_meter(days=70, ean=_meter_ean(4242))
    first, last = fault_test_window(local_today())
    # 60 local days are 1440 hours, one more or less when a DST change falls inside, so six
    # chunks of 10 × 24 h, and a seventh of one hour in the October case.
    windows = windows_needed(first, last, chunk_days=FAULT_TEST_CHUNK_DAYS)
    timeout = {"status": "timeout", "seconds": 1.5}
    # Faults are consumed by the next energy requests, so each batch is queued as soon as the
    # previous chunk got its answer: every chunk meets its own batch (at most 5 = max retries).
    batches = [
        [{"status": 429, "count": 2, "retryAfter": 1}],
        [{"status": 500, "count": 2}],
        [{"status": 503, "count": 2, "retryAfter": 1}],
        [{**timeout, "count": 2}],
        [{"status": "malformed", "count": 2}],
        [{"status": 429}, {"status": 500}, timeout, {"status": "malformed"}, {"status": 503}],
    ]

    def queue(batch):
        for fault in batch:
            sim.post("/_sim/faults", {"path": "/api/mandate/energy", "count": 1, **fault}).raise_for_status()

    def next_batch_after_an_answer(response, *args, **kwargs):
        if "/api/mandate/energy" in response.url and response.status_code == 200 and batches:
            try:
                json.loads(response.content)
            except ValueError:
                return  # the malformed fault itself
            queue(batches.pop(0))

    session = requests.Session()
    session.hooks["response"].append(next_batch_after_an_answer)
    queue(batches.pop(0))

    result = meter_sync_range(
        meter=meter,
        start=local_midnight(first),
        end=local_midnight(last),
        client=FluviusClient.from_settings(session=session),
    )

    assert batches == [] and sim.get("/_sim/faults").json()["faults"] == []
    assert result.requests == len(result.windows) == windows
    assert result.windows[0][0] == local_midnight(first) and result.windows[-1][1] == local_midnight(last)
    assert all(a[1] == b[0] for a, b in zip(result.windows, result.windows[1:], strict=False))
    statuses = [r["status"] for r in energy_requests(sim)]
    assert statuses.count(429) == 3 and statuses.count(500) == 3 and statuses.count(503) == 3
    assert statuses.count(None) == 3  # held until the client gave up
    assert statuses.count(200) == windows + 3  # one answer per window and three malformed bodies
    truth = truth_bytes(sim, meter.ean, first, last)
    assert truth.count(b"\n") == 1 + quarter_hours(first, last)  # a header, then one line each
    assert missing_cells(truth) > 0  # the simulator leaves some slices out: they must stay empty
    assert export_bytes(meter.ean, first, last) == truth
    assert assert_totals_match_truth(meter, truth) == FAULT_TEST_DAYS
    state = MeterSyncState.objects.get(meter=meter)
    assert state.last_error == "" and state.last_success_at is not None


@pytest.mark.django_db
def test_retries_running_out_fails_the_sync_and_a_rerun_completes_it(sim, connected_meter, settings):
    """Chunks committed before the failure stay; the rerun fills the rest, nothing doubled."""
    settings.SYNC_CHUNK_DAYS = 10
    settings.FLUVIUS_MAX_RETRIES = 2
    meter, _ = connected_meter(days=40)
    first, last = local_today() - timedelta(days=31), local_today() - timedelta(days=1)
    session = requests.Session()
    answered = []

    def fail_the_second_chunk(response, *args, **kwargs):
        if "/api/mandate/energy" in response.url and response.status_code == 200 and not answered:
            answered.append(response.url)
            sim.post("/_sim/faults", {"path": "/api/mandate/energy", "status": 500, "count": 3})

    session.hooks["response"].append(fail_the_second_chunk)

    with pytest.raises(FluviusUnavailable):
        meter_sync_range(
            meter=meter,
            start=local_midnight(first),
            end=local_midnight(last),
            client=FluviusClient.from_settings(session=session),
        )
    state = MeterSyncState.objects.get(meter=meter)
    assert "FluviusUnavailable" in state.last_error
    assert ReadingDay.objects.filter(meter=meter).count() == 10  # the first chunk only

    meter_sync_range(meter=meter, start=local_midnight(first), end=local_midnight(last))

    truth = truth_bytes(sim, meter.ean, first, last)
    assert export_bytes(meter.ean, first, last) == truth
    assert assert_totals_match_truth(meter, truth) == 30
    state.refresh_from_db()
    assert state.last_error == ""


# --- the insertTime catch-up of the daily sync ---------------------------------------------------

CLOCK_MOVES_ON = timedelta(days=10)  # longer than the trailing window of the daily sync (7 days)


def _estimated_values(meter, days) -> int:
    """Stored quarter-hour values of ``days`` whose validation state is EST (codes E, e, 1)."""
    return sum(
        code in ESTIMATED_CODES
        for r in ReadingDay.objects.filter(meter=meter, day__in=list(days))
        for code in (*r.offtake_quality, *r.injection_quality)
    )


def _run_daily_in_a_worker(meter, sim) -> None:
    """Queue ``meters.sync_meter_daily`` to a real worker (on the moved project clock) and wait for it."""
    fluvius = {k: v for k, v in sim.env.items() if k.startswith("FLUVIUS_")}
    worker = celery_worker(database_name=connection.settings_dict["NAME"], env=fluvius)
    try:
        outcome = sync_meter_daily.delay(meter.pk)
        try:
            summary = outcome.get(timeout=60)
        except Exception as error:
            raise AssertionError(f"{error!r}\n{worker.output()[-4000:]}") from error
        assert summary["requests"] >= 2  # the trailing week and the catch-up
    finally:
        worker.stop()


@pytest.mark.parametrize("path", ["service", "celery_worker"])
@pytest.mark.django_db(transaction=True)
def test_the_insert_time_catch_up_brings_validated_and_late_days(sim, connected_meter, settings, path):
    """Ten days later, only the insertTime catch-up can bring what changed outside the trailing week.

    At the start, the last five published days hold estimated values (EST) that Fluvius
    validates on D + 6; while the clock moves on ten days, those days are validated and the
    days around the start are published, all outside the daily sync's trailing 7 days.
    """
    meter, _ = connected_meter(days=40)
    start_day = local_today()
    first = start_day - timedelta(days=30)
    meter_sync_range(meter=meter, start=local_midnight(first), end=local_midnight(start_day))
    meter_sync_daily(meter=meter)  # sets the insertTime watermark
    watermark = MeterSyncState.objects.get(meter=meter).insert_time_watermark
    recent = [start_day - timedelta(days=n) for n in range(1, 6)]
    assert _estimated_values(meter, recent) > 0  # estimated values, to be validated later

    moved = sim.frozen_now + CLOCK_MOVES_ON
    sim.post("/_sim/clock", {"now": format_utc(moved)}).raise_for_status()
    settings.CLOCK_SHIFT = settings.CLOCK_SHIFT + CLOCK_MOVES_ON  # the project clock, moved once
    requests_before = len(energy_requests(sim))
    today = local_today()
    assert today == start_day + timedelta(days=10)

    if path == "service":
        meter_sync_daily(meter=meter)
    else:
        _run_daily_in_a_worker(meter, sim)

    made = energy_requests(sim)[requests_before:]
    catch_up = [parse_qs(r["query"]) for r in made if parse_qs(r["query"])["periodType"] == ["insertTime"]]
    assert catch_up and catch_up[0]["from"] == [format_utc(watermark)]
    truth = truth_bytes(sim, meter.ean, first, today)
    assert export_bytes(meter.ean, first, today) == truth
    assert_totals_match_truth(meter, truth)
    # Outside the trailing week: validated (EST gone) and late (published meanwhile) days.
    outside = [
        d for d in (*recent, start_day, start_day + timedelta(days=1)) if d < today - timedelta(days=7)
    ]
    assert len(outside) >= 6
    assert _estimated_values(meter, outside) == 0
    assert ReadingDay.objects.filter(meter=meter, day__in=outside).count() == len(outside)


# --- DST, idempotence, concurrency ----------------------------------------------------------------


@pytest.mark.django_db
def test_dst_days_hold_92_and_100_quarter_hours_with_correct_totals(sim, connected_meter):
    spring_forward, fall_back = latest_dst_days(local_today())
    meter, _ = connected_meter(days=(local_today() - min(spring_forward, fall_back)).days + 2)
    for day in (spring_forward, fall_back):
        first, last = day - timedelta(days=1), day + timedelta(days=2)
        meter_sync_range(meter=meter, start=local_midnight(first), end=local_midnight(last))
        truth = truth_bytes(sim, meter.ean, first, last)
        assert export_bytes(meter.ean, first, last) == truth
        assert assert_totals_match_truth(meter, truth) == 3

    lengths = {
        r.day: (len(r.offtake_wh), len(r.injection_wh), len(r.offtake_quality), len(r.injection_quality))
        for r in ReadingDay.objects.filter(meter=meter)
    }
    assert lengths[spring_forward] == (92, 92, 92, 92)
    assert lengths[fall_back] == (100, 100, 100, 100)
    assert lengths[spring_forward - timedelta(days=1)] == (96, 96, 96, 96)
    assert DailyTotal.objects.get(meter=meter, day=spring_forward).slots_expected == 92
    assert DailyTotal.objects.get(meter=meter, day=fall_back).slots_expected == 100


@pytest.mark.django_db
def test_rerunning_any_sync_changes_nothing(sim, connected_meter):
    meter, _ = connected_meter(days=40)
    first, last = local_today() - timedelta(days=31), local_today()
    ranged = meter_sync_range(meter=meter, start=local_midnight(first), end=local_midnight(last))
    daily = meter_sync_daily(meter=meter)
    assert ranged.ingest.inserted > 0 and daily.ingest.inserted == 0
    before = row_versions(meter)
    values = stored_values(meter)

    again = [
        meter_sync_range(meter=meter, start=local_midnight(first), end=local_midnight(last)),
        meter_sync_daily(meter=meter),  # now with the insertTime catch-up as well
        meter_sync_range(meter=meter, start=local_midnight(first), end=local_midnight(last)),
    ]

    assert row_versions(meter) == before  # not one row rewritten
    for result in again:
        assert (result.ingest.inserted, result.ingest.updated) == (0, 0)
        assert result.ingest.skipped_lower_quality == 0
    assert again[0].ingest.unchanged == values
    assert stored_values(meter) == values
    assert export_bytes(meter.ean, first, last) == truth_bytes(sim, meter.ean, first, last)


@pytest.mark.django_db(transaction=True)
def test_two_syncs_of_one_meter_at_once_leave_the_result_of_one(sim, connected_meter, settings):
    settings.SYNC_CHUNK_DAYS = 10
    meter, _ = connected_meter(days=50)
    first, last = local_today() - timedelta(days=41), local_today() - timedelta(days=1)
    start_together = threading.Barrier(2)
    results, errors = [None, None], []

    def sync(index):
        try:
            start_together.wait(timeout=30)
            results[index] = meter_sync_range(
                meter=meter,
                start=local_midnight(first),
                end=local_midnight(last),
                client=FluviusClient.from_settings(),  # one client per thread
            )
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sync, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a sync did not finish: deadlock?"

    assert errors == []
    truth = truth_bytes(sim, meter.ean, first, last)
    assert export_bytes(meter.ean, first, last) == truth
    assert assert_totals_match_truth(meter, truth) == 40
    # The lock made them run one after the other: one stored everything, the other found it there.
    values = stored_values(meter)
    assert sorted(r.ingest.inserted for r in results) == [0, values]
    assert sorted(r.ingest.unchanged for r in results) == [0, values]


# --- "no mandate, no fetch" -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sync_without_an_active_mandate_is_refused_and_logged(sim, connected_meter, caplog):
    _, mandate = connected_meter(days=10)
    stranger_meter = MeterFactory(owner=UserFactory())  # nobody gave us a mandate for this one
    someone_else = UserFactory()
    their_view_of_the_first_meter = MeterFactory.build(ean=mandate.ean, owner=someone_else)

    for meter in (stranger_meter, their_view_of_the_first_meter):
        with pytest.raises(NoActiveMandate):
            meter_sync_range(
                meter=meter,
                start=local_midnight(local_today() - timedelta(days=5)),
                end=local_midnight(local_today()),
            )
        refusal = FetchRefusal.objects.filter(ean=meter.ean, user=meter.owner).get()
        assert refusal.reason

    assert energy_requests(sim) == []
    assert "fetch refused" in caplog.text


# --- the Celery tasks -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_task_that_keeps_failing_writes_a_dead_letter(sim, connected_meter, settings):
    settings.FLUVIUS_MAX_RETRIES = 0
    meter, _ = connected_meter(days=10)
    sim.post("/_sim/faults", {"path": "/api/mandate/energy", "status": 503, "count": 1}).raise_for_status()

    # The task's last retry: Celery gives up and on_failure runs.
    result = sync_meter_daily.apply(args=(meter.pk,), retries=sync_meter_daily.max_retries)

    assert result.failed()
    letter = SyncDeadLetter.objects.get(meter=meter)
    assert letter.task == "meters.sync_meter_daily"
    assert letter.arguments == {"args": [meter.pk], "kwargs": {}}
    assert letter.error.startswith("FluviusUnavailable")
    assert letter.resolved_at is None


@pytest.mark.django_db
def test_a_task_that_recovers_on_a_retry_writes_no_dead_letter(sim, connected_meter, settings):
    settings.FLUVIUS_MAX_RETRIES = 0
    meter, _ = connected_meter(days=10)
    sim.post("/_sim/faults", {"path": "/api/mandate/energy", "status": 500, "count": 1}).raise_for_status()

    result = sync_meter_daily.apply(args=(meter.pk,))  # eager: the retry runs at once

    assert result.successful()
    assert not SyncDeadLetter.objects.exists()
    assert [r["status"] for r in energy_requests(sim)][:2] == [500, 200]


@pytest.mark.parametrize("fluvius_says", ["403 mandate not active", "404 no mandate for the EAN"])
@pytest.mark.parametrize("task", [sync_meter_daily, backfill_meter], ids=["daily", "backfill"])
@pytest.mark.django_db
def test_a_mandate_fluvius_no_longer_knows_ends_the_task_as_a_skip(sim, connected_meter, task, fluvius_says):
    """The service suspends the mandate (or marks it not found); retrying cannot help: no dead letter."""
    meter, mandate = connected_meter(days=10)
    backfill_start(mandate=mandate)
    if fluvius_says.startswith("403"):
        sim.remote.revoke(reference=mandate.reference_number, ean=meter.ean)
    else:
        sim.reset()  # Fluvius forgets every mandate: the energy API answers 404 EAN_NOT_FOUND

    result = task.apply(args=(meter.pk,))

    assert result.successful(), result.traceback
    assert result.result["skipped"] in {"FluviusMandateNotActive", "FluviusNotFound"}
    assert not SyncDeadLetter.objects.exists()
    mandate.refresh_from_db()
    assert mandate.fetch_suspended_at is not None or mandate.end_reason == Mandate.EndReason.NOT_FOUND
    assert "Fluvius" in MeterSyncState.objects.get(meter=meter).last_error


# --- a worker killed in the middle of a back-fill -------------------------------------------------


@pytest.mark.django_db
def test_a_backfill_fetches_the_most_recent_months_first_and_tells_its_progress(
    sim, connected_meter, settings
):
    settings.SYNC_CHUNK_DAYS = 30
    meter, mandate = connected_meter(days=100)
    backfill_start(mandate=mandate)
    state = MeterSyncState.objects.get(meter=meter)
    assert state.backfill_percent == 0
    before = len(energy_requests(sim))

    result = meter_backfill(meter=meter)

    windows = result.windows
    assert len(windows) == 4
    assert windows[0][1] == state.backfill_to.replace(microsecond=0)  # today's chunk first
    assert all(later[0] == earlier[1] for later, earlier in zip(windows, windows[1:], strict=False))
    assert windows[-1][0] == state.backfill_from
    served = [parse_qs(r["query"])["to"][0] for r in energy_requests(sim)[before:]]
    assert served == [format_utc(end) for _start, end in windows]
    state.refresh_from_db()
    assert state.backfill_complete and state.backfill_percent is None
    assert state.backfill_done_from == state.backfill_from


@pytest.mark.django_db
def test_a_forwards_backfill_begun_before_the_change_finishes_backwards(sim, connected_meter, settings):
    """A back-fill that went forwards (``backfill_done_until`` only) keeps what it fetched."""
    settings.SYNC_CHUNK_DAYS = 30
    meter, mandate = connected_meter(days=100)
    backfill_start(mandate=mandate)
    state = MeterSyncState.objects.get(meter=meter)
    halfway = state.backfill_from + (state.backfill_to - state.backfill_from) / 2
    MeterSyncState.objects.filter(meter=meter).update(backfill_done_until=halfway)
    assert MeterSyncState.objects.get(meter=meter).backfill_percent in (49, 50)

    result = meter_backfill(meter=meter)

    assert min(start for start, _end in result.windows) == halfway.replace(microsecond=0)
    assert result.windows[0][1] == state.backfill_to.replace(microsecond=0)
    assert MeterSyncState.objects.get(meter=meter).backfill_complete


VISIBILITY_TIMEOUT = 3  # seconds before Redis hands an unacknowledged task to another worker


def _advisory_lock_held(meter) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s",
            [_LOCK_NAMESPACE, meter.pk],
        )
        return cursor.fetchone()[0] > 0


def _wait(condition, *, timeout: float, what: str, worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    output = worker.output()[-4000:] if worker else ""
    raise AssertionError(f"timed out waiting for {what}\n{output}")


@pytest.fixture
def isolated_broker(settings):
    """A queue of this test's own on the run's broker, so its workers touch no other test's tasks.

    The run's Redis database is its own (ilusmart/testrun.py); the queue name keeps the killed
    worker's re-delivered task away from the queue that other tests' workers consume.
    """
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-kill-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue  # tests.processes.celery_worker consumes this queue
    from ilusmart.celery import app

    with app.connection_for_write() as conn:
        yield {"url": settings.CELERY_BROKER_URL, "queue": queue, "connection": conn}
        conn.default_channel.client.delete(queue, f"{queue}-backfill")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_backfill_is_replaced_and_the_data_is_complete_exactly_once(
    sim, connected_meter, isolated_broker
):
    meter, mandate = connected_meter(days=730)
    backfill_start(mandate=mandate)
    worker_env = {
        **{k: v for k, v in sim.env.items() if k.startswith("FLUVIUS_")},
        "CELERY_BROKER_URL": isolated_broker["url"],
        "CELERY_TASK_DEFAULT_QUEUE": isolated_broker["queue"],
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "SYNC_CHUNK_DAYS": "30",
        "FLUVIUS_MAX_RETRIES": "100",
        "FLUVIUS_RETRY_AFTER_CAP_SECONDS": "1",
        "FLUVIUS_BACKOFF_BASE_SECONDS": "0.01",
    }
    requests_at_start = len(energy_requests(sim))
    # Let the worker through for three more API requests in this minute, then throttle it: it is
    # then stuck retrying 429s part-way through its 25 chunks, and is killed there.
    served = len([r for r in sim.get("/_sim/requests").json()["requests"] if "/api/" in r["path"].lower()])
    sim.post("/_sim/config", {"rateLimitPerMinute": served + 3}).raise_for_status()
    database = connection.settings_dict["NAME"]

    first = celery_worker(database_name=database, env=worker_env)
    try:
        sent_at = time.monotonic()
        backfill_meter.apply_async(
            (meter.pk,), connection=isolated_broker["connection"], queue=isolated_broker["queue"]
        )

        def stuck_after_some_progress():
            state = MeterSyncState.objects.get(meter=meter)
            return state.backfill_done_from is not None and 429 in [r["status"] for r in energy_requests(sim)]

        _wait(stuck_after_some_progress, timeout=180, what="a partial back-fill", worker=first)
        first.kill()  # SIGKILL to the worker and its pool children
        assert "meters.backfill_meter[" in first.output()
        assert "succeeded" not in first.output()
    finally:
        first.stop()
    state = MeterSyncState.objects.get(meter=meter)
    # Newest first: the committed progress is how far back it came, and it stopped part-way.
    killed_at = state.backfill_done_from
    assert state.backfill_from < killed_at < state.backfill_to
    assert 0 < state.backfill_percent < 100
    first_request = energy_requests(sim)[requests_at_start]
    assert state.last_success_at is None
    requests_before = len(energy_requests(sim))

    _wait(lambda: not _advisory_lock_held(meter), timeout=30, what="PostgreSQL to drop the dead lock")
    sim.post("/_sim/config", {"rateLimitPerMinute": 0}).raise_for_status()
    # Redis gives the unacknowledged task to a worker once the visibility timeout has passed; a
    # worker restores such tasks when it starts, so the second one starts after that instant
    # (waiting for a real Redis timeout here, not ordering threads by sleeping).
    time.sleep(max(0.0, sent_at + VISIBILITY_TIMEOUT + 1 - time.monotonic()))
    second = celery_worker(database_name=database, env=worker_env)
    try:

        def complete():
            state = MeterSyncState.objects.get(meter=meter)
            return state.backfill_complete and state.last_success_at is not None

        _wait(complete, timeout=300, what="the re-delivered back-fill to finish", worker=second)
        _wait(lambda: "succeeded" in second.output(), timeout=30, what="the task's success", worker=second)
        assert "meters.backfill_meter" in second.output()
    finally:
        second.stop()

    # It began with the most recent chunk and resumed backwards from the committed progress
    # instead of starting over.
    assert parse_qs(first_request["query"])["to"] == [format_utc(state.backfill_to.replace(microsecond=0))]
    resumed = energy_requests(sim)[requests_before]
    assert parse_qs(resumed["query"])["to"] == [format_utc(killed_at)]
    first_day = mandate.data_period_from.astimezone(BRUSSELS).date()
    today = local_today()
    truth = truth_bytes(sim, meter.ean, first_day, today)
    assert export_bytes(meter.ean, first_day, today) == truth
    days = published_days(first_day, sim.frozen_now)
    assert days >= 729
    # Exactly the published days, each equal to the truth (one row per day is the primary key's
    # job; what can go wrong after a kill is a day missing or holding a partial chunk).
    assert assert_totals_match_truth(meter, truth) == days
    assert (
        ReadingDay.objects.filter(meter=meter).count()
        == DailyTotal.objects.filter(meter=meter).count()
        == days
    )
