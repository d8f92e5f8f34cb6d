"""``manage.py export_readings --ean EAN --from YYYY-MM-DD --to YYYY-MM-DD``: truth-format CSV."""

from django.core.management.base import BaseCommand

from meters.management.arguments import add_meter_period_arguments, csv_stdout, meter_period
from meters.services.export import readings_csv_write


class Command(BaseCommand):
    help = (
        "Write a meter's quarter-hour readings of local dates [--from, --to) as CSV to stdout, "
        "in the Fluvius simulator's truth format."
    )

    def add_arguments(self, parser):
        add_meter_period_arguments(parser)

    def handle(self, *args, ean, start, end, **options):
        meter, start_date, end_date = meter_period(ean, start, end)
        readings_csv_write(meter=meter, start_date=start_date, end_date=end_date, out=csv_stdout(self))
