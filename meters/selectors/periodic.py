"""Reads on the periodic tasks: what beat runs when (``CELERY_BEAT_SCHEDULE``, in words and in
Belgian time), and how each one's last run went (``PeriodicTaskRun``, written by the worker)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from celery.schedules import crontab
from django.conf import settings
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ilusmart import clock
from meters.models import PeriodicTaskRun

# What each entry of the schedule does, for staff (an entry not listed shows its task's name).
DESCRIPTIONS = {
    "poll-mandates-hourly": gettext_lazy(
        "Nieuwe en gewijzigde mandaten opvragen bij Fluvius; nieuw goedgekeurde meters krijgen hun historiek."
    ),
    "poll-mandates-daily-full": gettext_lazy("De status van alle mandaten volledig nakijken bij Fluvius."),
    "sync-all-daily": gettext_lazy(
        "Meetgegevens van de voorbije dagen en correcties ophalen voor elke meter met een actief mandaat."
    ),
    "detect-faults-daily": gettext_lazy("Storingen zoeken (en afsluiten) bij elke meter."),
    "flush-page-views": gettext_lazy("De bekeken pagina’s uit Redis in de databank schrijven."),
    "page-views-retention-daily": gettext_lazy(
        "IP-adressen van oudere paginabezoeken inkorten en verlopen paginabezoeken wissen."
    ),
    "poll-dpo-mailbox": gettext_lazy(
        "De mailbox van de DPO lezen: nieuwe vragen om te wissen worden verzoeken."
    ),
    "privacy-exports-cleanup": gettext_lazy(
        "Downloads van Mijn gegevens wissen waarvan de link gebruikt of verlopen is."
    ),
    "sessions-cleanup-daily": gettext_lazy(
        "Afgelopen aanmeldingen wissen, met hun regel in de lijst van aangemelde toestellen."
    ),
}
_FULL_WEEK, _FULL_MONTH, _FULL_YEAR = set(range(7)), set(range(1, 32)), set(range(1, 13))


@dataclass(frozen=True)
class PeriodicTask:
    """One entry of the beat schedule as staff read it."""

    entry: str
    task: str
    description: str
    when: str  # in words, Belgian time
    next_run: datetime | None  # aware; None when it cannot be said simply
    last_run: PeriodicTaskRun | None
    scheduled: bool = True  # False: a run was recorded but the entry is no longer in the schedule


def _schedule_tz() -> ZoneInfo:
    return ZoneInfo(getattr(settings, "CELERY_TIMEZONE", None) or "UTC")


def _daily_time(schedule: crontab) -> tuple[int, int] | None:
    """``(hour, minute)`` in the schedule's zone if ``schedule`` runs once a day, every day."""
    if (
        len(schedule.hour) == 1
        and len(schedule.minute) == 1
        and schedule.day_of_week == _FULL_WEEK
        and schedule.day_of_month == _FULL_MONTH
        and schedule.month_of_year == _FULL_YEAR
    ):
        return next(iter(schedule.hour)), next(iter(schedule.minute))
    return None


def _next_daily(hour: int, minute: int, now: datetime) -> datetime:
    zone = _schedule_tz()
    local_now = now.astimezone(zone)
    candidate = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if candidate <= local_now:
        candidate = (local_now + timedelta(days=1)).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return candidate.astimezone(UTC)


def _interval_words(seconds: float) -> str:
    seconds = int(seconds)
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return _("Elk uur") if hours == 1 else _("Elke %(n)d uur") % {"n": hours}
    if seconds % 60 == 0:
        return _("Elke %(n)d minuten") % {"n": seconds // 60}
    return _("Elke %(n)d seconden") % {"n": seconds}


def schedule_in_words(schedule, *, now: datetime, last_run: PeriodicTaskRun | None = None):
    """``(when in words, next run or None)`` for a beat schedule (seconds, timedelta or crontab)."""
    if isinstance(schedule, int | float | timedelta):
        seconds = schedule.total_seconds() if isinstance(schedule, timedelta) else float(schedule)
        next_run = last_run.started_at + timedelta(seconds=seconds) if last_run else None
        return _interval_words(seconds), next_run
    if isinstance(schedule, crontab):
        daily = _daily_time(schedule)
        if daily is not None:
            next_run = _next_daily(*daily, now)
            local = next_run.astimezone(clock.BRUSSELS)
            at_schedule_zone = next_run.astimezone(_schedule_tz())
            return (
                _("Elke dag om %(local)s Belgische tijd (%(zone_time)s %(zone)s)")
                % {
                    "local": time_format(local, "H:i"),
                    "zone_time": time_format(at_schedule_zone, "H:i"),
                    "zone": _schedule_tz().key,
                },
                next_run,
            )
        fields = (
            schedule._orig_minute,
            schedule._orig_hour,
            schedule._orig_day_of_month,
            schedule._orig_month_of_year,
            schedule._orig_day_of_week,
        )
        return _("Volgens cron: %(cron)s (%(zone)s)") % {
            "cron": " ".join(str(f) for f in fields),
            "zone": _schedule_tz().key,
        }, None
    return str(schedule), None


def periodic_tasks(*, now: datetime | None = None) -> list[PeriodicTask]:
    """Every entry of ``CELERY_BEAT_SCHEDULE`` with when it runs and its last recorded run, then
    any recorded run whose entry is no longer scheduled."""
    now = now or clock.now()
    runs = {run.entry: run for run in PeriodicTaskRun.objects.all()}
    tasks = []
    for entry, spec in settings.CELERY_BEAT_SCHEDULE.items():
        last_run = runs.pop(entry, None)
        when, next_run = schedule_in_words(spec["schedule"], now=now, last_run=last_run)
        tasks.append(
            PeriodicTask(
                entry=entry,
                task=spec["task"],
                description=str(DESCRIPTIONS.get(entry, spec["task"])),
                when=when,
                next_run=next_run,
                last_run=last_run,
            )
        )
    for entry, run in sorted(runs.items()):
        tasks.append(
            PeriodicTask(
                entry=entry,
                task=run.task,
                description=str(DESCRIPTIONS.get(entry, run.task)),
                when=_("Niet meer gepland"),
                next_run=None,
                last_run=run,
                scheduled=False,
            )
        )
    return tasks


def beat_entry_for(*, task: str, args=(), kwargs=None) -> str | None:
    """The schedule entry that sends ``task`` with these arguments (two entries may share a task,
    e.g. the hourly and the full mandate poll), or None."""
    kwargs = kwargs or {}
    for entry, spec in settings.CELERY_BEAT_SCHEDULE.items():
        if (
            spec["task"] == task
            and list(spec.get("args", ())) == list(args or ())
            and dict(spec.get("kwargs", {})) == dict(kwargs)
        ):
            return entry
    return None
