"""Reads of the meters app. One module per subject; the public names are re-exported here."""

from meters.selectors.charts import (  # noqa: F401
    Chart,
    ChartPoint,
    chart_for,
    compare_values,
    day_chart,
    month_chart,
    year_chart,
    years_chart,
)
from meters.selectors.dashboard import (  # noqa: F401
    HomeDashboard,
    MeterDashboard,
    dashboards_for_user,
    home_dashboard,
    latest_data_day,
    mandates_not_linked,
    meter_dashboard,
)
from meters.selectors.faults import (  # noqa: F401
    FaultDisplay,
    fault_display,
    fault_displays_for_user,
    faults_for_meter,
    faults_open_for_user,
    meters_for_fault_detection,
)
from meters.selectors.periods import (  # noqa: F401
    PeriodFigures,
    local_today,
    period_figures,
)
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
from meters.selectors.visibility import (  # noqa: F401
    ALL_DAYS,
    NO_DAYS,
    VisiblePeriods,
    visible_periods,
    visible_periods_for_meters,
)
