"""Reads of the meters app. One module per subject; the public names are re-exported here."""

from meters.selectors.readings import (  # noqa: F401
    MonthlyPeak,
    ReadingSlot,
    Totals,
    daily_totals,
    meter_for_user,
    meters_for_user,
    monthly_peaks,
    monthly_totals,
    readings_for_day,
    readings_for_range,
    w_to_kw,
    wh_to_kwh,
    yearly_totals,
)
from meters.selectors.tariff import (  # noqa: F401
    CAPACITY_FLOOR_KW,
    CapacityMonth,
    CapacitySummary,
    capacity_price_on,
    capacity_tariff_summary,
)
