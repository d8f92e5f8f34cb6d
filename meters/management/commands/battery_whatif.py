"""``manage.py battery_whatif --ean EAN --from YYYY-MM-DD --to YYYY-MM-DD --capacity-kwh 10
--power-kw 5 [--efficiency 0.9] [--depth 0.9] [--strategy self_consumption|peak_shaving --peak-kw 4]``:
what a home battery would have done, one CSV row per quarter-hour (issue 12)."""

from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from meters.management.arguments import add_meter_period_arguments, csv_stdout, meter_period
from meters.selectors.battery import battery_trace_csv_write
from meters.services.battery import (
    DEFAULT_DEPTH,
    DEFAULT_EFFICIENCY,
    DEFAULT_RESERVE,
    SELF_CONSUMPTION,
    STRATEGIES,
    BatteryInputInvalid,
    battery_spec_build,
)


def _decimal(text: str | None, option: str) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise CommandError(f"{option} must be a number, got {text!r}") from None
    if not value.is_finite():
        raise CommandError(f"{option} must be a number, got {text!r}")
    return value


class Command(BaseCommand):
    help = (
        "Simulate a home battery over a meter's stored quarter-hours of local dates [--from, --to) "
        "and write one CSV row per quarter-hour to stdout."
    )

    def add_arguments(self, parser):
        add_meter_period_arguments(parser)
        parser.add_argument("--capacity-kwh", required=True)
        parser.add_argument("--power-kw", required=True, help="charge and discharge power")
        parser.add_argument("--efficiency", default=str(DEFAULT_EFFICIENCY), help="round trip, 0.5–1")
        parser.add_argument("--depth", default=str(DEFAULT_DEPTH), help="usable share of the capacity")
        parser.add_argument("--strategy", default=SELF_CONSUMPTION, choices=STRATEGIES)
        parser.add_argument("--peak-kw", help="peak shaving: the monthly offtake peak to stay under")
        parser.add_argument(
            "--reserve", default=str(DEFAULT_RESERVE), help="peak shaving: usable share kept for peaks"
        )

    def handle(self, *args, ean, start, end, **options):
        try:
            spec = battery_spec_build(
                capacity_kwh=_decimal(options["capacity_kwh"], "--capacity-kwh"),
                power_kw=_decimal(options["power_kw"], "--power-kw"),
                efficiency=_decimal(options["efficiency"], "--efficiency"),
                depth=_decimal(options["depth"], "--depth"),
                strategy=options["strategy"],
                peak_kw=_decimal(options["peak_kw"], "--peak-kw"),
                reserve=_decimal(options["reserve"], "--reserve"),
            )
        except BatteryInputInvalid as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        meter, start_date, end_date = meter_period(ean, start, end)
        battery_trace_csv_write(
            meter=meter, start_date=start_date, end_date=end_date, spec=spec, out=csv_stdout(self)
        )
