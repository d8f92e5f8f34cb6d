import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from meters.models import Meter
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_meter_ean_is_validated_and_normalised():
    meter = Meter(ean="5414 4882 0050 3579 09")
    meter.full_clean()
    assert meter.ean == "541448820050357909"


def test_meter_with_a_wrong_check_digit_is_refused():
    with pytest.raises(ValidationError) as info:
        Meter(ean="541448820050357908").full_clean()
    assert "ean" in info.value.message_dict


@override_settings(FLUVIUS_ALLOW_TEST_EANS=False)
def test_sandbox_ean_refused_unless_allowed():
    with pytest.raises(ValidationError):
        Meter(ean="541448900000000011").full_clean()
    with override_settings(FLUVIUS_ALLOW_TEST_EANS=True):
        Meter(ean="541448900000000011").full_clean()


def test_meter_may_exist_without_owner_and_products_hang_on_it():
    product = ProductFactory(meter__owner=None)
    assert product.meter.owner is None
    assert str(product).startswith("Zonnepanelen")
