"""API views of the meters app (thin: scope to the caller, validate, call one selector/service).

Every meter is found through ``meter_for_user_by_ean`` (404 for anyone else's EAN), and every
figure of it is read over ``visible_periods`` only: the days that are the caller's own, as on
the pages.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.client_ip import client_ip_address
from accounts.services.rate_limits import rate_limit_take
from consents.api.serializers import MandateSerializer
from consents.selectors.mandates import mandates_for_user
from ilusmart import clock, errors
from ilusmart.api.renderers import EncodedJson
from ilusmart.api.throttling import IpThrottle, TokenThrottle, WhatIfThrottle
from ilusmart.api.views import ApiListView, ApiView
from ilusmart.errors import ApplicationError
from ilusmart.fluvius.errors import FluviusError
from meters.forms import ReadingsExportForm
from meters.models import Meter
from meters.selectors import capacity_tariff_summary, faults_open_for_user, readings_for_range
from meters.selectors.battery import (
    battery_whatif,
    home_tariff_for,
    whatif_default_start,
    whatif_start_months,
)
from meters.selectors.overview import meter_overview, meter_overviews_for_user
from meters.selectors.readings import meter_for_user_by_ean, period_totals
from meters.selectors.visibility import visible_periods
from meters.services.battery import (
    DEFAULT_DEPTH,
    DEFAULT_EFFICIENCY,
    DEFAULT_RESERVE,
    SELF_CONSUMPTION,
    STRATEGIES,
    BatteryInputInvalid,
    battery_spec_build,
)
from meters.services.export import EXPORT_QUARTER_HOUR, export_range_check
from meters.services.meters import meter_connect_start

from .serializers import (
    BatteryWhatIfSerializer,
    CapacitySerializer,
    FaultSerializer,
    MeterSerializer,
    ReadingsSerializer,
    period_items_json,
    reading_items_json,
)

# The longest range one request may ask for, per resolution (days): an answer stays below
# ~1 MB. Longer ranges: ask in parts, or download the CSV on the website.
READINGS_MAX_DAYS = {"quarter_hour": 31, "day": 3 * 366, "month": 30 * 366}
EAN = OpenApiParameter("ean", str, OpenApiParameter.PATH, description="The meter's 18-digit EAN.")


def _own_meter(request, ean: str) -> Meter:
    try:
        return meter_for_user_by_ean(user=request.user, ean=ean)
    except Meter.DoesNotExist as exc:
        raise Http404 from exc


class MeterListView(ApiView):
    @extend_schema(operation_id="meters_list", tags=["meters"], responses=MeterSerializer(many=True))
    def get(self, request):
        """The caller's meters: products, mandate state, data freshness, back-fill, open faults."""
        return Response(MeterSerializer(meter_overviews_for_user(user=request.user), many=True).data)


class MeterDetailView(ApiView):
    @extend_schema(
        operation_id="meters_retrieve", tags=["meters"], parameters=[EAN], responses=MeterSerializer
    )
    def get(self, request, ean: str):
        """One of the caller's meters (as in the list)."""
        meter = _own_meter(request, ean)
        return Response(MeterSerializer(meter_overview(user=request.user, meter=meter)).data)


ReadingsQuerySerializer = type(
    "ReadingsQuerySerializer",
    (serializers.Serializer,),
    {
        "from": serializers.DateField(help_text="First local (Europe/Brussels) date, `YYYY-MM-DD`."),
        "to": serializers.DateField(help_text="Local date after the last one (exclusive), `YYYY-MM-DD`."),
        "resolution": serializers.ChoiceField(
            choices=list(READINGS_MAX_DAYS),
            help_text="At most 31 days of quarter-hours, 3 years of days, 30 years of months per request.",
        ),
    },
)


class ReadingsView(ApiView):
    @extend_schema(
        operation_id="meters_readings",
        tags=["meters"],
        parameters=[EAN, ReadingsQuerySerializer],
        responses=ReadingsSerializer,
    )
    def get(self, request, ean: str):
        """Offtake and injection per quarter-hour, day or month of local dates `[from, to)`.

        Every period of the range is an item (92 or 100 quarter-hours on a daylight-saving day);
        values come only from the caller's own days (`own_periods`), other items are null. The
        range rules are the CSV download's (dates between 2000 and 2999).
        """
        meter = _own_meter(request, ean)
        query = ReadingsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = query.validated_data["from"], query.validated_data["to"]
        resolution = query.validated_data["resolution"]
        last = end - timedelta(days=1) if end > date.min else end  # 0001-01-01: the form refuses it
        form = ReadingsExportForm(
            {"van": start, "tot": last, "resolutie": resolution}
        )  # the download's rules
        if not form.is_valid():
            # The form's names are the page's (van, tot); an error about the range is about both.
            fields = {"van": ["from"], "tot": ["to"]}
            raise exceptions.ValidationError(
                {name: list(v) for k, v in form.errors.items() for name in fields.get(k, ["from", "to"])}
            )
        try:
            export_range_check(resolution=resolution, start_date=start, end_date=end)
        except ValueError as exc:
            raise exceptions.ValidationError({"to": [str(exc)]}) from exc
        if (end - start).days > READINGS_MAX_DAYS[resolution]:
            raise exceptions.ValidationError(
                {
                    "to": [
                        _("Te lange periode: hoogstens %(days)d dagen per verzoek.")
                        % {"days": READINGS_MAX_DAYS[resolution]}
                    ]
                }
            )
        visible = visible_periods(user=request.user, meter=meter)
        if resolution == EXPORT_QUARTER_HOUR:
            slots = readings_for_range(meter=meter, start_date=start, end_date=end, visible=visible)
            items = reading_items_json(slots)
        else:
            periods = period_totals(
                meter=meter, start_date=start, end_date=end, resolution=resolution, visible=visible
            )
            items = period_items_json(periods)
        own = [{"start": a.isoformat(), "end": b.isoformat()} for a, b in visible.clip(start, end)]
        head = {
            "ean": meter.ean,
            "resolution": resolution,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "own_periods": own,
        }
        return Response(EncodedJson.with_list(head, "items", items))


class CapacityView(ApiView):
    @extend_schema(
        operation_id="meters_capacity", tags=["meters"], parameters=[EAN], responses=CapacitySerializer
    )
    def get(self, request, ean: str):
        """The capacity tariff: monthly peaks of the last 12 months, their rolling average, the floor."""
        meter = _own_meter(request, ean)
        visible = visible_periods(user=request.user, meter=meter)
        summary = capacity_tariff_summary(meter=meter, today=clock.local_today(), visible=visible)
        return Response(CapacitySerializer(summary).data)


def _decimals(places: int, **kwargs):
    return serializers.DecimalField(max_digits=12, decimal_places=places, **kwargs)


def _sizes(**kwargs):
    return serializers.ListField(child=_decimals(3), min_length=1, max_length=3, required=False, **kwargs)


# Without sizes: the page's three (5 kWh / 2.5 kW, 10 kWh / 5 kW, 15 kWh / 5 kW).
DEFAULT_SIZES = ([Decimal(5), Decimal(10), Decimal(15)], [Decimal("2.5"), Decimal(5), Decimal(5)])
# A refusal of the battery service (its code) is about this query parameter.
BATTERY_FIELDS = {
    "capacity": "capacity_kwh",
    "power": "power_kw",
    "efficiency": "efficiency",
    "depth": "depth",
    "strategy": "strategy",
    "peak": "peak_kw",
    "reserve": "reserve",
}

BatteryQuerySerializer = type(
    "BatteryQuerySerializer",
    (serializers.Serializer,),
    {
        "from": serializers.RegexField(
            r"^[0-9]{4}-[0-9]{2}$",
            required=False,
            help_text="First local month of the 12, `YYYY-MM`; default: the 12 whole months before this one.",
        ),
        "capacity_kwh": _sizes(
            help_text="Up to three batteries (repeat the parameter), each 0–200 kWh; default 5, 10 and 15."
        ),
        "power_kw": _sizes(
            help_text="Charge/discharge power of each battery, 0–100 kW; as many as capacities."
        ),
        "battery_price_eur": serializers.ListField(
            child=_decimals(2, min_value=Decimal(0), max_value=Decimal(1_000_000)),
            max_length=3,
            required=False,
            help_text="Price of each battery (for the payback), in the order of the capacities.",
        ),
        "efficiency": _decimals(3, default=DEFAULT_EFFICIENCY, help_text="Round trip, 0.5–1."),
        "depth": _decimals(3, default=DEFAULT_DEPTH, help_text="Usable share of the capacity, 0.1–1."),
        "strategy": serializers.ChoiceField(choices=list(STRATEGIES), default=SELF_CONSUMPTION),
        "peak_kw": _decimals(3, required=False, help_text="Peak shaving: the monthly offtake target, kW."),
        "reserve": _decimals(
            3,
            default=DEFAULT_RESERVE,
            min_value=Decimal(0),
            max_value=Decimal(1),
            help_text="Peak shaving: share of the usable capacity kept for peaks, 0–1.",
        ),
    },
)


def _battery_query(request, today: date) -> dict:
    """The what-if's inputs from the query string: 400 with the parameter's message when wrong."""
    query = BatteryQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    first, last = whatif_start_months(today=today)
    start = whatif_default_start(today=today)
    if "from" in data:
        try:
            start = date.fromisoformat(f"{data['from']}-01")
        except ValueError:
            raise exceptions.ValidationError({"from": [_("Geef een maand als jjjj-mm.")]}) from None
        if not first <= start <= last:
            raise exceptions.ValidationError(
                {
                    "from": [
                        _("Kies een maand tussen %(first)s en %(last)s.")
                        % {"first": first.strftime("%Y-%m"), "last": last.strftime("%Y-%m")}
                    ]
                }
            )
    capacities, powers = data.get("capacity_kwh"), data.get("power_kw")
    if capacities is None and powers is None:
        capacities, powers = DEFAULT_SIZES
    if capacities is None or powers is None or len(capacities) != len(powers):
        raise exceptions.ValidationError(
            {"power_kw": [_("Geef voor elke batterij zowel capaciteit als vermogen.")]}
        )
    prices = data.get("battery_price_eur", [])
    if len(prices) > len(capacities):
        raise exceptions.ValidationError({"battery_price_eur": [_("Meer prijzen dan batterijen.")]})
    try:
        specs = [
            battery_spec_build(
                capacity_kwh=kwh,
                power_kw=kw,
                efficiency=data["efficiency"],
                depth=data["depth"],
                strategy=data["strategy"],
                peak_kw=data.get("peak_kw"),
                reserve=data["reserve"],
            )
            for kwh, kw in zip(capacities, powers, strict=True)
        ]
    except BatteryInputInvalid as exc:
        raise exceptions.ValidationError(
            {BATTERY_FIELDS.get(exc.code, "capacity_kwh"): [exc.message]}
        ) from exc
    return {
        "start": start,
        "specs": specs,
        "battery_prices": prices + [None] * (len(specs) - len(prices)),
    }


class BatteryWhatIfView(ApiView):
    throttle_classes = [TokenThrottle, IpThrottle, WhatIfThrottle]

    @extend_schema(
        operation_id="meters_battery",
        tags=["meters"],
        parameters=[EAN, BatteryQuerySerializer],
        responses=BatteryWhatIfSerializer,
    )
    def get(self, request, ean: str):
        """What a home battery would have done with the meter's own quarter-hours over 12 months.

        The website's "Wat als ik een thuisbatterij had?" page, computed by the same service in the
        request from the stored readings: up to three batteries against the meter as measured,
        per year and per month, and the energy bill with and without (the homeowner's own contract
        figures if they saved them, else the typical prices of each day). Only the homeowner's own
        days count; other quarter-hours are missing (counted in `missing_quarter_hours`), never 0.
        Each answer simulates a year: besides the usual rates, one person may ask it 20 times a
        minute over all their devices (429 with `Retry-After` beyond).
        """
        meter = _own_meter(request, ean)
        inputs = _battery_query(request, clock.local_today())
        whatif = battery_whatif(
            meter=meter,
            visible=visible_periods(user=request.user, meter=meter),
            home=home_tariff_for(user=request.user),
            **inputs,
        )
        return Response(BatteryWhatIfSerializer({"meter": meter, "whatif": whatif}).data)


class FaultListView(ApiListView):
    """The open faults (storingen) of the caller's meters, told in plain words."""

    serializer_class = FaultSerializer
    ordering = ("-pk",)

    def get_queryset(self):
        return faults_open_for_user(user=self.request.user)

    @extend_schema(operation_id="faults_list", tags=["faults"])
    def get(self, request, *args, **kwargs):
        """The open faults of the caller's meters, newest first."""
        return super().get(request, *args, **kwargs)


class MandateRequestSerializer(serializers.Serializer):
    ean = serializers.CharField(max_length=40, help_text="The EAN of one of the caller's meters.")


class FluviusUnavailable(ApplicationError):
    kind = errors.UNAVAILABLE
    default_code = "fluvius_unavailable"


class MandateListView(ApiListView):
    """The caller's Fluvius mandates, newest first; POST starts one for a meter."""

    serializer_class = MandateSerializer
    ordering = ("-requested_at", "-pk")

    def get_queryset(self):
        return mandates_for_user(user=self.request.user)

    @extend_schema(operation_id="mandates_list", tags=["mandates"])
    def get(self, request, *args, **kwargs):
        """The caller's mandates, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="mandates_create",
        tags=["mandates"],
        request=MandateRequestSerializer,
        responses={201: MandateSerializer},
    )
    def post(self, request):
        """Start a mandate for one of the caller's meters; open the answer's `url` (Mijn Fluvius) to approve it.

        The same limit as the website's button (meter_connect: per user and per IP), 429 over it;
        503 when Fluvius cannot be reached.
        """
        body = MandateRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        meter = _own_meter(request, body.validated_data["ean"])
        rate_limit_take(action="meter_connect", user_id=request.user.pk, ip=client_ip_address(request))
        try:
            mandate = meter_connect_start(user=request.user, meter=meter)
        except FluviusError as exc:
            raise FluviusUnavailable(
                _("Fluvius is nu niet bereikbaar. Probeer het over enkele minuten opnieuw.")
            ) from exc
        return Response(MandateSerializer(mandate).data, status=status.HTTP_201_CREATED)
