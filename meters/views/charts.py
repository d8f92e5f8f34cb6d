"""Chart pages of a meter: a day by quarter-hour, a month by day, a year by month, all years.

Thin: validate the period, call the chart selectors, and shape their points into a data table
and the JSON that ``static/js/charts.js`` draws (labels in Brussels time; gaps as ``null``).
"""

import functools
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ilusmart.fluvius.types import Register
from meters.quarterhours import SOURCE_BOTH, SOURCE_FLUVIUS, SOURCE_IMPORT
from meters.selectors import chart_for, compare_values, local_today, period_figures
from meters.selectors.charts import (
    COMPARE_LAST_YEAR,
    COMPARE_PREVIOUS,
    DAY,
    FIRST_YEAR,
    MONTH,
    YEAR,
    YEARS,
    compare_start,
    period_bounds,
    period_step,
)
from meters.selectors.periods import FIRST_DATA_DAY, last_data_day
from meters.selectors.visibility import visible_periods
from meters.views.common import own_meter

# ?vergelijk=… in the URL (Dutch, like the paths) → the selectors' compare modes.
COMPARE_PARAMS = {"vorige": COMPARE_PREVIOUS, "vorigjaar": COMPARE_LAST_YEAR}
URL_NAMES = {DAY: "meters:day", MONTH: "meters:month", YEAR: "meters:year", YEARS: "meters:years"}


def chart_url(meter_id: int, kind: str, start: date, compare: str = "") -> str:
    """The page of the ``kind`` period at ``start``, keeping the ``vergelijk`` choice."""
    if kind == DAY:
        url = reverse("meters:day", args=[meter_id, start])
    elif kind == MONTH:
        url = reverse("meters:month", args=[meter_id, start])
    elif kind == YEAR:
        url = reverse("meters:year", args=[meter_id, start.year])
    else:
        url = reverse("meters:years", args=[meter_id])
    return f"{url}?{urlencode({'vergelijk': compare})}" if compare else url


def _in_range(kind: str, start: date, today: date) -> bool:
    """True when the ``kind`` period at ``start`` begins within ``FIRST_DATA_DAY`` … tomorrow.

    ``FIRST_DATA_DAY`` is a 1 January, so a period that begins before it also ends before it.
    Worked out from the period's first day only: its end may lie beyond ``date.max``.
    """
    if kind == YEARS:
        return True
    begin = {DAY: start, MONTH: start.replace(day=1)}.get(kind) or date(start.year, 1, 1)
    return FIRST_DATA_DAY <= begin <= last_data_day(today)


def _title(kind: str, start: date) -> str:
    if kind == DAY:
        return date_format(start, "l j F Y")
    if kind == MONTH:
        return date_format(start, "F Y")
    if kind == YEAR:
        return str(start.year)
    return _("Alle jaren")


def _point_labels(kind: str, point) -> tuple[str, str]:
    """(short axis label, full table label) of a point, in local time."""
    if kind == DAY:
        clock = f"{point.start:%H:%M}"
        if point.repeated:
            season = _("zomertijd") if point.utc_offset == "+02:00" else _("wintertijd")
            clock = f"{clock} ({season})"
        return clock, clock
    if kind == MONTH:
        return str(point.start.day), date_format(point.start, "D j F")
    if kind == YEAR:
        return date_format(point.start, "M"), date_format(point.start, "F")
    return str(point.start.year), str(point.start.year)


def _drill_down(meter_id: int, kind: str, point, compare: str) -> str | None:
    """Link from a bar to its own chart: a day of the month, a month of the year, a year."""
    if point.future:
        return None
    child = {MONTH: DAY, YEAR: MONTH, YEARS: YEAR}.get(kind)
    return chart_url(meter_id, child, point.start, compare) if child else None


def _status_key(point) -> str:
    """How trustworthy a point is; missing is said, never shown as 0."""
    if point.future:
        return "future"
    if point.before_data:
        return "none"
    if point.missing:
        return "missing"
    if point.offtake_kwh is None or point.injection_kwh is None or point.incomplete:
        return "incomplete"
    if point.estimated or point.estimated_percent:
        return "estimated"
    return "ok"


def _status_words(key: str, estimated_percent=None) -> tuple[str, str]:
    """(css class, words) of a status key, in the active language. A day, month or year that
    is partly estimated says which share."""
    if key == "estimated" and estimated_percent is not None:
        share = number_format(estimated_percent, decimal_pos=1, use_l10n=True)
        return "estimated-part", _("%(percent)s %% geschat (EST)") % {"percent": share}
    words = {
        "future": _("nog geen gegevens"),
        "none": _("geen gegevens"),
        "missing": _("ontbreekt"),
        "incomplete": _("onvolledig"),
        "estimated": _("geschat (EST)"),
        "ok": _("gemeten"),
    }
    return key, words[key]


def _source_label(source) -> str:
    """Where a point's values came from, in words ('' without a value)."""
    return {
        SOURCE_FLUVIUS: _("Fluvius"),
        SOURCE_IMPORT: _("import"),
        SOURCE_BOTH: _("Fluvius en import"),
    }.get(source, "")


def _register_label(register) -> str:
    if register is None:
        return ""
    return {Register.DAY: _("dag"), Register.NIGHT: _("nacht")}.get(register, _("totaal"))


def _number(value):
    # Display only: the chart library wants numbers; exact Decimals stay in the table.
    return None if value is None else float(value)


def _compare_name(kind: str, compare: str) -> str:
    if compare == COMPARE_PREVIOUS:
        return {DAY: _("vorige dag"), MONTH: _("vorige maand"), YEAR: _("vorig jaar")}[kind]
    return {DAY: _("zelfde dag vorig jaar"), MONTH: _("zelfde maand vorig jaar"), YEAR: _("vorig jaar")}[kind]


def _chart_page(request, meter_id, kind: str, start: date):
    meter = own_meter(request, meter_id)
    today = local_today()
    if not _in_range(kind, start, today):
        raise Http404  # no such page: before 2010 or after tomorrow
    visible = visible_periods(user=request.user, meter=meter)
    chart = chart_for(meter=meter, kind=kind, start=start, visible=visible, today=today)
    compare_param = request.GET.get("vergelijk", "") if kind != YEARS else ""
    compare = COMPARE_PARAMS.get(compare_param)
    compare_param = compare_param if compare else ""
    other = None
    if compare:
        other_start = compare_start(kind, chart.start, compare)
        if other_start.year >= FIRST_YEAR:
            other = chart_for(meter=meter, kind=kind, start=other_start, visible=visible, today=today)
    lined_up = compare_values(chart, other) if other else [(None, None)] * len(chart.points)

    rows, axis = [], []
    status_of, register_of = functools.cache(_status_words), functools.cache(_register_label)
    source_of = functools.cache(_source_label)
    for point, (other_offtake, other_injection) in zip(chart.points, lined_up, strict=True):
        short, full = _point_labels(kind, point)
        axis.append(short)
        rows.append(
            {
                "label": full,
                "point": point,
                "url": _drill_down(meter.pk, kind, point, compare_param),
                "compare_offtake": other_offtake,
                "compare_injection": other_injection,
                "status": status_of(_status_key(point), point.estimated_percent),
                "register": register_of(point.register),
                "source": source_of(point.source),
            }
        )

    context = {
        "meter": meter,
        "chart": chart,
        "kind": kind,
        "title": _title(kind, chart.start),
        "rows": rows,
        "today": today,
        "compare": compare_param,
        "compare_name": _compare_name(kind, compare) if compare else "",
        "compare_chart": other,
        "chart_data": _chart_data(kind, chart, axis, lined_up, compare and _compare_name(kind, compare)),
        **_navigation(meter.pk, kind, chart.start, today, compare_param),
        **_comparisons(meter, kind, chart, today, visible),
    }
    return render(request, "meters/chart.html", context)


def series_data(kind: str, points, labels: list[str]) -> dict:
    """The points of a chart in the shape ``static/js/charts.js`` draws (also the dashboard's
    30-day chart, ``meters.templatetags.energy.recent_chart_data``)."""
    return {
        "kind": kind,
        "labels": labels,
        "offtake": [_number(p.offtake_kwh) for p in points],
        "injection": [_number(p.injection_kwh) for p in points],
        "offtakeEstimated": [p.offtake_estimated for p in points],
        "injectionEstimated": [p.injection_estimated for p in points],
        # A day, month or year: the share (0…1) of its values that is estimated, drawn as that
        # part of the bar, never the whole bar for a few estimated quarter-hours.
        "estimatedShare": [_number(p.estimated_percent / 100) if p.estimated_percent else 0 for p in points],
        "missing": [p.missing for p in points],
        "text": {
            "offtake": _("Afname"),
            "injection": _("Injectie"),
            "estimated": _("Geschat (EST)"),
            "missing": _("Ontbreekt"),
            "unit": _("kWh per kwartier") if kind == DAY else "kWh",
        },
        "compare": None,
    }


def _chart_data(kind, chart, axis, lined_up, compare_name) -> dict:
    data = series_data(kind, chart.points, axis)
    if compare_name:
        data["compare"] = {
            "offtake": [_number(offtake) for offtake, _injection in lined_up],
            "injection": [_number(injection) for _offtake, injection in lined_up],
            "offtakeName": _("Afname, %(period)s") % {"period": compare_name},
            "injectionName": _("Injectie, %(period)s") % {"period": compare_name},
        }
    return data


def _navigation(meter_id: int, kind: str, start: date, today: date, compare: str) -> dict:
    """Previous / next / up links, the view switch and the compare switch."""
    nav = {"previous_url": None, "next_url": None, "views": [], "compare_links": []}
    if kind != YEARS:
        previous = period_step(kind, start, -1)
        following = period_step(kind, start, 1)
        if previous.year >= FIRST_YEAR:
            nav["previous_url"] = chart_url(meter_id, kind, previous, compare)
        if following <= today:
            nav["next_url"] = chart_url(meter_id, kind, following, compare)

        for mode, label in (
            ("", _("geen")),
            ("vorige", _("vorige periode")),
            ("vorigjaar", _("vorig jaar")),
        ):
            if kind == YEAR and mode == "vorigjaar":
                continue
            nav["compare_links"].append(
                {"label": label, "url": chart_url(meter_id, kind, start, mode), "current": mode == compare}
            )
    # Switching view keeps the period in sight: its most recent past day, within the period.
    focus = yesterday = today - timedelta(days=1)
    if kind != YEARS:
        begin, end = period_bounds(kind, start)
        focus = min(max(yesterday, begin), end - timedelta(days=1))
    for view, label in ((DAY, _("Dag")), (MONTH, _("Maand")), (YEAR, _("Jaar")), (YEARS, _("Alle jaren"))):
        nav["views"].append(
            {"label": label, "url": chart_url(meter_id, view, focus), "current": view == kind}
        )
    return nav


def _comparisons(meter, kind: str, chart, today: date, visible) -> dict:
    """Totals of this period next to the previous one and the same one last year."""
    if kind == YEARS:
        return {"comparisons": []}
    rows = [{"label": _("Deze periode"), "figures": chart.figures, "url": None}]
    seen = {chart.start}
    for compare, label in (
        (COMPARE_PREVIOUS, _("Vorige periode")),
        (COMPARE_LAST_YEAR, _("Zelfde periode vorig jaar")),
    ):
        other_start = compare_start(kind, chart.start, compare)
        if other_start in seen or other_start.year < FIRST_YEAR:
            continue
        seen.add(other_start)
        begin, end = period_bounds(kind, other_start)
        rows.append(
            {
                "label": label,
                "figures": period_figures(
                    meter=meter, start_date=begin, end_date=end, visible=visible, today=today
                ),
                "url": chart_url(meter.pk, kind, begin),
            }
        )
    return {"comparisons": rows}


def _range_text(today: date) -> dict:
    return {"first": date_format(FIRST_DATA_DAY), "last": date_format(last_data_day(today))}


def _bad_period(request, meter, message: str):
    return render(request, "meters/chart_bad_period.html", {"meter": meter, "message": message}, status=400)


@login_required
@require_GET
def day_view(request, meter_id, day):
    return _chart_page(request, meter_id, DAY, day)


@login_required
@require_GET
def month_view(request, meter_id, month):
    return _chart_page(request, meter_id, MONTH, month)


@login_required
@require_GET
def year_view(request, meter_id, year):
    return _chart_page(request, meter_id, YEAR, date(year, 1, 1))


@login_required
@require_GET
def years_view(request, meter_id):
    return _chart_page(request, meter_id, YEARS, local_today())


@login_required
@require_GET
def period_pick(request, meter_id):
    """The date picker (a plain GET form): ``dag``, ``maand`` or ``jaar`` → that period's page."""
    meter = own_meter(request, meter_id)
    today = local_today()
    compare = request.GET.get("vergelijk", "")
    compare = compare if compare in COMPARE_PARAMS else ""
    try:
        if request.GET.get("dag"):
            kind, start = DAY, date.fromisoformat(request.GET["dag"].strip())
        elif request.GET.get("maand"):
            year, month = request.GET["maand"].strip().split("-")
            kind, start = MONTH, date(int(year), int(month), 1)
        elif request.GET.get("jaar"):
            kind, start = YEAR, date(int(request.GET["jaar"].strip()), 1, 1)
        else:
            raise ValueError("no period")
    except (ValueError, OverflowError):  # OverflowError: a number too big for a date
        return _bad_period(request, meter, _("Dat is geen geldige datum. Kies een dag, maand of jaar."))
    if not _in_range(kind, start, today):
        return _bad_period(
            request, meter, _("Kies een datum tussen %(first)s en %(last)s.") % _range_text(today)
        )
    return redirect(chart_url(meter.pk, kind, start, compare))
