"""``manage.py export_readings --ean EAN --from YYYY-MM-DD --to YYYY-MM-DD``: truth-format CSV."""

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from meters.models import Meter
from meters.services.export import readings_csv_write


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise CommandError(f"{option} must be a date as YYYY-MM-DD, got {text!r}") from None


class Command(BaseCommand):
    help = (
        "Write a meter's quarter-hour readings of local dates [--from, --to) as CSV to stdout, "
        "in the Fluvius simulator's truth format."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ean", required=True)
        parser.add_argument("--from", dest="start", required=True, help="first local date, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="local date after the last, YYYY-MM-DD")

    def handle(self, *args, ean, start, end, **options):
        start_date, end_date = _date(start, "--from"), _date(end, "--to")
        if start_date >= end_date:
            raise CommandError("--from must be before --to (--to is exclusive)")
        meter = Meter.objects.filter(ean=ean.strip()).first()
        if meter is None:
            raise CommandError(f"no meter with EAN {ean}")
        # Write to the raw byte stream when there is one: exact UTF-8 and "\n", whatever the
        # platform's text-mode newline handling; tests pass their own text stream.
        out = self.stdout._out
        if out is sys.stdout:
            sys.stdout.reconfigure(encoding="utf-8", newline="\n")
        readings_csv_write(meter=meter, start_date=start_date, end_date=end_date, out=out)
