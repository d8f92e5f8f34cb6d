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
