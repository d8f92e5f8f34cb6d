"""factory_boy factories shared by the tests."""

import factory

from accounts.models import Profile, User
from ilusmart import clock

DEFAULT_PASSWORD = "zonnepaneel-2026!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"bewoner{n}@example.be")
    email_verified_at = factory.LazyFunction(clock.now)
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    first_name = "An"
    last_name = factory.Sequence(lambda n: f"Peeters{n}")
    street = "Kerkstraat"
    house_number = "12"
    box = ""
    postal_code = "9000"
    municipality = "Gent"
    country = "BE"
    phone = "+32470123456"


def _meter_ean(n: int) -> str:
    from ilusmart.fluvius.ean import ean_check_digit

    first_17 = f"5414488{n:010d}"
    return first_17 + str(ean_check_digit(first_17))


class MeterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meters.Meter"

    ean = factory.Sequence(_meter_ean)
    owner = factory.SubFactory(UserFactory)
    label = "Thuis"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meters.Product"

    meter = factory.SubFactory(MeterFactory)
    kind = "pv"
    kwp = "6.200"
    panel_count = 16


def _whole_seconds_from_now(*, days: int):
    from datetime import timedelta

    return clock.now().replace(microsecond=0) + timedelta(days=days)


class MandateFactory(factory.django.DjangoModelFactory):
    """A mandate as our database holds it (Approved by default); Fluvius need not know it."""

    class Meta:
        model = "consents.Mandate"

    user = factory.SubFactory(UserFactory)
    requested_by = factory.SelfAttribute("user")
    reference_number = factory.Sequence(lambda n: f"ILUFACTORY{n:010d}")
    ean = factory.Sequence(_meter_ean)
    status = "Approved"
    data_period_from = factory.LazyFunction(lambda: _whole_seconds_from_now(days=-30))
    data_period_to = factory.LazyFunction(lambda: _whole_seconds_from_now(days=1000))
    approved_at = factory.LazyFunction(clock.now)


def covering_mandate(meter, *, user=None, since=None):
    """An approved mandate of ``meter``'s owner (or ``user``) whose data period covers every day a
    test writes: from local midnight of ``since`` (default 1 January 2010, the first day the portal
    knows of) to well after today. What a homeowner sees is limited to such periods
    (meters.selectors.visibility)."""
    from datetime import date, datetime, time, timedelta

    from ilusmart.clock import BRUSSELS

    start = datetime.combine(since or date(2010, 1, 1), time(0), BRUSSELS)
    return MandateFactory(
        user=user or meter.owner,
        ean=meter.ean,
        data_period_from=start,
        data_period_to=clock.now().replace(microsecond=0) + timedelta(days=3 * 365),
        approved_at=start,
    )
