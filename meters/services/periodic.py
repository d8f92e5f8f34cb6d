"""Record the runs of the periodic tasks (beat's entries), for staff to see when each last ran and
how it went. Called by the worker's task signals (meters/task_runs.py); one row per entry."""

from __future__ import annotations

from ilusmart import clock
from meters.models import PeriodicTaskRun

SUMMARY_MAX_LENGTH = 1000


def periodic_run_started(*, entry: str, task: str, task_id: str) -> PeriodicTaskRun:
    """A run of the schedule entry ``entry`` began: it becomes the entry's last run (running)."""
    run, _ = PeriodicTaskRun.objects.update_or_create(
        entry=entry,
        defaults={
            "task": task,
            "task_id": task_id or "",
            "started_at": clock.now(),
            "finished_at": None,
            "outcome": PeriodicTaskRun.Outcome.RUNNING,
            "summary": "",
        },
    )
    return run


def periodic_run_finished(*, entry: str, task: str, task_id: str, outcome: str, summary: str) -> None:
    """The run ``task_id`` of ``entry`` ended with ``outcome`` (see ``PeriodicTaskRun.Outcome``).

    A run that a newer one has replaced meanwhile is not written back over it.
    """
    now = clock.now()
    changes = {"finished_at": now, "outcome": outcome, "summary": (summary or "")[:SUMMARY_MAX_LENGTH]}
    if outcome == PeriodicTaskRun.Outcome.SUCCESS:
        changes["last_success_at"] = now
    updated = PeriodicTaskRun.objects.filter(entry=entry, task_id=task_id or "").update(**changes)
    if not updated and not PeriodicTaskRun.objects.filter(entry=entry).exists():
        # The start was not recorded (the worker began before this code was deployed).
        PeriodicTaskRun.objects.create(
            entry=entry, task=task, task_id=task_id or "", started_at=now, **changes
        )


def run_summary(value) -> str:
    """A task's return value or exception in a line staff can read (``seen: 3, changed: 1``)."""
    if isinstance(value, BaseException):
        return f"{type(value).__name__}: {value}"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {item}" for key, item in value.items())
    return "" if value is None else str(value)
