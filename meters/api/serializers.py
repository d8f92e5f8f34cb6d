"""Serializers of the meters API (issue 11): shapes only; every figure comes from a selector.

Readings are many (a month of quarter-hours is ~3,000 items), so they are turned into JSON by
the plain functions at the end (``reading_item``, ``period_item``); the serializer classes
above them describe the same shapes for the schema.
"""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from consents.api.serializers import MandateSerializer, MandateStateSerializer
from ilusmart.fluvius.types import ValidationState
from meters.models import Fault, Product
from meters.quarterhours import QUARTER, day_start_utc
from meters.selectors.faults import fault_display

_UTC = "%Y-%m-%dT%H:%M:%SZ"
STATES = [state.value for state in ValidationState]
KWH = {"max_digits": 12, "decimal_places": 3, "coerce_to_string": True, "allow_null": True}


def utc_text(moment) -> str | None:
    return None if moment is None else moment.strftime(_UTC)


def kwh_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.3f}"


class UtcDateTimeField(serializers.DateTimeField):
    """An instant in UTC as ``YYYY-MM-DDTHH:MM:SSZ``."""

    def to_representation(self, value):
        return utc_text(value)


class ProductSerializer(serializers.ModelSerializer):
    kwp = serializers.DecimalField(max_digits=7, decimal_places=3, allow_null=True)

    class Meta:
        model = Product
        fields = ["kind", "kwp", "panel_count", "inverter_make", "inverter_model", "installed_on"]


class FaultSerializer(serializers.ModelSerializer):
    """An open fault (storing), told in plain words for the homeowner (``fault_display``)."""

    ean = serializers.CharField(source="meter.ean")
    title = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()
    next_step = serializers.SerializerMethodField()

    class Meta:
        model = Fault
        fields = ["id", "ean", "type", "status", "severity", "started", "title", "explanation", "next_step"]

    def get_title(self, fault) -> str:
        return fault_display(fault=fault).title

    def get_explanation(self, fault) -> str:
        return fault_display(fault=fault).explanation

    def get_next_step(self, fault) -> str:
        return fault_display(fault=fault).next_step


class BackfillSerializer(serializers.Serializer):
    """The history fetch after a mandate: ``[start, end)`` in UTC and how much of it is done."""

    start = UtcDateTimeField()
    end = UtcDateTimeField()
    complete = serializers.BooleanField()
    percent = serializers.IntegerField(min_value=0, max_value=100)


class MeterSerializer(serializers.Serializer):
    """A meter as the meter list shows it (``meters.selectors.overview.MeterOverview``)."""

    ean = serializers.CharField(source="meter.ean")
    label = serializers.CharField(source="meter.label")
    meter_number = serializers.CharField(source="meter.meter_id")
    products = ProductSerializer(many=True)
    mandate_state = MandateStateSerializer(source="display")
    mandate = MandateSerializer(allow_null=True)
    data_until = UtcDateTimeField(
        allow_null=True, help_text="End of the last stored quarter-hour of the homeowner's own days."
    )
    last_sync_at = UtcDateTimeField(source="sync.last_success_at", allow_null=True, default=None)
    backfill = BackfillSerializer(allow_null=True)
    open_faults = FaultSerializer(source="faults", many=True)


class CapacityMonthSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The local month, as its first day.")
    peak_kw = serializers.DecimalField(
        **KWH, help_text="Highest quarter-hour offtake in kW; null without data."
    )
    billed_kw = serializers.DecimalField(**KWH, help_text="The peak after the floor (2.5 kW).")
    day = serializers.DateField(allow_null=True)
    start = UtcDateTimeField(source="start_utc", allow_null=True)
    end = UtcDateTimeField(source="end_utc", allow_null=True)


class CapacitySerializer(serializers.Serializer):
    """The capacity tariff on ``today`` (``meters.selectors.tariff.capacity_tariff_summary``)."""

    today = serializers.DateField()
    floor_kw = serializers.DecimalField(max_digits=12, decimal_places=3)
    months = CapacityMonthSerializer(
        many=True, help_text="The 12-month window, oldest first; the last is this month."
    )
    months_with_data = serializers.IntegerField()
    average_kw = serializers.DecimalField(
        **KWH, help_text="Rolling average of the billed peaks; null without data."
    )
    price_eur_per_kw_year = serializers.DecimalField(
        source="price.price_eur_per_kw_year", max_digits=10, decimal_places=2, allow_null=True, default=None
    )
    yearly_cost_eur = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    saving_per_kw_eur = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class ReadingItemSerializer(serializers.Serializer):
    """One quarter-hour, day or month. Missing energy is null, never 0."""

    start = serializers.CharField(help_text="UTC, `YYYY-MM-DDTHH:MM:SSZ`.")
    end = serializers.CharField(help_text="UTC, exclusive.")
    offtake_kwh = serializers.DecimalField(**KWH)
    injection_kwh = serializers.DecimalField(**KWH)
    offtake_state = serializers.ChoiceField(
        choices=STATES, allow_null=True, help_text="Quarter-hours only: Fluvius' validation state."
    )
    injection_state = serializers.ChoiceField(choices=STATES, allow_null=True)
    quarter_hours_expected = serializers.IntegerField(help_text="1 for a quarter-hour; 92/96/100 per day.")
    offtake_quarter_hours = serializers.IntegerField(help_text="Of those, how many have an offtake value.")
    injection_quarter_hours = serializers.IntegerField()
    estimated_values = serializers.IntegerField(help_text="Values Fluvius estimated (state EST).")
    source = serializers.ChoiceField(choices=["fluvius", "import", "both"], allow_null=True)
    offtake_day_kwh = serializers.DecimalField(
        **KWH, required=False, help_text="Days and months only (day register); absent for quarter-hours."
    )
    offtake_night_kwh = serializers.DecimalField(**KWH, required=False)
    injection_day_kwh = serializers.DecimalField(**KWH, required=False)
    injection_night_kwh = serializers.DecimalField(**KWH, required=False)
    peak_offtake_kw = serializers.DecimalField(
        **KWH,
        required=False,
        help_text="Days and months only: highest quarter-hour, kW; absent for quarter-hours.",
    )


class VisiblePeriodSerializer(serializers.Serializer):
    start = serializers.DateField(source="0", help_text="First local day.")
    end = serializers.DateField(source="1", help_text="Local day after the last (exclusive).")


class ReadingsSerializer(serializers.Serializer):
    ean = serializers.CharField()
    resolution = serializers.ChoiceField(choices=["quarter_hour", "day", "month"])
    start = serializers.DateField(help_text="`from`, a local date.")
    end = serializers.DateField(help_text="`to`, a local date (exclusive).")
    own_periods = VisiblePeriodSerializer(
        many=True,
        help_text="The local days of the range that are the homeowner's own (their mandates and imports); "
        "every other item has null values.",
    )
    items = ReadingItemSerializer(many=True)


# The items are written as JSON text directly (``ilusmart.api.renderers.EncodedJson``): a month
# of quarter-hours is ~3,000 items, and a dict per item plus ``json.dumps`` cost as much as
# reading them. The text is what DRF's renderer made of the same dicts (compact, same key order):
# every string in an item is ASCII without quotes or backslashes (UTC instants, decimal kWh,
# the names below), so it needs no escaping. The serializers above describe the same shapes.
_NAME = {None: "null"} | {name: f'"{name}"' for name in [*STATES, "fluvius", "import", "both"]}


# The 96 UTC times of day a quarter-hour starts or ends at, as the tail of ``_utc``'s text.
_QUARTER_TIMES = [f"T{h:02d}:{m:02d}:00Z" for h in range(24) for m in (0, 15, 30, 45)]


def _utc(moment) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` of a UTC instant on a quarter-hour, as every start and end of a
    quarter-hour, day or month is (Brussels is a whole number of hours from UTC). A third of
    ``isoformat``'s time, which asks the time zone for the offset, and of strftime's."""
    return moment.date().isoformat() + _QUARTER_TIMES[moment.hour * 4 + moment.minute // 15]


def reading_items_json(slots) -> str:
    """Quarter-hours (``meters.selectors.readings.ReadingSlot``) as the JSON array of items, in order.

    Built for speed (a month is ~3,000 items): each slot's end is the next one's start, so each
    instant is written once, and a slot that follows the previous one ends 15 minutes after it:
    its end's text is the previous end's UTC date with the next of the day's 96 quarter-hour
    times (``isoformat`` of each instant was half the time; ``_utc`` of each, a third more than
    this). Values are exact 3-decimal Decimals already, so ``str`` suffices.
    """
    name, times = _NAME, _QUARTER_TIMES
    items, previous_end, previous_text, day, quarter = [], None, None, "", 0
    for slot in slots:
        off, inj = slot.offtake_kwh, slot.injection_kwh
        off_state, inj_state = slot.offtake_state, slot.injection_state
        off_text = "null" if off is None else f'"{off}"'
        inj_text = "null" if inj is None else f'"{inj}"'
        if slot.start_utc == previous_end:
            start, quarter = previous_text, quarter + 1
            if quarter == 96:
                day, quarter = slot.end_utc.date().isoformat(), 0
        else:
            start, end = _utc(slot.start_utc), slot.end_utc
            day, quarter = end.date().isoformat(), end.hour * 4 + end.minute // 15
        previous_end, previous_text = slot.end_utc, day + times[quarter]
        items.append(
            f'{{"start":"{start}","end":"{previous_text}",'
            f'"offtake_kwh":{off_text},"injection_kwh":{inj_text},'
            f'"offtake_state":{name[off_state]},"injection_state":{name[inj_state]},'
            f'"quarter_hours_expected":1,"offtake_quarter_hours":{int(off is not None)},'
            f'"injection_quarter_hours":{int(inj is not None)},'
            f'"estimated_values":{(off_state == "EST") + (inj_state == "EST")},'
            f'"source":{name[slot.source]}}}'
        )
    return "[" + ",".join(items) + "]"


def _kwh(wh: int | None) -> str | None:
    """Integer Wh as kWh text with exactly 3 decimals, by integer arithmetic (exact, and fast)."""
    if wh is None:
        return None
    sign, wh = ("-", -wh) if wh < 0 else ("", wh)
    return f"{sign}{wh // 1000}.{wh % 1000:03d}"


def _kwh_json(wh: int | None) -> str:
    """``_kwh`` as JSON text: a quoted string, or null; by divmod (a third faster than the f-string)."""
    if wh is None:
        return "null"
    if wh >= 0:
        return '"%d.%03d"' % divmod(wh, 1000)  # noqa: UP031 (faster than an f-string here)
    return '"-%d.%03d"' % divmod(-wh, 1000)  # noqa: UP031


def period_items_json(periods) -> str:
    """Days or months (``meters.selectors.readings.PeriodTotals``) as the JSON array of items, in order.

    A period's ``slots_expected`` counts every quarter-hour of it (92, 96 or 100 a day), so its
    end is that many quarter-hours after its start: one time-zone conversion per answer, not one
    per item (a sixth of the time of a year by day).
    """
    items, previous_end, previous_text, end_utc = [], None, None, None
    for period in periods:
        if period.start == previous_end:
            start, start_utc = previous_text, end_utc
        else:
            start_utc = day_start_utc(period.start)
            start = _utc(start_utc)
        end_utc = start_utc + period.slots_expected * QUARTER
        previous_end, previous_text = period.end, _utc(end_utc)
        items.append(
            f'{{"start":"{start}","end":"{previous_text}",'
            f'"offtake_kwh":{_kwh_json(period.offtake_wh)},"injection_kwh":{_kwh_json(period.injection_wh)},'
            f'"offtake_state":null,"injection_state":null,'
            f'"quarter_hours_expected":{period.slots_expected},'
            f'"offtake_quarter_hours":{period.offtake_slots_present},'
            f'"injection_quarter_hours":{period.injection_slots_present},'
            f'"estimated_values":{period.estimated_values},"source":{_NAME[period.source]},'
            f'"offtake_day_kwh":{_kwh_json(period.offtake_day_wh)},'
            f'"offtake_night_kwh":{_kwh_json(period.offtake_night_wh)},'
            f'"injection_day_kwh":{_kwh_json(period.injection_day_wh)},'
            f'"injection_night_kwh":{_kwh_json(period.injection_night_wh)},'
            f'"peak_offtake_kw":{_kwh_json(period.peak_offtake_w)}}}'
        )
    return "[" + ",".join(items) + "]"


# --- The battery what-if (issue 12): ``meters.selectors.battery.WhatIf`` --------------------------


class WhField(serializers.DecimalField):
    """Integer Wh (or W) shown as kWh (kW) text with 3 decimals; the schema says a decimal string."""

    def __init__(self, **kwargs):
        super().__init__(**{**KWH, **kwargs})

    def to_representation(self, value):
        return _kwh(value)


class BatterySerializer(serializers.Serializer):
    """One battery of the comparison and how it is run (``meters.services.battery.BatterySpec``)."""

    capacity_kwh = WhField(source="spec.capacity_wh", allow_null=False)
    power_kw = WhField(source="spec.power_w", allow_null=False)
    efficiency = serializers.DecimalField(
        source="spec.efficiency", max_digits=4, decimal_places=3, help_text="Round trip, 0.5–1."
    )
    depth = serializers.DecimalField(
        source="spec.depth", max_digits=4, decimal_places=3, help_text="Usable share of the capacity."
    )
    strategy = serializers.ChoiceField(source="spec.strategy", choices=["self_consumption", "peak_shaving"])
    peak_kw = WhField(source="spec.peak_w", help_text="Peak shaving only: the offtake target.")
    reserve = serializers.DecimalField(
        source="spec.reserve",
        max_digits=4,
        decimal_places=3,
        allow_null=True,
        help_text="Peak shaving only: share of the usable capacity kept for peaks.",
    )
    price_eur = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)

    def to_representation(self, option):
        data = super().to_representation(option)
        if option.spec.strategy != "peak_shaving":
            data["reserve"] = None
        return data


class BatteryFiguresSerializer(serializers.Serializer):
    """Energy over the quarter-hours with data (``missing_quarter_hours`` had none): null, never 0,
    when none of them has data."""

    quarter_hours = serializers.IntegerField(source="slots")
    missing_quarter_hours = serializers.IntegerField(source="missing")
    offtake_kwh = WhField(source="offtake_wh")
    offtake_night_kwh = WhField(source="offtake_night_wh", help_text="Of the offtake, on the night register.")
    injection_kwh = WhField(source="injection_wh")
    charge_kwh = WhField(source="charge_wh", help_text="Surplus stored in the battery (0 without).")
    discharge_kwh = WhField(
        source="discharge_wh", help_text="What the battery gave the home: self-consumption through it."
    )
    peak_offtake_kw = WhField(source="peak_offtake_w", help_text="Highest quarter-hour offtake.")

    ENERGY = ("offtake_kwh", "offtake_night_kwh", "injection_kwh", "charge_kwh", "discharge_kwh")

    def to_representation(self, figures):
        data = super().to_representation(figures)
        if not figures.present:
            data.update(dict.fromkeys(self.ENERGY))
        return data


class BatteryMonthSerializer(BatteryFiguresSerializer):
    month = serializers.DateField(help_text="The local month, as its first day.")
    peak_day = serializers.DateField(allow_null=True, help_text="The local day of the month's peak.")


MONEY = {"max_digits": 12, "decimal_places": 2, "allow_null": True}


class BillSerializer(serializers.Serializer):
    """The energy bill over the quarter-hours with data, EUR incl. VAT."""

    offtake_eur = serializers.DecimalField(**MONEY)
    injection_eur = serializers.DecimalField(**MONEY, help_text="Compensation received (subtracted).")
    capacity_eur = serializers.DecimalField(
        **MONEY,
        help_text="Each month's billed peak (at least 2.5 kW) × its price / 12; null without a price.",
    )
    fixed_eur = serializers.DecimalField(**MONEY)
    total_eur = serializers.DecimalField(**MONEY)
    average_peak_kw = serializers.DecimalField(**KWH, help_text="Average billed monthly peak.")


class BatteryOptionSerializer(serializers.Serializer):
    """The meter as measured (``battery`` null) or with one battery, over the 12 months."""

    battery = serializers.SerializerMethodField()
    total = BatteryFiguresSerializer()
    bill = BillSerializer(allow_null=True, help_text="Null when a day with data has no energy price.")
    saving_eur = serializers.DecimalField(**MONEY, help_text="Yearly: the bill without minus with.")
    payback_years = serializers.DecimalField(
        max_digits=14,
        decimal_places=1,
        allow_null=True,
        help_text="Battery price / yearly saving; null without a price or a positive saving.",
    )
    months = BatteryMonthSerializer(many=True)

    @extend_schema_field(BatterySerializer(allow_null=True))
    def get_battery(self, option):
        return None if option.spec is None else BatterySerializer(option).data


class BatteryPricesSerializer(serializers.Serializer):
    source = serializers.ChoiceField(
        choices=["home", "tariffs"],
        help_text="`home`: the homeowner's own contract figures; `tariffs`: the typical prices of each day.",
    )
    capacity_eur_per_kw_year = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        allow_null=True,
        help_text="The homeowner's own; null: the grid operator's price of each month.",
    )
    unpriced_days = serializers.IntegerField(help_text="Days with data but no energy price.")


class BatteryWhatIfSerializer(serializers.Serializer):
    """What a home battery would have done with the meter's own quarter-hours
    (``meters.selectors.battery.battery_whatif``)."""

    ean = serializers.CharField(source="meter.ean")
    start = serializers.DateField(source="whatif.start", help_text="First local day of the 12 months.")
    end = serializers.DateField(source="whatif.end", help_text="Local day after the last (exclusive).")
    prices = BatteryPricesSerializer(source="whatif.prices")
    without_battery = BatteryOptionSerializer(source="whatif.baseline")
    batteries = BatteryOptionSerializer(source="whatif.options", many=True)
