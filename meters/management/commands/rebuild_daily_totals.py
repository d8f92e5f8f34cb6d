"""Operators: recompute daily totals from the stored quarter-hours (the derived table's rebuild)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from meters.models import Meter
from meters.services.ingest import daily_totals_rebuild


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{option}: not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Rebuild DailyTotal rows from the stored quarter-hours (ReadingDay): rows that differ are "
        "rewritten, missing ones written, ones without readings removed. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ean", help="one meter (default: every meter)")
        parser.add_argument(
            "--from", dest="first", help="first local date, YYYY-MM-DD (default: the first stored)"
        )
        parser.add_argument(
            "--to", dest="last", help="last local date, inclusive, YYYY-MM-DD (default: the last)"
        )

    def handle(self, *args, ean=None, first=None, last=None, **options):
        first, last = _date(first, "--from"), _date(last, "--to")
        if first and last and last < first:
            raise CommandError(f"--to {last} is before --from {first}")
        meters = Meter.objects.order_by("pk")
        if ean:
            meters = meters.filter(ean=ean.strip())
            if not meters.exists():
                raise CommandError(f"no meter with EAN {ean}")
        for meter in meters.iterator():
            result = daily_totals_rebuild(meter=meter, first=first, last=last)
            self.stdout.write(
                f"{meter.ean}: {result.days_checked} days checked, {result.rewritten} rewritten, "
                f"{result.removed} removed"
            )
