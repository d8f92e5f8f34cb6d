"""Demo data: a homeowner with a meter, connected through the real mandate flow to the simulator."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Profile, User
from consents.models import Mandate
from consents.services.mandates import mandate_mark_not_found, mandates_poll
from ilusmart import clock
from ilusmart.fluvius.simulator.remote import SimulatorRemote
from meters.models import CapacityTariffPrice, EnergyTariff, Product
from meters.services.meters import meter_connect_start, meter_link
from meters.services.sync import backfill_start, local_midnight, meter_backfill, meter_sync_range

DEMO_EMAIL = "demo@ilusmart.be"
DEMO_PASSWORD = "zonnepanelen-demo"  # noqa: S105 (local demo only; printed for the person running it)
DEMO_EAN = "541448820050357909"
DEMO_KWP = Decimal("6.2")  # the PV installation iLumen placed, as the simulator produces it
# Example prices (incl. VAT) for a portal without any yet, so that the capacity tariff and the
# battery what-if can show a bill; staff replace them in admin. Never touches prices staff keep.
DEMO_TARIFF_LABEL = "Voorbeeldprijzen (demo)"
DEMO_ENERGY_PRICES = {
    "offtake_day_eur_per_kwh": Decimal("0.32"),
    "offtake_night_eur_per_kwh": Decimal("0.25"),
    "injection_eur_per_kwh": Decimal("0.035"),
    "fixed_eur_per_year": Decimal("110"),
}
DEMO_CAPACITY_EUR_PER_KW_YEAR = Decimal("60.44")


class Command(BaseCommand):
    help = (
        "Create a demo homeowner (active, email verified) with a meter, register the meter in the "
        "Fluvius simulator, run the real mandate flow and sync the local dates [today-N, today)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", default=DEMO_EMAIL)
        parser.add_argument("--ean", default=DEMO_EAN)
        parser.add_argument("--days", type=int, default=400)

    def handle(self, *args, email, ean, days, **options):
        if not settings.FLUVIUS_SIMULATOR_ENABLED:
            raise CommandError(
                "seed_demo needs the Fluvius simulator (FLUVIUS_SIMULATOR_ENABLED=true); never in production."
            )
        if days < 1:
            raise CommandError("--days must be at least 1")
        user = self._homeowner(email)
        meter = meter_link(user=user, ean=ean, label="Thuis")
        today = clock.local_today()
        remote = SimulatorRemote(settings.FLUVIUS_SIMULATOR_URL)
        install_date = today - timedelta(days=days + 1)
        remote.meter_register(ean=meter.ean, install_date=install_date, kwp=float(DEMO_KWP))
        Product.objects.get_or_create(
            meter=meter,
            kind=Product.Kind.PV,
            defaults={
                "kwp": DEMO_KWP,
                "panel_count": 16,
                "inverter_make": "SMA",
                "inverter_model": "Sunny Boy 5.0",
                "inverter_serial": "DEMO-" + meter.ean[-8:],
                "installed_on": install_date,
            },
        )

        self._example_prices(since=install_date)

        mandate = self._approved_mandate(user, meter.ean)
        if mandate is None:
            mandate = meter_connect_start(user=user, meter=meter, history_days=days)
            remote.decide(short_id=mandate.short_url_id, eans=[meter.ean], decision="approve")
            mandates_poll(reference_number=mandate.reference_number)
            mandate.refresh_from_db()
            if mandate.status != Mandate.Status.APPROVED:
                raise CommandError(
                    f"the simulator did not approve mandate {mandate.reference_number}: {mandate.status}"
                )
            backfill_start(mandate=mandate)
            # The back-fill covers the mandate's data period, [today - N, now).
            result = meter_backfill(meter=meter, wait_seconds=120)
        else:
            result = meter_sync_range(
                meter=meter,
                start=local_midnight(today - timedelta(days=days)),
                end=local_midnight(today),
                wait_seconds=120,
            )
        self.stdout.write(
            f"Meter {meter.ean}: mandate {mandate.reference_number} approved; synced {result.requests} request(s), "
            f"{result.ingest.inserted} new values."
        )
        self.stdout.write(self.style.SUCCESS(f"Demo homeowner: {email} / {DEMO_PASSWORD}"))

    def _homeowner(self, email: str) -> User:
        user = User.objects.filter(email__iexact=email).first() or User.objects.create_user(email=email)
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.email_verified_at = user.email_verified_at or clock.now()
        user.save()
        Profile.objects.update_or_create(
            user=user,
            defaults={
                "first_name": "Demo",
                "last_name": "Bewoner",
                "street": "Zonnestraat",
                "house_number": "1",
                "postal_code": "9000",
                "municipality": "Gent",
                "country": "BE",
                "phone": "+32470123456",
            },
        )
        return user

    def _example_prices(self, *, since):
        """Example energy and capacity prices from ``since`` on, each only if there are none yet."""
        if not EnergyTariff.objects.exists():
            EnergyTariff.objects.create(label=DEMO_TARIFF_LABEL, valid_from=since, **DEMO_ENERGY_PRICES)
        if not CapacityTariffPrice.objects.exists():
            CapacityTariffPrice.objects.create(
                label=DEMO_TARIFF_LABEL, valid_from=since, price_eur_per_kw_year=DEMO_CAPACITY_EUR_PER_KW_YEAR
            )

    def _approved_mandate(self, user, ean):
        """The demo's approved mandate, if the simulator still confirms it (its state may be gone)."""
        mandate = Mandate.objects.filter(user=user, ean=ean, status=Mandate.Status.APPROVED).first()
        if mandate is None:
            return None
        if mandates_poll(reference_number=mandate.reference_number).seen == 0:
            mandate_mark_not_found(mandate=mandate)  # e.g. the simulator's state file was removed
            return None
        mandate.refresh_from_db()
        return (
            mandate if mandate.status == Mandate.Status.APPROVED and not mandate.fetch_suspended_at else None
        )
