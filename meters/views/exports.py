"""CSV downloads of one meter's readings (thin: scope the meter, validate the form, stream).

``GET exporteren/`` shows the form; ``GET exporteren/csv/?van=…&tot=…&resolutie=…`` streams the
file (a GET, so a download link can be bookmarked or shared with oneself; it changes nothing).
Bad input answers 400 with the form and its errors, never 500. The format is described in
``meters.services.export``.
"""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.decorators import rate_limited, rate_limited_response
from accounts.services.rate_limits import RateLimited, running_slot_take
from ilusmart import clock
from meters.forms import ReadingsExportForm
from meters.selectors.visibility import visible_periods
from meters.services.export import export_range_check, readings_export_filename, readings_export_lines
from meters.views.common import own_meter


def _page(request, meter, form, status=200):
    return render(request, "meters/export.html", {"meter": meter, "form": form}, status=status)


def _last_complete_month() -> tuple:
    """The first and last day of the month before this one (the last month with all its days)."""
    last = clock.local_today().replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


@login_required
@require_GET
def export_form(request, meter_id):
    meter = own_meter(request, meter_id)
    first, last = _last_complete_month()
    initial = {"resolutie": "day", "van": first, "tot": last, "formaat": "standard"}
    return _page(request, meter, ReadingsExportForm(initial=initial))


@login_required
@require_GET
@rate_limited("export", methods=("GET",))
def export_download(request, meter_id):
    meter = own_meter(request, meter_id)
    form = ReadingsExportForm(request.GET)
    if not form.is_valid():
        return _page(request, meter, form, status=400)
    start = form.cleaned_data["van"]
    end = form.cleaned_data["tot"] + timedelta(days=1)
    resolution = form.cleaned_data["resolutie"]
    dialect = form.cleaned_data["formaat"]
    try:
        export_range_check(resolution=resolution, start_date=start, end_date=end)
    except ValueError as exc:
        form.add_error(None, str(exc))
        return _page(request, meter, form, status=400)
    try:
        slot = running_slot_take(action="export", user_id=request.user.pk)
    except RateLimited as refused:
        return rate_limited_response(request, refused)
    visible = visible_periods(user=request.user, meter=meter)
    lines = readings_export_lines(
        meter=meter, start_date=start, end_date=end, resolution=resolution, visible=visible, dialect=dialect
    )
    response = StreamingHttpResponse(slot.held_while(lines), content_type="text/csv; charset=utf-8")
    filename = readings_export_filename(
        meter=meter, start_date=start, end_date=end, resolution=resolution, dialect=dialect
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
