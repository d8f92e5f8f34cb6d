"""The homeowner's own contract prices for the battery what-if (``HomeTariff``): save and forget."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ilusmart import clock
from ilusmart.errors import ApplicationError
from meters.models import HomeTariff
from meters.services.battery import Prices


class HomeTariffRefused(ApplicationError):
    default_code = "home_tariff_invalid"


@transaction.atomic
def home_tariff_save(*, user, prices: Prices, capacity_eur_per_kw_year: Decimal | None = None) -> HomeTariff:
    """Keep ``prices`` (and optionally a capacity price) as ``user``'s own contract figures,
    replacing earlier ones; the what-if uses them for every day from then on."""
    tariff = HomeTariff.objects.select_for_update().filter(user=user).first() or HomeTariff(user=user)
    tariff.offtake_day_eur_per_kwh = prices.offtake_day_eur_per_kwh
    tariff.offtake_night_eur_per_kwh = prices.offtake_night_eur_per_kwh
    tariff.injection_eur_per_kwh = prices.injection_eur_per_kwh
    tariff.fixed_eur_per_year = prices.fixed_eur_per_year
    tariff.capacity_eur_per_kw_year = capacity_eur_per_kw_year
    tariff.updated_at = clock.now()
    try:
        tariff.full_clean(exclude=["user"])
    except ValidationError as error:
        raise HomeTariffRefused(
            _("Deze prijzen kunnen we niet bewaren: %(error)s") % {"error": "; ".join(error.messages)}
        ) from error
    tariff.save()
    return tariff


def home_tariff_delete(*, user) -> int:
    """Forget ``user``'s own contract figures (the typical tariffs apply again); rows deleted."""
    deleted, _rows = HomeTariff.objects.filter(user=user).delete()
    return deleted
