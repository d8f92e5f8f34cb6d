"""Serializers of the meters API (issue 11): shapes only; every figure comes from a selector.

Readings are many (a month of quarter-hours is ~3,000 items), so they are turned into JSON by
the plain functions at the end (``reading_item``, ``period_item``); the serializer classes
above them describe the same shapes for the schema.
"""

from decimal import Decimal

from rest_framework import serializers

from consents.api.serializers import MandateSerializer, MandateStateSerializer
from ilusmart.fluvius.types import ValidationState
from meters.models import Fault, Product
from meters.quarterhours import day_start_utc
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


def _utc(moment) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` of a UTC instant (isoformat: a third of strftime's time)."""
    return moment.isoformat()[:19] + "Z"


def reading_items(slots) -> list[dict]:
    """Quarter-hours (``meters.selectors.readings.ReadingSlot``) as items, in order.

    Built for speed (a month is ~3,000 items): each slot's end is the next one's start, so each
    instant is written once; values are exact 3-decimal Decimals already, so ``str`` suffices.
    """
    items, previous_end, previous_text = [], None, None
    for slot in slots:
        off, inj = slot.offtake_kwh, slot.injection_kwh
        start = previous_text if slot.start_utc == previous_end else _utc(slot.start_utc)
        previous_end, previous_text = slot.end_utc, _utc(slot.end_utc)
        items.append(
            {
                "start": start,
                "end": previous_text,
                "offtake_kwh": None if off is None else str(off),
                "injection_kwh": None if inj is None else str(inj),
                "offtake_state": slot.offtake_state,
                "injection_state": slot.injection_state,
                "quarter_hours_expected": 1,
                "offtake_quarter_hours": int(off is not None),
                "injection_quarter_hours": int(inj is not None),
                "estimated_values": (slot.offtake_state == "EST") + (slot.injection_state == "EST"),
                "source": slot.source,
            }
        )
    return items


def _kwh(wh: int | None) -> str | None:
    """Integer Wh as kWh text with exactly 3 decimals, by integer arithmetic (exact, and fast)."""
    if wh is None:
        return None
    sign, wh = ("-", -wh) if wh < 0 else ("", wh)
    return f"{sign}{wh // 1000}.{wh % 1000:03d}"


def period_items(periods) -> list[dict]:
    """Days or months (``meters.selectors.readings.PeriodTotals``) as items, in order."""
    items, previous_end, previous_text = [], None, None
    for period in periods:
        start = previous_text if period.start == previous_end else _utc(day_start_utc(period.start))
        previous_end, previous_text = period.end, _utc(day_start_utc(period.end))
        items.append(
            {
                "start": start,
                "end": previous_text,
                "offtake_kwh": _kwh(period.offtake_wh),
                "injection_kwh": _kwh(period.injection_wh),
                "offtake_state": None,
                "injection_state": None,
                "quarter_hours_expected": period.slots_expected,
                "offtake_quarter_hours": period.offtake_slots_present,
                "injection_quarter_hours": period.injection_slots_present,
                "estimated_values": period.estimated_values,
                "source": period.source,
                "offtake_day_kwh": _kwh(period.offtake_day_wh),
                "offtake_night_kwh": _kwh(period.offtake_night_wh),
                "injection_day_kwh": _kwh(period.injection_day_wh),
                "injection_night_kwh": _kwh(period.injection_night_wh),
                "peak_offtake_kw": _kwh(period.peak_offtake_w),
            }
        )
    return items
