"""The capacity tariff (capaciteitstarief) of a meter: monthly peaks, rolling average, yearly cost.

Rules (docs: /work/shared/domain/belgian-energy.md, Flanders since 2023):

- a month's peak is its highest quarter-hour **offtake** in kW (kWh × 4), read from the daily
  totals; injection does not count;
- a month's billed peak is at least ``CAPACITY_FLOOR_KW`` (2.5 kW);
- the yearly charge is the average of the last 12 monthly billed peaks × the price per kW per
  year that staff keep in ``CapacityTariffPrice``.

Choices made here (shown on the page too):

- the 12 months are the current local month (its peak *so far*) and the 11 before it, which is
  the window the next bill uses;
- a month without any offtake data is reported as such (``peak_kw is None``), never as 0 kW, and
  is left out of the average: the average is taken over the months that have data
  (``months_with_data`` says how many), as the grid operator does for a meter younger than a year;
- the price is the one valid on ``today`` (the billing date): a price change in the middle of the
  12 months re-prices the whole average, as the yearly charge is always billed at today's price;
- the average is rounded to 3 decimals (kW, half up) and money to cents (half up), each once, so
  the figures on the page add up by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from meters.models import CapacityTariffPrice, Meter
from meters.selectors.readings import MonthlyPeak, monthly_peaks_for_meters
from meters.selectors.visibility import VisiblePeriods

CAPACITY_FLOOR_KW = Decimal("2.5")
MONTHS_IN_WINDOW = 12
_KW = Decimal("0.001")
_CENT = Decimal("0.01")
ONE_KW = Decimal("1")


@dataclass(frozen=True, slots=True)
class CapacityMonth:
    """One local calendar month of the capacity tariff.

    ``peak_kw`` is the measured peak (``None``: no offtake data that month, not 0), ``billed_kw``
    the peak after the floor; ``day``, ``start_utc`` and ``end_utc`` name the quarter-hour that
    first reached the peak.
    """

    month: date
    peak_kw: Decimal | None
    billed_kw: Decimal | None
    day: date | None = None
    start_utc: datetime | None = None
    end_utc: datetime | None = None

    @property
    def has_data(self) -> bool:
        return self.peak_kw is not None

    @property
    def below_floor(self) -> bool:
        return self.peak_kw is not None and self.peak_kw < CAPACITY_FLOOR_KW


@dataclass(frozen=True, slots=True)
class CapacitySummary:
    """A meter's capacity-tariff figures on ``today``, in Decimal kW and EUR.

    ``months`` holds the 12-month window oldest first; ``current`` is its last element (this month
    so far). ``average_kw``, ``yearly_cost_eur`` and ``saving_per_kw_eur`` are ``None`` when no
    month has data; the money figures are also ``None`` when no price is valid on ``today``.
    ``saving_per_kw_eur`` is what the yearly charge would drop if every month's peak were 1 kW
    lower (less than the price when the floor stops some months from dropping).
    """

    meter_id: int
    today: date
    floor_kw: Decimal
    months: list[CapacityMonth]
    months_with_data: int
    average_kw: Decimal | None
    price: CapacityTariffPrice | None
    yearly_cost_eur: Decimal | None
    saving_per_kw_eur: Decimal | None

    @property
    def current(self) -> CapacityMonth:
        return self.months[-1]

    @property
    def window_start(self) -> date:
        return self.months[0].month


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _billed(peak_kw: Decimal) -> Decimal:
    return max(peak_kw, CAPACITY_FLOOR_KW)


def _average(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(_KW, rounding=ROUND_HALF_UP)


def _yearly_cost(average_kw: Decimal | None, price: CapacityTariffPrice | None) -> Decimal | None:
    if average_kw is None or price is None:
        return None
    return (average_kw * price.price_eur_per_kw_year).quantize(_CENT, rounding=ROUND_HALF_UP)


# Raw SQL: every dashboard asks this; compiling the ORM's query cost several times running it.
_PRICE_SQL = """
SELECT * FROM meters_capacitytariffprice
WHERE valid_from <= %s AND (valid_to IS NULL OR valid_to >= %s)
ORDER BY valid_from DESC, id
LIMIT 1
"""


def capacity_price_on(*, day: date) -> CapacityTariffPrice | None:
    """The capacity-tariff price valid on the local date ``day`` (periods never overlap)."""
    return next(iter(CapacityTariffPrice.objects.raw(_PRICE_SQL, [day, day])), None)


def _window(today: date) -> tuple[date, date]:
    """The 12 months of the capacity tariff on ``today``: the first one and the month after the last."""
    this_month = today.replace(day=1)
    return _add_months(this_month, -(MONTHS_IN_WINDOW - 1)), _add_months(this_month, 1)


def _summary(
    meter: Meter, today: date, peaks_found: list[MonthlyPeak], price: CapacityTariffPrice | None
) -> CapacitySummary:
    first, _end = _window(today)
    peaks = {p.month: p for p in peaks_found}
    months = []
    for i in range(MONTHS_IN_WINDOW):
        month = _add_months(first, i)
        peak = peaks.get(month)
        if peak is None:
            months.append(CapacityMonth(month=month, peak_kw=None, billed_kw=None))
        else:
            months.append(
                CapacityMonth(
                    month=month,
                    peak_kw=peak.peak_offtake_kw,
                    billed_kw=_billed(peak.peak_offtake_kw),
                    day=peak.day,
                    start_utc=peak.start_utc,
                    end_utc=peak.end_utc,
                )
            )
    with_data = [m for m in months if m.has_data]
    average_kw = _average([m.billed_kw for m in with_data])
    cost = _yearly_cost(average_kw, price)
    saving = None
    if cost is not None:
        lower = _average([_billed(m.peak_kw - ONE_KW) for m in with_data])
        saving = cost - _yearly_cost(lower, price)
    return CapacitySummary(
        meter_id=meter.pk,
        today=today,
        floor_kw=CAPACITY_FLOOR_KW,
        months=months,
        months_with_data=len(with_data),
        average_kw=average_kw,
        price=price,
        yearly_cost_eur=cost,
        saving_per_kw_eur=saving,
    )


def capacity_months(today: date) -> list[date]:
    """The 12 months (their 1st) of the capacity tariff on ``today``, oldest first."""
    first, _end = _window(today)
    return [_add_months(first, i) for i in range(MONTHS_IN_WINDOW)]


def capacity_tariff_summaries(
    *, meters, today: date, peaks: dict[int, list[MonthlyPeak]] | None = None
) -> dict[int, CapacitySummary]:
    """``capacity_tariff_summary`` of each of ``meters`` (pairs of a meter and its
    ``VisiblePeriods``) by meter id, in two queries whatever their number; in one (the price) when
    the caller already read the ``peaks`` of ``capacity_months(today)`` by meter id."""
    if peaks is None:
        first, end = _window(today)
        peaks = monthly_peaks_for_meters(meters=meters, start_month=first, end_month=end)
    price = capacity_price_on(day=today)
    return {meter.pk: _summary(meter, today, peaks[meter.pk], price) for meter, _visible in meters}


def capacity_tariff_summary(*, meter: Meter, today: date, visible: VisiblePeriods) -> CapacitySummary:
    """The capacity tariff of ``meter`` on the local date ``today``: the 12-month window of peaks
    (this month so far last), their rolling average, and the yearly charge at today's price.

    The caller scopes ``meter`` to the homeowner (``meter_for_user``) and passes the days they
    may see (``visible_periods``): peaks of other days are left out, as if not measured.
    """
    return capacity_tariff_summaries(meters=[(meter, visible)], today=today)[meter.pk]
