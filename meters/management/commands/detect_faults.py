"""Operators: run fault detection now (the service the daily beat and every sync run)."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from ilusmart import clock
from meters.models import Meter
from meters.selectors.faults import meters_for_fault_detection
from meters.services.faults import faults_detect


class Command(BaseCommand):
    help = (
        "Detect faults (storingen) now: over the last weeks and today, or from --since on (e.g. "
        "after a back-fill). Idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ean", help="one meter (default: every meter)")
        parser.add_argument(
            "--since", help="first local date to look at, YYYY-MM-DD (default: the last weeks)"
        )

    def handle(self, *args, ean=None, since=None, **options):
        days = None
        if since:
            try:
                first = date.fromisoformat(since)
            except ValueError as exc:
                raise CommandError(f"not a date (YYYY-MM-DD): {since!r}") from exc
            today = clock.local_today()
            days = [first + timedelta(days=n) for n in range(max(0, (today - first).days) + 1)]
        if ean:
            meters = list(Meter.objects.filter(ean=ean.strip()))
            if not meters:
                raise CommandError(f"no meter with EAN {ean}")
        else:
            meters = meters_for_fault_detection()
        for meter in meters:
            result = faults_detect(meter=meter, days=days)
            if result.changed:
                self.stdout.write(
                    f"{meter.ean}: {len(result.opened)} opened, {len(result.closed)} closed, "
                    f"{len(result.updated)} updated"
                )
