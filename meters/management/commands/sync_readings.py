"""Operators: run the sync service synchronously, for one meter or all, over a range or daily."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from consents.services.mandates import NoActiveMandate
from ilusmart.fluvius.errors import FluviusError
from meters.models import Meter
from meters.services.sync import local_midnight, meter_sync_daily, meter_sync_range, meters_due_for_daily_sync


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Fetch readings from Fluvius now. Without --from/--to: the daily pull (trailing 7 days + "
        "insertTime catch-up). With --from/--to: that range of local (Europe/Brussels) dates, --to exclusive."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ean", help="one meter (default: every meter with an active mandate)")
        parser.add_argument("--from", dest="start", help="first local date, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", help="local date after the last, YYYY-MM-DD (exclusive)")

    def handle(self, *args, ean=None, start=None, end=None, **options):
        if (start is None) != (end is None):
            raise CommandError("give both --from and --to, or neither")
        if start is not None:
            start_date, end_date = _date(start), _date(end)
            if start_date >= end_date:
                raise CommandError("--from must be before --to (--to is exclusive)")
        if ean:
            meters = list(Meter.objects.select_related("owner").filter(ean=ean.strip()))
            if not meters:
                raise CommandError(f"no meter with EAN {ean}")
        else:
            meters = meters_due_for_daily_sync()
        failures = 0
        for meter in meters:
            try:
                if start is None:
                    result = meter_sync_daily(meter=meter)
                else:
                    result = meter_sync_range(
                        meter=meter, start=local_midnight(start_date), end=local_midnight(end_date)
                    )
            except NoActiveMandate:
                failures += 1
                self.stderr.write(f"{meter.ean}: refused, no active mandate")
                continue
            except FluviusError as exc:
                failures += 1
                self.stderr.write(f"{meter.ean}: {type(exc).__name__}: {exc}")
                continue
            i = result.ingest
            self.stdout.write(
                f"{meter.ean}: {result.requests} request(s); inserted {i.inserted}, updated {i.updated}, "
                f"unchanged {i.unchanged}, missing {i.skipped_missing}, lower quality kept {i.skipped_lower_quality}"
            )
        if failures:
            raise CommandError(f"{failures} meter(s) failed")
