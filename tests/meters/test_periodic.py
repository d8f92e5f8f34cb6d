"""The periodic tasks as staff see them: the schedule in words and Belgian time
(meters/selectors/periodic.py), and each one's last run, recorded by the worker's task signals
(meters/task_runs.py → meters/services/periodic.py)."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db import connection

import meters.tasks  # noqa: F401 (connects the signal receivers, as in a worker)
from ilusmart.celery import app
from meters.models import PeriodicTaskRun
from meters.selectors.periodic import DESCRIPTIONS, beat_entry_for, periodic_tasks, schedule_in_words
from meters.services.periodic import periodic_run_finished, periodic_run_started
from tests.processes import celery_worker

pytestmark = pytest.mark.django_db

SUMMER = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)  # 08:00 in Brussels (CEST, UTC+2)
WINTER = datetime(2026, 1, 15, 6, 0, tzinfo=UTC)  # 07:00 in Brussels (CET, UTC+1)


@pytest.mark.parametrize(
    ("now", "words", "next_run"),
    [
        (SUMMER, "Elke dag om 09:30 Belgische tijd (07:30 UTC)", datetime(2026, 7, 1, 7, 30, tzinfo=UTC)),
        (WINTER, "Elke dag om 08:30 Belgische tijd (07:30 UTC)", datetime(2026, 1, 15, 7, 30, tzinfo=UTC)),
        # Past today's run: tomorrow's.
        (
            SUMMER + timedelta(hours=2),
            "Elke dag om 09:30 Belgische tijd (07:30 UTC)",
            datetime(2026, 7, 2, 7, 30, tzinfo=UTC),
        ),
    ],
)
def test_a_daily_crontab_in_words_and_belgian_time(now, words, next_run):
    assert schedule_in_words(crontab(hour=7, minute=30), now=now) == (words, next_run)


def test_an_interval_in_words_and_its_next_run_after_the_last():
    run = PeriodicTaskRun(entry="x", task="t", started_at=SUMMER, outcome="success")
    assert schedule_in_words(3600.0, now=SUMMER, last_run=run) == ("Elk uur", SUMMER + timedelta(hours=1))
    assert schedule_in_words(timedelta(minutes=15), now=SUMMER) == ("Elke 15 minuten", None)
    assert schedule_in_words(6 * 3600, now=SUMMER) == ("Elke 6 uur", None)


def test_any_other_crontab_is_shown_as_it_is_written():
    words, next_run = schedule_in_words(crontab(minute=0, hour="*/4", day_of_week="mon-fri"), now=SUMMER)
    assert words == "Volgens cron: 0 */4 * * mon-fri (UTC)"
    assert next_run is None


def test_english_pages_get_the_schedule_in_english():
    from django.utils import translation

    with translation.override("en"):
        words, _ = schedule_in_words(crontab(hour=7, minute=30), now=SUMMER)
    assert words == "Every day at 09:30 Belgian time (07:30 UTC)"


def test_every_scheduled_entry_is_described_and_listed_with_its_last_run():
    assert set(settings.CELERY_BEAT_SCHEDULE) <= set(DESCRIPTIONS), "describe each beat entry for staff"
    periodic_run_started(entry="sync-all-daily", task="meters.sync_all_daily", task_id="abc")

    tasks = {task.entry: task for task in periodic_tasks(now=SUMMER)}

    assert set(tasks) == set(settings.CELERY_BEAT_SCHEDULE)
    assert tasks["sync-all-daily"].last_run.outcome == PeriodicTaskRun.Outcome.RUNNING
    assert tasks["poll-mandates-hourly"].last_run is None
    assert tasks["sync-all-daily"].description == str(DESCRIPTIONS["sync-all-daily"])


def test_a_run_of_an_entry_no_longer_scheduled_is_still_shown():
    periodic_run_started(entry="old-entry", task="meters.gone", task_id="1")
    (old,) = [task for task in periodic_tasks(now=SUMMER) if task.entry == "old-entry"]
    assert not old.scheduled
    assert old.when == "Niet meer gepland"


def test_beat_entries_are_told_apart_by_their_arguments():
    assert beat_entry_for(task="meters.poll_mandates", kwargs={"full": False}) == "poll-mandates-hourly"
    assert beat_entry_for(task="meters.poll_mandates", kwargs={"full": True}) == "poll-mandates-daily-full"
    assert beat_entry_for(task="meters.poll_mandates", kwargs={}) is None
    assert beat_entry_for(task="meters.sync_meter_daily", args=[1]) is None


# --- recording runs ----------------------------------------------------------------------------------


def test_a_finished_run_keeps_start_end_outcome_and_summary():
    periodic_run_started(entry="sync-all-daily", task="meters.sync_all_daily", task_id="run-1")
    periodic_run_finished(
        entry="sync-all-daily", task="meters.sync_all_daily", task_id="run-1", outcome="success", summary="12"
    )
    run = PeriodicTaskRun.objects.get(entry="sync-all-daily")
    assert (run.outcome, run.summary, run.task_id) == ("success", "12", "run-1")
    assert run.started_at <= run.finished_at == run.last_success_at


def test_a_failed_run_keeps_the_last_success():
    periodic_run_started(entry="e", task="t", task_id="1")
    periodic_run_finished(entry="e", task="t", task_id="1", outcome="success", summary="")
    succeeded = PeriodicTaskRun.objects.get(entry="e").last_success_at
    periodic_run_started(entry="e", task="t", task_id="2")
    periodic_run_finished(
        entry="e", task="t", task_id="2", outcome="failure", summary="FluviusUnavailable: 503"
    )
    run = PeriodicTaskRun.objects.get(entry="e")
    assert (run.outcome, run.summary, run.last_success_at) == (
        "failure",
        "FluviusUnavailable: 503",
        succeeded,
    )


def test_an_older_run_ending_late_does_not_overwrite_the_newer_one():
    periodic_run_started(entry="e", task="t", task_id="old")
    periodic_run_started(entry="e", task="t", task_id="new")
    periodic_run_finished(entry="e", task="t", task_id="old", outcome="failure", summary="boom")
    run = PeriodicTaskRun.objects.get(entry="e")
    assert (run.task_id, run.outcome) == ("new", PeriodicTaskRun.Outcome.RUNNING)


@pytest.fixture
def ping_schedule(settings):
    """Two beat entries on the harmless ping task: one that answers, one with a wrong argument count."""
    settings.CELERY_BEAT_SCHEDULE = {
        **settings.CELERY_BEAT_SCHEDULE,
        "ping-ok": {"task": "ilusmart.ping", "schedule": 60.0, "args": ["beat"]},
        "ping-broken": {"task": "ilusmart.ping", "schedule": 60.0, "args": ["a", "b"]},
    }


def test_a_task_sent_by_beat_records_its_run(ping_schedule):
    from ilusmart.tasks import ping

    ping.apply(args=["beat"], headers={"celery_beat_task": True})

    run = PeriodicTaskRun.objects.get(entry="ping-ok")
    assert (run.task, run.outcome, run.summary) == ("ilusmart.ping", "success", "pong:beat")
    assert run.finished_at is not None


def test_a_failing_task_sent_by_beat_records_the_error(ping_schedule):
    from ilusmart.tasks import ping

    ping.apply(args=["a", "b"], headers={"celery_beat_task": True})

    run = PeriodicTaskRun.objects.get(entry="ping-broken")
    assert run.outcome == "failure"
    assert run.summary.startswith("TypeError")
    assert run.last_success_at is None


def test_the_same_task_not_sent_by_beat_records_nothing(ping_schedule):
    from ilusmart.tasks import ping

    ping.apply(args=["beat"])
    assert not PeriodicTaskRun.objects.exists()


def _finished_run(entry: str, *, timeout: float = 30) -> PeriodicTaskRun | None:
    """The entry's run once the worker has recorded its end (the result is stored just before)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = (
            PeriodicTaskRun.objects.filter(entry=entry)
            .exclude(outcome=PeriodicTaskRun.Outcome.RUNNING)
            .first()
        )
        if run is not None:
            return run
        time.sleep(0.05)
    return None


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_records_the_run_of_a_message_from_beat():
    """The header beat adds reaches the worker's signal, and the run lands in the database."""
    worker = celery_worker(database_name=connection.settings_dict["NAME"])
    try:
        result = app.send_task("meters.detect_faults_all", headers={"celery_beat_task": True})
        try:
            queued = result.get(timeout=60)
        except Exception as error:
            raise AssertionError(f"{error!r}\n{worker.output()[-4000:]}") from error
        run = _finished_run("detect-faults-daily")
        assert run is not None, worker.output()[-4000:]
    finally:
        worker.stop()
    assert (run.task, run.outcome, run.summary) == ("meters.detect_faults_all", "success", str(queued))
    assert run.started_at <= run.finished_at
