"""The battery what-if page of one meter: "Wat als ik een thuisbatterij had?" (issue 12).

Thin: the assumptions come from the URL (a GET form, so a result is a link), the selector
``meters.selectors.battery.battery_whatif`` computes everything from the stored quarter-hours in
the request, and this module shapes it into tables and the chart JSON ``static/js/battery.js``
draws. The homeowner's own contract prices are kept by a POST (``battery_tariff``).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import rate_limited
from ilusmart import clock
from ilusmart.errors import http_status
from ilusmart.gcpause import gc_paused
from meters.forms import BatteryWhatIfForm, HomeTariffForm
from meters.selectors.battery import (
    MONTHS,
    battery_whatif,
    home_tariff_for,
    tariff_periods,
    whatif_default_start,
    whatif_start_months,
)
from meters.selectors.readings import wh_to_kwh
from meters.selectors.visibility import visible_periods
from meters.services.battery import (
    PEAK_SHAVING,
    SELF_CONSUMPTION,
    BatteryInputInvalid,
    Prices,
    battery_spec_build,
)
from meters.services.tariffs import HomeTariffRefused, home_tariff_delete, home_tariff_save
from meters.views.common import own_meter

STRATEGY = {"zelfverbruik": SELF_CONSUMPTION, "piekbeperking": PEAK_SHAVING}
_PERCENT = Decimal(100)


def _form(request, today: date, home, periods) -> BatteryWhatIfForm:
    first, last = whatif_start_months(today=today)
    # The defaults, overlaid by the URL: a field the URL names stays as given (an empty battery
    # included: it is left out), one it does not name takes its default, so a shortened link
    # (``?strategie=piekbeperking&doelpiek=3``) still compares. The form always sends every field.
    data = QueryDict(mutable=True)
    data.update(BatteryWhatIfForm.DEFAULTS)
    data["vanaf"] = whatif_default_start(today=today).strftime("%Y-%m")
    for key in request.GET:
        data.setlist(key, request.GET.getlist(key))
    form = BatteryWhatIfForm(data, first_month=first, last_month=last)
    # what an empty price field stands for, shown in it: the saved contract figures, else today's
    # typical tariff
    shown = home or periods.energy_on(today)
    capacity = home.capacity_eur_per_kw_year if home else None
    if capacity is None:
        price = periods.capacity_on(today)
        capacity = price.price_eur_per_kw_year if price else None
    for name, attribute in (
        ("prijs_dag", "offtake_day_eur_per_kwh"),
        ("prijs_nacht", "offtake_night_eur_per_kwh"),
        ("prijs_injectie", "injection_eur_per_kwh"),
        ("vast", "fixed_eur_per_year"),
    ):
        if shown is not None:
            form.fields[name].widget.attrs["placeholder"] = number_format(
                getattr(shown, attribute).normalize()
            )
    if capacity is not None:
        form.fields["capaciteit"].widget.attrs["placeholder"] = number_format(capacity.normalize())
    return form


def whatif_inputs(cleaned: dict):
    """The selector's inputs from a valid form: specs, battery prices, entered prices, capacity."""
    specs, prices = [], []
    for kwh, kw, price in cleaned["sizes"]:
        specs.append(
            battery_spec_build(
                capacity_kwh=kwh,
                power_kw=kw,
                efficiency=(cleaned.get("rendement") or Decimal(90)) / _PERCENT,
                depth=(cleaned.get("diepte") or Decimal(90)) / _PERCENT,
                strategy=STRATEGY[cleaned.get("strategie") or "zelfverbruik"],
                peak_kw=cleaned.get("doelpiek"),
                reserve=(cleaned["reserve"] if cleaned.get("reserve") is not None else Decimal(50))
                / _PERCENT,
            )
        )
        prices.append(price)
    entered = None
    if cleaned.get("prijs_dag") is not None:
        entered = Prices(
            cleaned["prijs_dag"], cleaned["prijs_nacht"], cleaned["prijs_injectie"], cleaned["vast"]
        )
    return specs, prices, entered, cleaned.get("capaciteit")


def _kwh(wh):
    return wh_to_kwh(wh)


def _kw(wh_per_quarter):
    return None if wh_per_quarter is None else wh_to_kwh(wh_per_quarter * 4)


def _payback(option):
    if option.price_eur is None:
        return _("geen prijs")
    if option.saving_eur is not None and option.saving_eur <= 0:
        return _("nooit")
    return option.payback_years


def _year_rows(whatif) -> list[dict]:
    columns = [whatif.baseline, *whatif.options]
    bills = [c.bill for c in columns]
    na = _("n.v.t.")  # a battery's figure in the column without battery

    def money(get):
        return [None if b is None else get(b) for b in bills]

    return [
        {
            "label": _("Afname van het net"),
            "unit": "kWh",
            "values": [_kwh(c.total.offtake_wh) for c in columns],
            "kind": "kwh",
        },
        {
            "label": _("Injectie in het net"),
            "unit": "kWh",
            "values": [_kwh(c.total.injection_wh) for c in columns],
            "kind": "kwh",
        },
        {
            "label": _("Zelfverbruik via de batterij"),
            "unit": "kWh",
            "values": [na, *[_kwh(c.self_consumption_wh) for c in whatif.options]],
            "kind": "kwh",
        },
        {
            "label": _("Hoogste kwartierpiek"),
            "unit": "kW",
            "values": [_kw(c.total.peak_offtake_wh) for c in columns],
            "kind": "kw",
        },
        {
            "label": _("Gemiddelde aangerekende maandpiek"),
            "unit": "kW",
            "values": money(lambda b: b.average_peak_kw),
            "kind": "kw",
        },
        {
            "label": _("Capaciteitstarief"),
            "unit": "€",
            "values": money(lambda b: b.capacity_eur),
            "kind": "eur",
        },
        {"label": _("Afname"), "unit": "€", "values": money(lambda b: b.offtake_eur), "kind": "eur"},
        {
            "label": _("Injectievergoeding (min)"),
            "unit": "€",
            "values": money(lambda b: -b.injection_eur),
            "kind": "eur",
        },
        {"label": _("Vaste kosten"), "unit": "€", "values": money(lambda b: b.fixed_eur), "kind": "eur"},
        {
            "label": _("Energiefactuur"),
            "unit": "€",
            "values": money(lambda b: b.total_eur),
            "kind": "eur",
            "total": True,
        },
        {
            "label": _("Besparing per jaar"),
            "unit": "€",
            "values": [na, *[o.saving_eur for o in whatif.options]],
            "kind": "eur",
            "total": True,
        },
        {
            "label": _("Prijs van de batterij"),
            "unit": "€",
            "values": [
                na,
                *[o.price_eur if o.price_eur is not None else _("geen prijs") for o in whatif.options],
            ],
            "kind": "eur",
        },
        {
            "label": _("Terugverdientijd"),
            "unit": _("jaar"),
            "values": [na, *[_payback(o) for o in whatif.options]],
            "kind": "years",
        },
    ]


def _month_tables(whatif) -> list[dict]:
    columns = [whatif.baseline, *whatif.options]
    labels = [date_format(m.month, "M Y") for m in whatif.baseline.months]  # once for the 4 tables

    def table(title, unit, get, kind, with_baseline=True):
        shown = columns if with_baseline else whatif.options
        rows = [
            {"label": label, "values": [get(c.months[i]) for c in shown]} for i, label in enumerate(labels)
        ]
        return {"title": title, "unit": unit, "rows": rows, "kind": kind, "with_baseline": with_baseline}

    def peak(m):
        return None if m.peak_offtake_wh is None else _kw(m.peak_offtake_wh)

    return [
        table(_("Afname per maand"), "kWh", lambda m: _kwh(m.offtake_wh) if m.present else None, "kwh"),
        table(_("Injectie per maand"), "kWh", lambda m: _kwh(m.injection_wh) if m.present else None, "kwh"),
        table(
            _("Zelfverbruik via de batterij per maand"),
            "kWh",
            lambda m: _kwh(m.discharge_wh) if m.present else None,
            "kwh",
            False,
        ),
        table(_("Maandpiek (capaciteitstarief)"), "kW", peak, "kw"),
    ]


def _columns(whatif) -> tuple[list[str], list[tuple[str, str | None]]]:
    """The comparison's column names ("Zonder batterij", "5 kWh / 2,5 kW", …) and the month
    tables' headers on two lines, capacity over power ("5 kWh", "2,5 kW"), so that a narrow column
    breaks between them, not inside them (the column without battery: its name, second line None).
    Each size is formatted once for both."""
    names = [_("Zonder batterij")]
    heads = [(names[0], None)]
    for o in whatif.options:
        kwh, kw = _number(o.spec.capacity_wh), _number(o.spec.power_w)
        names.append(_("%(kwh)s kWh / %(kw)s kW") % {"kwh": kwh, "kw": kw})
        heads.append((f"{kwh} kWh", f"{kw} kW"))
    return names, heads


def _number(milli: int) -> str:
    """Wh or W as kWh or kW without trailing zeros, in the active language (``2,5``)."""
    return number_format(wh_to_kwh(milli).normalize(), use_l10n=True)


def _chart_data(whatif, names) -> list[dict]:
    charts = []
    titles = {"summer": _("Een typische zomerdag"), "winter": _("Een typische winterdag")}
    for typical in whatif.typical_days:
        # Wh / 1000 as a float is the float of the exact kWh (correctly rounded), and so is the
        # state of charge (whole Wh, as its 3-decimal kWh): the chart draws these, and the table formats them
        # to 3 decimals, which gives back exactly the kWh (no Decimal per figure)
        offtake = [v / 1000 for v in typical.offtake_wh]
        injection = [v / 1000 for v in typical.injection_wh]
        soc = [[v / 1000 for v in run] for run in typical.soc_wh]
        charges = list(zip(*soc, strict=True)) if soc else [()] * len(typical.labels)  # per quarter-hour
        charts.append(
            {
                "id": f"battery-chart-{typical.season}",
                "script_id": f"battery-chart-{typical.season}-data",
                "rows": list(zip(typical.labels, offtake, injection, charges, strict=True)),
                "title": titles[typical.season],
                "day": typical.day,
                "data": {
                    "labels": typical.labels,
                    "offtake": offtake,
                    "injection": injection,
                    "soc": soc,
                    "newOfftake": [[v / 1000 for v in run] for run in typical.new_offtake_wh],
                    "names": names[1:],
                    "text": {
                        "offtake": _("Afname zonder batterij"),
                        "injection": _("Injectie zonder batterij"),
                        "soc": _("Lading %(name)s"),
                        "newOfftake": _("Afname met %(name)s"),
                        "energy": _("kWh per kwartier"),
                        "charge": _("lading (kWh)"),
                    },
                },
            }
        )
    return charts


@login_required
@require_GET
@rate_limited("battery_whatif", methods=("GET",))  # a year simulated per view
@gc_paused()  # the year's lists live until the page is rendered: see ilusmart/gcpause.py
def battery_whatif_page(request, meter_id):
    meter = own_meter(request, meter_id)
    today = clock.local_today()
    home = home_tariff_for(user=request.user)
    periods = tariff_periods()  # the placeholders' prices of today and the comparison's, one read
    form = _form(request, today, home, periods)
    context = {"meter": meter, "form": form, "home": home, "months": MONTHS}
    if not form.is_valid():
        return render(request, "meters/battery.html", context, status=400)
    try:
        specs, battery_prices, entered, capacity = whatif_inputs(form.cleaned_data)
    except BatteryInputInvalid as error:
        form.add_error(None, error.message)
        return render(request, "meters/battery.html", context, status=http_status(error))
    whatif = battery_whatif(
        meter=meter,
        start=form.cleaned_data["vanaf"],
        specs=specs,
        battery_prices=battery_prices,
        visible=visible_periods(user=request.user, meter=meter),
        home=home,
        entered=entered,
        entered_capacity=capacity,
        periods=periods,
    )
    names, heads = _columns(whatif)
    context.update(
        # Only what the template shows, not the selector's result: a template's context is held in
        # a reference cycle (Django's ContextDict and its Context) until the collector's next pass,
        # and the year's day-by-day results should go by reference counting when the view returns.
        result={
            "start": whatif.start,
            "present": whatif.baseline.total.present,
            "slots": whatif.slots,
            "missing": whatif.missing,
            "unpriced_days": whatif.prices.unpriced_days,
            "prices_source": whatif.prices.source,
        },
        last_day=whatif.end - timedelta(days=1),
        names=names,
        heads=heads,
        year_rows=_year_rows(whatif),
        month_tables=_month_tables(whatif),
        charts=_chart_data(whatif, names),
        query=request.GET.urlencode(),
    )
    return render(request, "meters/battery.html", context)


@login_required
@require_POST
def battery_tariff(request, meter_id):
    """Keep (or, with ``wissen``, forget) the homeowner's own contract prices, then back to the page."""
    meter = own_meter(request, meter_id)
    back = reverse("meters:battery", args=[meter.pk])
    query = QueryDict(request.POST.get("terug", ""))  # only ever a query string on this page
    if query:
        back = f"{back}?{query.urlencode()}"
    if "wissen" in request.POST:
        home_tariff_delete(user=request.user)
        return redirect(back)
    form = HomeTariffForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "meters/battery_tariff_error.html",
            {"meter": meter, "form": form, "back": back},
            status=400,
        )
    c = form.cleaned_data
    try:
        home_tariff_save(
            user=request.user,
            prices=Prices(c["prijs_dag"], c["prijs_nacht"], c["prijs_injectie"], c["vast"]),
            capacity_eur_per_kw_year=c.get("capaciteit"),
        )
    except HomeTariffRefused as error:
        form.add_error(None, error.message)
        return render(
            request,
            "meters/battery_tariff_error.html",
            {"meter": meter, "form": form, "back": back},
            status=http_status(error),
        )
    return redirect(back)
