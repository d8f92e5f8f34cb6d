"""Celery signal receivers that record each periodic task's run (meters.services.periodic).

Only a message sent by beat counts (beat marks it with the ``celery_beat_task`` header); the
entry is the one in ``CELERY_BEAT_SCHEDULE`` with the same task and arguments. Connected when
``meters.tasks`` is imported, which every worker does. Celery logs (and swallows) an error raised
here, so recording never breaks a task.
"""

from celery import states
from celery.signals import task_postrun, task_prerun

from meters.models import PeriodicTaskRun
from meters.selectors.periodic import beat_entry_for
from meters.services.periodic import periodic_run_finished, periodic_run_started, run_summary

_OUTCOMES = {
    states.SUCCESS: PeriodicTaskRun.Outcome.SUCCESS,
    states.RETRY: PeriodicTaskRun.Outcome.RETRY,
}


def _entry(task, args, kwargs) -> str | None:
    request = task.request
    headers = getattr(request, "headers", None) or {}
    if not (getattr(request, "celery_beat_task", False) or headers.get("celery_beat_task")):
        return None
    return beat_entry_for(task=task.name, args=args, kwargs=kwargs)


@task_prerun.connect(dispatch_uid="meters.periodic_run_started")
def periodic_task_started(sender=None, task_id=None, task=None, args=None, kwargs=None, **extra):
    entry = _entry(task, args, kwargs)
    if entry:
        periodic_run_started(entry=entry, task=task.name, task_id=task_id)


@task_postrun.connect(dispatch_uid="meters.periodic_run_finished")
def periodic_task_finished(
    sender=None, task_id=None, task=None, args=None, kwargs=None, retval=None, state=None, **extra
):
    entry = _entry(task, args, kwargs)
    if entry:
        periodic_run_finished(
            entry=entry,
            task=task.name,
            task_id=task_id,
            outcome=_OUTCOMES.get(state, PeriodicTaskRun.Outcome.FAILURE),
            summary=run_summary(retval),
        )
