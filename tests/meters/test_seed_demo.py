"""``manage.py seed_demo`` against the real simulator: the demo meter has its PV installation."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from meters.management.commands.seed_demo import DEMO_EAN
from meters.models import Meter, Product

pytestmark = pytest.mark.django_db


def test_seed_demo_records_a_pv_product_for_the_demo_meter_once(sim):
    call_command("seed_demo", "--days", "20", stdout=StringIO())
    call_command("seed_demo", "--days", "20", stdout=StringIO())

    meter = Meter.objects.get(ean=DEMO_EAN)
    [product] = Product.objects.filter(meter=meter)
    assert product.kind == Product.Kind.PV and product.kwp == Decimal("6.200")
    assert product.inverter_serial and product.installed_on is not None


def test_seed_demo_gives_a_portal_without_prices_example_prices_once(sim):
    # so that the demo homeowner's capacity tariff and battery what-if show a bill
    from meters.models import CapacityTariffPrice, EnergyTariff

    call_command("seed_demo", "--days", "20", stdout=StringIO())
    call_command("seed_demo", "--days", "20", stdout=StringIO())
    [energy] = EnergyTariff.objects.all()
    [capacity] = CapacityTariffPrice.objects.all()
    assert energy.offtake_day_eur_per_kwh == Decimal("0.32") and energy.valid_to is None
    assert capacity.price_eur_per_kw_year == Decimal("60.44") and "demo" in capacity.label


def test_seed_demo_leaves_the_prices_staff_keep_alone(sim):
    from datetime import date

    from meters.models import CapacityTariffPrice, EnergyTariff

    kept = CapacityTariffPrice.objects.create(price_eur_per_kw_year="55.00", valid_from=date(2024, 1, 1))
    call_command("seed_demo", "--days", "20", stdout=StringIO())
    assert list(CapacityTariffPrice.objects.all()) == [kept]
    assert EnergyTariff.objects.count() == 1  # there was none: the example was added
