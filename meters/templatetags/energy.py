"""Template filters for energy figures: localized kWh, and an honest mark for missing values."""

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def kwh(value, decimals=3):
    """A kWh figure in the active language's number format (``1.234,567`` in Dutch); '' for None."""
    if value is None:
        return ""
    return number_format(value, decimal_pos=int(decimals), use_l10n=True, force_grouping=True)


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
