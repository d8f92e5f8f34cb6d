"""meters/templatetags/energy.py: the figures table's rows in one pass read as the filters do."""

import re
from datetime import date

import pytest
from django.utils.translation import override

from meters.selectors.periods import PeriodFigures
from meters.selectors.readings import Totals
from meters.templatetags.energy import figures_rows, kwh_or_missing

ATTRIBUTES = {
    "offtake": ("offtake_kwh", "offtake_day_kwh", "offtake_night_kwh"),
    "injection": ("injection_kwh", "injection_day_kwh", "injection_night_kwh"),
    "net": ("net_kwh", "net_day_kwh", "net_night_kwh"),
}


def _figures(offtake, injection, offtake_day, offtake_night, injection_day, injection_night):
    day = date(2025, 1, 1)
    totals = Totals(
        day,
        offtake,
        injection,
        offtake_day,
        offtake_night,
        injection_day,
        injection_night,
        None,
        96,
        96,
        96,
        0,
    )
    return PeriodFigures(day, date(2025, 2, 1), totals, 96)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("decimals", [1, 3])
@pytest.mark.parametrize(
    "wh",
    [
        (416_450, 416_500, 50, 49, 51, 0),  # half up: 416,5; 0,1
        (1_234_567, None, 416_450, -5, 0, 99_999_999),  # a missing direction; thousands
        (0, 50, 1, 0, 100, 1),  # net -0,05 → -0,1 (half up), net 0,001 - 0 …
        (-1, 0, 999_999_999, 1_000_000_000, 45, 55),  # -0,001 rounds to 0,0 (never "-0,0")
    ],
)
def test_figures_rows_read_as_kwh_or_missing_per_cell(language, decimals, wh):
    figures = _figures(*wh)
    with override(language):
        html = str(figures_rows(figures, decimals))
        for row, attributes in ATTRIBUTES.items():
            part = html.split(f'<tr data-row="{row}">', 1)[1].split("</tr>", 1)[0]
            cells = re.findall(r'<td class="num" data-field="(\w+)">(.*?)</td>', part)
            expected = [str(kwh_or_missing(getattr(figures, name), decimals)) for name in attributes]
            assert cells == list(zip(("total", "day", "night"), expected, strict=True)), row
    assert not re.search(r">-0[,.]0+<", html)  # a negative amount that rounds to zero reads 0


def test_the_what_if_tables_and_typical_days_escape_every_text():
    """The what-if's whole-table tags put texts into markup: each is escaped, never taken as HTML."""
    from meters.templatetags.energy import whatif_month_tables, whatif_typical_days, whatif_year_heads

    evil = '<b a="1">&\'</b>'
    escaped = "&lt;b a=&quot;1&quot;&gt;&amp;&#x27;&lt;/b&gt;"
    rows = [{"label": evil, "values": [None, evil]}]
    tables = whatif_month_tables(
        [{"title": evil, "unit": evil, "rows": rows, "kind": "kwh", "with_baseline": True}],
        [(evil, None), (evil, evil)],
    )
    heads = whatif_year_heads([evil, evil])
    days = whatif_typical_days(
        [
            {
                "id": evil,
                "script_id": evil,
                "title": evil,
                "day": date(2025, 6, 1),
                "data": {"names": [evil]},
                "rows": [(evil, 0.5, 0.25, (1.0,))],
            }
        ],
        ["Zonder batterij", evil],
    )
    for html in (tables, heads, days):
        assert evil not in html
        assert escaped in html
    assert "<b" not in tables + heads + days
