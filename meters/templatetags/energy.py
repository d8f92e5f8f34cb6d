"""Template filters for energy figures: localized kWh, and an honest mark for missing values."""

from decimal import ROUND_HALF_UP, Decimal
from html import escape
from itertools import repeat

from django import template
from django.utils.formats import date_format, get_format, number_format
from django.utils.html import format_html, json_script
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

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


def _separators() -> dict:
    """A ``str.translate`` table from Python's ``,`` and ``.`` to the active language's
    thousands and decimal separators."""
    return str.maketrans({",": get_format("THOUSAND_SEPARATOR"), ".": get_format("DECIMAL_SEPARATOR")})


def _fast_kwh():
    """A ``kwh``-equivalent formatter with the active language's separators looked up once.

    The chart table formats hundreds of figures per page; ``number_format`` looks the format up
    for each one. Values are exact (whole Wh), so no rounding differs from ``kwh``.
    """
    table = _separators()

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


_FIGURES_ROWS = (
    ("offtake", gettext_noop("Afname"), ("offtake_kwh", "offtake_day_kwh", "offtake_night_kwh")),
    ("injection", gettext_noop("Injectie"), ("injection_kwh", "injection_day_kwh", "injection_night_kwh")),
    ("net", gettext_noop("Netto"), ("net_kwh", "net_day_kwh", "net_night_kwh")),
)
_FIGURES_FIELDS = ("total", "day", "night")


@register.simple_tag
def figures_rows(figures, decimals=3):
    """The three rows (offtake, injection, net) of a figures table (``meters/_figures.html``) in
    one pass: each its total, day and night in kWh, rounded half up to ``decimals`` as ``kwh``,
    a missing one as ``kwh_or_missing``. The dashboard shows three such tables (benchmarks/pages.py)."""
    fmt = _fast_kwh()
    missing = str(kwh_or_missing(None))
    decimals = int(decimals)
    step = Decimal(1).scaleb(-decimals)
    out = []
    for row, label, attributes in _FIGURES_ROWS:
        cells = []
        for field, attribute in zip(_FIGURES_FIELDS, attributes, strict=True):
            value = getattr(figures, attribute)
            if value is None:
                shown = missing
            else:
                rounded = value.quantize(step, rounding=ROUND_HALF_UP)
                # number_format writes a negative amount that rounds to 0 as "0,0", not "-0,0".
                shown = fmt(rounded if rounded else rounded.copy_abs(), decimals)
            cells.append(f'      <td class="num" data-field="{field}">{shown}</td>\n')
        out.append(
            f'    <tr data-row="{row}">\n      <th scope="row">{escape(_(label))}</th>\n'
            + "".join(cells)
            + "    </tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 (labels escaped, numbers formatted here)


@register.simple_tag
def recent_chart_data(points, meter_id):
    """The dashboard's small 30-day chart as ``json_script`` (id ``recent-<meter_id>``), in the
    shape ``static/js/charts.js`` draws (no inline script: CSP ``script-src 'self'``)."""
    # "j/n" (day/month without leading zeros) has no language in it: written directly, not through
    # date_format, which looks the formats up again for each of the 30 days.
    data = series_data("recent", points, [f"{p.start.day}/{p.start.month}" for p in points])
    return json_script(data, f"recent-{int(meter_id)}")


_WHATIF_DECIMALS = {"kwh": 0, "kw": 3, "eur": 2, "years": 1}
# per kind: the step it is rounded to and its format (Python's separators, then the language's)
_WHATIF_FORMATS = {kind: (Decimal(1).scaleb(-d), f",.{d}f") for kind, d in _WHATIF_DECIMALS.items()}


def _whatif_figure(value, kind) -> str | None:
    """A what-if figure rounded half up for its ``kind``, with Python's separators; None for a
    missing figure or a word (``str``), which are not numbers."""
    if value is None or isinstance(value, str):
        return None
    step, spec = _WHATIF_FORMATS[kind]
    if not isinstance(value, Decimal):
        value = Decimal(value)
    return format(value.quantize(step, rounding=ROUND_HALF_UP), spec)


@register.simple_tag
def whatif_rows(rows, kind=None, names=None):
    """The <tbody> rows of a what-if table in one pass: each row a dict with ``label``, ``values``
    and (unless ``kind`` is given for the whole table) its own ``kind``, ``unit`` and ``total``.
    With ``names`` (the columns' names) each cell carries its column's name as ``data-label``,
    for a ``stack-table`` (each row a small card on a phone).

    Hundreds of figures per page: formatted here rather than in a template loop, so the page stays
    within its server-time budget (benchmarks/battery.py). The figures are written with Python's
    separators into markup without "," or "." and the whole table is localised by one
    ``translate``; the texts (labels, names, words, the missing mark) go in only afterwards, each
    through a "{}" (the figures and markup have no braces), so they are never localised."""
    missing = str(kwh_or_missing(None))  # a missing figure reads "—" ("no data" for screen readers)
    names = [f' data-label="{escape(str(name))}"' for name in names] if names else None
    texts, out = [], []
    for row in rows:
        row_kind = kind or row["kind"]
        label = escape(str(row["label"]))
        if row.get("unit"):
            label += f' <span class="unit">({escape(str(row["unit"]))})</span>'
        texts.append(label)
        cells = []
        for name, value in zip(names or repeat(None), row["values"], strict=False):
            if name is not None:
                texts.append(name)
            figure = _whatif_figure(value, row_kind)
            if figure is None:
                texts.append(missing if value is None else escape(value))
                figure = "{}"
            cells.append(f'<td class="num"{"{}" if name is not None else ""}>{figure}</td>')
        css = ' class="is-total"' if row.get("total") else ""
        out.append(f'<tr{css}><th scope="row">{{}}</th>{"".join(cells)}</tr>\n')
    html = "".join(out).translate(_separators()).format(*texts)
    return mark_safe(html)  # noqa: S308 (every dynamic part is escaped or formatted here)


@register.simple_tag
def typical_day_rows(rows):
    """The rows of a typical day's table: (label, offtake kWh, injection kWh, [charge kWh …]).

    Two tables of 96 rows per page: each row is one ``str.format`` of a row pattern, the whole
    table is localised by one ``translate`` (its markup has no "," or "."), and only then are the
    labels put in (the numbers and markup have no braces), so a label is never localised."""
    if not rows:
        return ""
    width = 2 + len(rows[0][3])
    row = ('<tr><th scope="row">{{}}</th>' + '<td class="num">{:,.3f}</td>' * width + "</tr>\n").format
    numbers = "".join([row(offtake, injection, *charges) for _, offtake, injection, charges in rows])
    html = numbers.translate(_separators()).format(*[escape(label) for label, *_ in rows])
    return mark_safe(html)  # noqa: S308 (labels escaped, numbers formatted here)


def _month_head(first, second) -> str:
    if second is None:
        return f'<th scope="col" class="num battery-head-baseline">{escape(str(first))}</th>'
    return (
        f'<th scope="col" class="num"><span class="battery-head-line">{escape(str(first))}</span>'
        f'<span class="visually-hidden"> / </span><span class="battery-head-line">{escape(str(second))}</span></th>'
    )


@register.simple_tag
def whatif_month_tables(tables, heads):
    """The what-if's month tables, each whole (its scroll box, caption, column heads and rows), in
    one pass instead of template loops: ``heads`` are the columns' (first line, second line or
    None); a table without the baseline column leaves out the first."""
    cells = [_month_head(first, second) for first, second in heads]
    month = escape(_("Maand"))
    out = []
    for n, table in enumerate(tables, 1):
        shown = cells if table["with_baseline"] else cells[1:]
        out.append(
            f'\n    <div class="table-scroll" tabindex="0" role="region" aria-labelledby="battery-month-{n}">'
            '\n    <table class="data-table battery-table">'
            f'\n      <caption id="battery-month-{n}">{escape(str(table["title"]))} '
            f'<span class="unit">({escape(str(table["unit"]))})</span></caption>'
            f'\n      <thead><tr><th scope="col">{month}</th>{"".join(shown)}</tr></thead>'
            f"\n      <tbody>\n      {whatif_rows(table['rows'], table['kind'])}\n      </tbody>"
            "\n    </table>\n    </div>\n  "
        )
    return mark_safe("".join(out))  # noqa: S308 (every dynamic part is escaped here)


@register.simple_tag
def whatif_year_heads(names):
    """The year table's column heads, one per column name."""
    return mark_safe(  # noqa: S308 (names escaped)
        "".join(f'<th scope="col" class="num">{escape(str(name))}</th>' for name in names)
    )


@register.simple_tag
def whatif_typical_days(charts, names):
    """The typical days' sections, each whole (heading, chart, its data as ``json_script``, the
    table with all figures), in one pass instead of a template loop with its translations."""
    if not charts:
        return ""
    figcaption = escape(
        _(
            "Staven: afname en injectie per kwartier zonder batterij (kWh). Lijnen: hoeveel energie in "
            "elke batterij zit (kWh, rechteras), op het einde van elk kwartier."
        )
    )
    summary = escape(_("Tabel met alle cijfers"))
    heads = (
        f'<th scope="col">{escape(_("Kwartier vanaf"))}</th>'
        f'<th scope="col" class="num">{escape(_("Afname"))}</th>'
        f'<th scope="col" class="num">{escape(_("Injectie"))}</th>'
        + "".join(
            f'<th scope="col" class="num">{escape(_("Lading %(name)s") % {"name": str(name)})}</th>'
            for name in names[1:]
        )
    )
    out = []
    for chart in charts:
        chart_id, title = escape(str(chart["id"])), escape(str(chart["title"]))
        label = escape(
            _("%(title)s: afname en injectie per kwartier zonder batterij en de lading van elke batterij.")
            % {"title": str(chart["title"])}
        )
        out.append(
            f'\n<section class="card" aria-labelledby="{chart_id}-title">'
            f'\n  <h2 id="{chart_id}-title">{title}: {escape(date_format(chart["day"], "l j F Y"))}</h2>'
            '\n  <figure class="chart-figure">'
            f'\n    <div class="chart battery-chart" data-battery-chart="{escape(str(chart["script_id"]))}" '
            f'role="img" aria-label="{label}"></div>'
            f"\n    <figcaption>{figcaption}</figcaption>"
            "\n  </figure>"
            f"\n  {json_script(chart['data'], chart['script_id'])}"
            '\n  <details class="data-details">'
            f"\n    <summary>{summary}</summary>"
            f'\n    <div class="table-scroll" tabindex="0" role="region" aria-labelledby="{chart_id}-caption">'
            '\n    <table class="data-table chart-table">'
            f'\n      <caption id="{chart_id}-caption">{title} <span class="unit">(kWh)</span></caption>'
            f"\n      <thead><tr>{heads}</tr></thead>"
            f"\n      <tbody>\n      {typical_day_rows(chart['rows'])}\n      </tbody>"
            "\n    </table>\n    </div>\n  </details>\n</section>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 (every dynamic part is escaped or JSON-escaped here)


def _attributes(items) -> str:
    """HTML attributes: ``True`` alone, ``False``/``None`` left out, every other value escaped
    (the names are the widgets' own, from the code)."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(str(value))}"'
        for name, value in items.items()
        if value is not False and value is not None
    )


@register.simple_tag
def whatif_field(field):
    """One field of the what-if form (label, input or select, errors, help) in one pass, without
    the widget templates: the page has twenty (benchmarks/battery.py)."""
    form, name = field.form, field.name
    widget = field.field.widget
    auto_id = field.auto_id
    errors = form.errors.get(name)  # as ``field.errors``, without an empty ErrorList per look-up
    attrs = {**widget.attrs, "name": field.html_name, "id": auto_id}
    if field.field.required:
        attrs["required"] = True
    if errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{auto_id}_error"
    value = field.value()
    if hasattr(widget, "choices"):
        selected = str(value)
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) == selected else ""}>'
            f"{escape(str(label))}</option>"
            for key, label in widget.choices
        )
        control = f"<select{_attributes(attrs)}>{options}</select>"
    else:
        shown = widget.format_value(value)
        attrs = {"type": widget.input_type, **attrs, "value": shown if shown not in (None, "") else None}
        control = f"<input{_attributes(attrs)}>"
    escaped_id = escape(auto_id)
    parts = [
        f'<div class="{"field field-error" if errors else "field"}">',
        f'<label for="{escaped_id}">{escape(str(field.label))}</label>',
        control,
    ]
    if errors:
        shown_errors = "".join(f"<p>{escape(str(e))}</p>" for e in errors)
        parts.append(f'<div class="error" id="{escaped_id}_error">{shown_errors}</div>')
    help_text = str(field.help_text)
    if help_text:
        parts.append(f'<div class="help">{escape(help_text)}</div>')
    parts.append("</div>")
    return mark_safe("\n".join(parts))  # noqa: S308 (every dynamic part is escaped here)


@register.simple_tag
def whatif_sizes(form):
    """The what-if form's batteries, each a fieldset with its capacity, power and price fields, in
    one pass instead of a template loop."""
    out = []
    for n, kwh, kw, price in form.size_fields():
        legend = escape(_("Batterij %(n)s") % {"n": n})
        out.append(
            '\n      <fieldset class="battery-size">'
            f"\n        <legend>{legend}</legend>"
            f"\n        {whatif_field(kwh)}\n        {whatif_field(kw)}\n        {whatif_field(price)}"
            "\n      </fieldset>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 (every dynamic part is escaped here)


@register.simple_tag
def whatif_fields(form, *names):
    """Several fields of the what-if form (``whatif_field``) one after another, as in a grid."""
    return mark_safe("\n      ".join([whatif_field(form[name]) for name in names]))  # noqa: S308 (escaped there)
