"""Template filters for energy figures: localized kWh, and an honest mark for missing values."""

from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django import template
from django.utils.formats import date_format, get_format, number_format
from django.utils.html import format_html, json_script
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from meters.views.charts import series_data

register = template.Library()


@register.filter
def kwh(value, decimals=3):
    """A kWh figure in the active language's number format (``1.234,567`` in Dutch); '' for None.

    Rounded half up to ``decimals`` (``number_format`` alone would cut 416.45 to "416,4").
    """
    if value is None:
        return ""
    decimals = int(decimals)
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)


@register.filter
def thousands(value):
    """A whole number with the active language's thousands separator (``1.234`` in Dutch)."""
    if value is None:
        return ""
    return number_format(value, use_l10n=True, force_grouping=True)


@register.filter
def kwh_or_missing(value, decimals=3):
    """Like ``kwh``, but a missing value reads "—" with "no data" for screen readers, never 0."""
    if value is None:
        return format_html(
            '<span class="missing" title="{0}"><span aria-hidden="true">—</span>'
            '<span class="visually-hidden">{0}</span></span>',
            _("geen gegevens"),
        )
    return kwh(value, decimals)


def _fast_kwh():
    """A ``kwh``-equivalent formatter with the active language's separators looked up once.

    The chart table formats hundreds of figures per page; ``number_format`` looks the format up
    for each one. Values are exact (whole Wh), so no rounding differs from ``kwh``.
    """
    decimal_sep = get_format("DECIMAL_SEPARATOR")
    thousand_sep = get_format("THOUSAND_SEPARATOR")
    table = str.maketrans({",": thousand_sep, ".": decimal_sep})

    def fmt(value, decimals=3):
        return f"{value:,.{decimals}f}".translate(table)

    return fmt


@register.simple_tag
def chart_table_rows(rows, kind, with_compare):
    """The <tbody> rows of a chart's data table, rendered in one pass (same HTML as a loop).

    A day has up to 100 rows of 6 cells; building them with plain escaping here instead of a
    template loop keeps the day page within its server-time budget (benchmarks/pages.py).
    """
    fmt = _fast_kwh()
    missing = str(kwh_or_missing(None))

    def cell(value, estimated=False):
        css = "num is-estimated" if estimated else "num"
        return f'<td class="{css}">{missing if value is None else fmt(value)}</td>'

    out = []
    for row in rows:
        point = row["point"]
        label = escape(str(row["label"]))
        if row["url"]:
            label = f'<a href="{escape(row["url"])}">{label}</a>'
        cells = [
            cell(point.offtake_kwh, point.offtake_estimated),
            cell(point.injection_kwh, point.injection_estimated),
        ]
        if kind != "day":
            cells.append(cell(point.net_kwh))
        if with_compare:
            cells += [cell(row["compare_offtake"]), cell(row["compare_injection"])]
        if kind == "day":
            cells.append(f"<td>{escape(str(row['register']))}</td>")
        cells.append(f'<td data-field="source">{escape(str(row["source"]))}</td>')
        cells.append(f'<td data-field="status">{escape(str(row["status"][1]))}</td>')
        out.append(
            f'<tr class="status-{escape(row["status"][0])}" data-key="{escape(str(point.key))}">\n'
            f'<th scope="row">{label}</th>\n' + "\n".join(cells) + "\n</tr>\n"
        )
    # Every dynamic part above is escaped; numbers are formatted by us.
    return mark_safe("".join(out))  # noqa: S308


@register.simple_tag
def recent_chart_data(points, meter_id):
    """The dashboard's small 30-day chart as ``json_script`` (id ``recent-<meter_id>``), in the
    shape ``static/js/charts.js`` draws (no inline script: CSP ``script-src 'self'``)."""
    data = series_data("recent", points, [date_format(p.start, "j/n") for p in points])
    return json_script(data, f"recent-{int(meter_id)}")
