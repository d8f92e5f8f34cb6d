"""Reads for the battery what-if (issue 12): a meter's quarter-hours as integer-Wh days.

The simulation itself is ``meters.services.battery`` (pure, no database); the comparison the page
and the API show is built here from it (``battery_whatif``, further below).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection

from ilusmart.gcpause import gc_paused
from meters.models import CapacityTariffPrice, EnergyTariff, HomeTariff, Meter
from meters.quarterhours import BRUSSELS, NIGHT_CODES, QUALITY_RANK, QUARTER, day_start_utc, slots_in_day
from meters.selectors.periods import FIRST_DATA_DAY
from meters.selectors.readings import wh_to_kwh
from meters.selectors.visibility import ALL_DAYS, VisiblePeriods
from meters.services.battery import (
    BatterySpec,
    Bill,
    DayResult,
    Figures,
    MonthResult,
    Prices,
    QuarterHourDay,
    baseline_days,
    battery_bill,
    battery_months,
    battery_simulate,
    figures_add,
    payback_years,
)

_ONE_DAY = timedelta(days=1)


def battery_quarter_hours(
    *, meter: Meter, start_date: date, end_date: date, visible: VisiblePeriods = ALL_DAYS
) -> list[QuarterHourDay]:
    """Every local day in ``[start_date, end_date)`` with its quarter-hours in Wh, in order.

    Days without a stored row, and days the reader may not see (``visible``), come back with
    every quarter-hour missing (``None``), never 0. A quarter-hour counts on the night register
    when its offtake was registered on the night register (without offtake it costs nothing).
    """
    # SQL, not the ORM: building the query cost more than running it (docs/decisions/0006);
    # tests/meters/test_selectors.py compares it with the ORM's rows
    condition, parameters = visible.sql("day")
    with connection.cursor() as cursor:
        cursor.execute(
            # what the bill needs; ``condition`` is VisiblePeriods.sql's: fixed text, bound values
            "SELECT day, offtake_wh, injection_wh, offtake_quality FROM meters_readingday"  # noqa: S608
            f" WHERE meter_id = %s AND day >= %s AND day < %s AND {condition}",
            [meter.pk, start_date, end_date, *parameters],
        )
        rows = {day: (off, inj, off_q) for day, off, inj, off_q in cursor.fetchall()}
    days = []
    day = start_date
    while day < end_date:
        row = rows.get(day)
        if row is None:
            n = slots_in_day(day)
            empty = (None,) * n
            days.append(QuarterHourDay(day, empty, empty, bytes(n)))
        else:
            off, inj, off_q = row
            # only a quarter-hour with offtake can be on a register that matters for the bill
            days.append(QuarterHourDay(day, off, inj, _night_flags(off_q)))
        day += _ONE_DAY
    return days


# Each stored quality code as one character: 1 on the night register, 0 otherwise (or missing).
_NIGHT = str.maketrans({code: "\x01" if code in NIGHT_CODES else "\x00" for code in QUALITY_RANK})


def _night_flags(quality: str) -> bytes:
    """Per quarter-hour 1 if its offtake is on the night register, else 0 (C-speed translate)."""
    flags = quality.translate(_NIGHT)
    if flags.count("\x00") + flags.count("\x01") == len(flags):
        return flags.encode("ascii")
    return bytes(map(NIGHT_CODES.__contains__, quality))  # a code we do not know: counted as day


TRACE_HEADER = (
    "start_utc",
    "offtake_kwh",
    "injection_kwh",
    "new_offtake_kwh",
    "new_injection_kwh",
    "charge_kwh",
    "discharge_kwh",
    "soc_kwh",
)


def _kwh(wh: int | None) -> str:
    return "" if wh is None else str(wh_to_kwh(wh))


def battery_trace_csv_write(*, meter: Meter, start_date: date, end_date: date, spec: BatterySpec, out) -> int:
    """Write ``spec``'s run over the local days ``[start_date, end_date)`` as CSV, one row per
    quarter-hour (``TRACE_HEADER``; UTC starts, kWh with 3 decimals, empty where a reading is
    missing; ``soc_kwh`` at the end of the quarter-hour). Every stored day counts (operators).
    Returns the number of quarter-hours written.
    """
    days = battery_quarter_hours(meter=meter, start_date=start_date, end_date=end_date)
    simulation = battery_simulate(spec=spec, days=days, record=True)
    trace = simulation.trace
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TRACE_HEADER)
    k = 0
    for qd in days:
        start = day_start_utc(qd.day)
        for i in range(len(qd.offtake_wh)):
            soc = trace.soc[k]
            writer.writerow(
                (
                    (start + i * QUARTER).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    _kwh(qd.offtake_wh[i]),
                    _kwh(qd.injection_wh[i]),
                    _kwh(trace.new_offtake_wh[k]),
                    _kwh(trace.new_injection_wh[k]),
                    _kwh(trace.charge_wh[k]),
                    _kwh(trace.discharge_wh[k]),
                    "" if soc is None else str(simulation.soc_kwh(soc)),
                )
            )
            k += 1
    return k


# --- The comparison the page and the API show ---------------------------------------------------

MONTHS = 12
SUMMER_MONTHS = (6, 7, 8)
WINTER_MONTHS = (12, 1, 2)
PRICES_ENTERED = "entered"  # on the page (in the URL)
PRICES_HOME = "home"  # the homeowner's stored contract figures
PRICES_TARIFFS = "tariffs"  # the typical prices staff keep, per validity period


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def whatif_default_start(*, today: date) -> date:
    """The first of the 12 whole local months before ``today``'s month."""
    return add_months(today.replace(day=1), -MONTHS)


def whatif_start_months(*, today: date) -> tuple[date, date]:
    """The first and the last month (each a 1st) a what-if may start in: from the first month
    the portal keeps data for up to last month."""
    return FIRST_DATA_DAY.replace(day=1), add_months(today.replace(day=1), -1)


# The three price reads below are SQL through ``Manager.raw`` (the same model instances): building
# the ORM queries cost more than running them (docs/decisions/0006); 0.7 → 0.3 ms per page.
# tests/meters/test_selectors.py compares them with the ORM's.


def home_tariff_for(*, user) -> HomeTariff | None:
    """The contract figures ``user`` stored for the what-if, if any (one per user)."""
    if user is None or not user.is_authenticated:
        return None
    return next(
        iter(HomeTariff.objects.raw("SELECT * FROM meters_hometariff WHERE user_id = %s", [user.pk])), None
    )


@dataclass(frozen=True, slots=True)
class TariffPeriods:
    """The prices staff keep, each list oldest first: energy tariffs (``EnergyTariff``) and
    capacity-tariff prices (``CapacityTariffPrice``); their periods never overlap."""

    energy: list
    capacity: list

    def energy_on(self, day: date) -> EnergyTariff | None:
        return _on(self.energy, day)

    def capacity_on(self, day: date) -> CapacityTariffPrice | None:
        return _on(self.capacity, day)

    def within(self, start_date: date, end_date: date) -> TariffPeriods:
        """Only the periods that touch the local days ``[start_date, end_date)``."""

        def touch(period):
            return period.valid_from < end_date and (period.valid_to is None or period.valid_to >= start_date)

        return TariffPeriods([p for p in self.energy if touch(p)], [p for p in self.capacity if touch(p)])


def tariff_periods() -> TariffPeriods:
    """Every period of the prices staff keep (a handful of rows: one read each, shared by the
    page's placeholders and its comparison)."""
    return TariffPeriods(
        list(EnergyTariff.objects.raw("SELECT * FROM meters_energytariff ORDER BY valid_from")),
        list(CapacityTariffPrice.objects.raw("SELECT * FROM meters_capacitytariffprice ORDER BY valid_from")),
    )


def _on(periods: list, day: date):
    for period in periods:
        if period.valid_from <= day and (period.valid_to is None or day <= period.valid_to):
            return period
    return None


def _prices(row) -> Prices:
    return Prices(
        row.offtake_day_eur_per_kwh,
        row.offtake_night_eur_per_kwh,
        row.injection_eur_per_kwh,
        row.fixed_eur_per_year,
    )


@dataclass(frozen=True, slots=True)
class PricesUsed:
    """Which prices a comparison used: ``source`` (entered, home, tariffs), one set (``prices``)
    for entered or home prices, the staff tariffs' periods otherwise; the capacity price per kW
    per year (entered/home, else the grid operator's per month); days with data but no price."""

    source: str
    prices: Prices | None
    tariffs: list
    capacity_eur_per_kw_year: Decimal | None
    capacity_prices: list
    unpriced_days: int = 0


@dataclass(slots=True)
class Option:
    """One battery (or none: ``spec is None``) over the 12 months."""

    spec: BatterySpec | None
    price_eur: Decimal | None
    days: list[DayResult]
    months: list[MonthResult]
    total: Figures
    bill: Bill | None
    saving_eur: Decimal | None = None
    payback_years: Decimal | None = None

    @property
    def self_consumption_wh(self) -> int:
        """What the battery gave the home (stored surplus that was used instead of offtake)."""
        return self.total.discharge_wh


@dataclass(frozen=True, slots=True)
class TypicalDay:
    """A typical day of a season: the complete day with the median net offtake, per quarter-hour
    without battery and each option's state of charge and new offtake/injection (all in Wh; the
    state of charge rounded half up to the Wh, as ``Simulation.soc_kwh``)."""

    season: str
    day: date
    labels: list[str]
    offtake_wh: list[int]
    injection_wh: list[int]
    soc_wh: list[list[int]]
    new_offtake_wh: list[list[int]]
    new_injection_wh: list[list[int]]


@dataclass(slots=True)
class WhatIf:
    """The what-if of ``options`` against ``baseline`` (no battery) over ``[start, end)``."""

    start: date
    end: date
    baseline: Option
    options: list[Option]
    prices: PricesUsed
    typical_days: list[TypicalDay]

    @property
    def slots(self) -> int:
        return self.baseline.total.slots

    @property
    def missing(self) -> int:
        return self.baseline.total.missing


def _total(months: list[MonthResult]) -> Figures:
    total = Figures()
    for m in months:
        figures_add(total, m)
    return total


def _typical_day(
    days: list[QuarterHourDay], baseline: list[DayResult], months: tuple[int, ...]
) -> int | None:
    """Index of the complete 96-quarter-hour day of ``months`` with the median net offtake."""
    candidates = [
        (b.offtake_wh - b.injection_wh, b.day, k)
        for k, b in enumerate(baseline)
        if b.day.month in months and b.slots == 96 and not b.missing
    ]
    if not candidates:
        return None
    candidates.sort()
    return candidates[(len(candidates) - 1) // 2][2]


_WHOLE_DAY_LABELS = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 15, 30, 45)]


def _labels(day: date, n: int) -> list[str]:
    """The local start of each quarter-hour (``HH:MM``); a day without a clock change (96
    quarter-hours from local midnight) always has the same ones."""
    if n == len(_WHOLE_DAY_LABELS):
        return list(_WHOLE_DAY_LABELS)
    start = day_start_utc(day)
    return [(start + i * QUARTER).astimezone(BRUSSELS).strftime("%H:%M") for i in range(n)]


@gc_paused()  # a year of quarter-hours as lists: the cyclic collector's walks would only cost time
def battery_whatif(
    *,
    meter: Meter,
    start: date,
    specs: list[BatterySpec],
    battery_prices: list[Decimal | None],
    visible: VisiblePeriods,
    home: HomeTariff | None = None,
    entered: Prices | None = None,
    entered_capacity: Decimal | None = None,
    periods: TariffPeriods | None = None,
) -> WhatIf:
    """Up to three batteries over the 12 local months from ``start`` (a 1st), on the homeowner's
    own quarter-hours (``visible``; other days count as missing), priced by the ``entered`` prices,
    else their stored contract figures (``home``), else the staff's tariffs of each day
    (``periods``, read here unless the caller has them). Every figure is computed in the request
    from the stored readings (nothing is kept).
    """
    end = add_months(start, MONTHS)
    days = battery_quarter_hours(meter=meter, start_date=start, end_date=end, visible=visible)
    periods = (periods or tariff_periods()).within(start, end)
    tariffs, capacity_prices = periods.energy, periods.capacity
    if entered is not None:
        source, fixed_prices = PRICES_ENTERED, entered
    elif home is not None:
        source, fixed_prices = PRICES_HOME, _prices(home)
    else:
        source, fixed_prices = PRICES_TARIFFS, None
    capacity = (
        entered_capacity
        if entered_capacity is not None
        else (home.capacity_eur_per_kw_year if home else None)
    )
    if fixed_prices is not None:
        prices_on = lambda day: fixed_prices  # noqa: E731
        fixed = fixed_prices.fixed_eur_per_year
    else:
        by_tariff = {tariff.pk: _prices(tariff) for tariff in tariffs}  # one object per period
        by_day = {}  # each day is priced once per option

        def prices_on(day):
            prices = by_day.get(day, by_day)
            if prices is by_day:
                tariff = _on(tariffs, day)
                prices = by_day[day] = None if tariff is None else by_tariff[tariff.pk]
            return prices

        last = _on(tariffs, end - timedelta(days=1)) or (tariffs[-1] if tariffs else None)
        fixed = last.fixed_eur_per_year if last else Decimal(0)
    if capacity is not None:
        capacity_on = lambda month: capacity  # noqa: E731
    else:

        def capacity_on(month):
            price = _on(capacity_prices, month)
            return None if price is None else price.price_eur_per_kw_year

    def option(spec, price, results):
        months = battery_months(results)
        bill = battery_bill(
            days=results, months=months, prices_on=prices_on, capacity_price_on=capacity_on, fixed_eur=fixed
        )
        return Option(spec, price, results, months, _total(months), bill)

    base = baseline_days(days)
    baseline = option(None, None, base)
    options = []
    for spec, price in zip(specs, battery_prices, strict=True):
        o = option(spec, price, battery_simulate(spec=spec, days=days, baseline=base).days)
        if (
            o.bill is not None
            and baseline.bill is not None
            and baseline.bill.total_eur is not None
            and o.bill.total_eur is not None
        ):
            o.saving_eur = baseline.bill.total_eur - o.bill.total_eur
            o.payback_years = payback_years(price_eur=price, saving_eur=o.saving_eur)
        options.append(o)
    for b in base:  # the runs served the simulations: let them go before the page is rendered
        b.runs = b.masked = None
    unpriced = sum(1 for b in base if b.present and prices_on(b.day) is None)
    used = PricesUsed(source, fixed_prices, tariffs, capacity, capacity_prices, unpriced)
    typical = []
    for season, months in (("summer", SUMMER_MONTHS), ("winter", WINTER_MONTHS)):
        k = _typical_day(days, base, months)
        if k is None:
            continue
        qd = days[k]
        runs = [
            battery_simulate(
                spec=o.spec, days=[qd], record=True, start_soc=o.days[k - 1].soc_end if k else None
            )
            for o in options
        ]
        typical.append(
            TypicalDay(
                season=season,
                day=qd.day,
                labels=_labels(qd.day, len(qd.offtake_wh)),
                offtake_wh=list(qd.offtake_wh),
                injection_wh=list(qd.injection_wh),
                soc_wh=[list(map(run.soc_wh, run.trace.soc)) for run in runs],
                new_offtake_wh=[run.trace.new_offtake_wh for run in runs],
                new_injection_wh=[run.trace.new_injection_wh for run in runs],
            )
        )
    return WhatIf(start, end, baseline, options, used, typical)
