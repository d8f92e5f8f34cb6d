"""The homeowner's dashboard: one card per meter (yesterday, this month, this year, mandate, freshness)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from meters.models import Meter
from meters.selectors import dashboards_for_user, meter_dashboard, meter_for_user


def own_meter_or_404(request, meter_id) -> Meter:
    """The signed-in homeowner's meter ``meter_id``; 404 for anyone else's or an unknown id."""
    try:
        return meter_for_user(user=request.user, meter_id=meter_id)
    except Meter.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def home(request):
    """``/``: the dashboard of every meter of the homeowner; without a meter, a pointer to add one."""
    return render(request, "home.html", {"cards": dashboards_for_user(user=request.user)})


@login_required
@require_GET
def meter_dashboard_page(request, meter_id):
    """The dashboard card of one meter, on its own page."""
    meter = own_meter_or_404(request, meter_id)
    card = meter_dashboard(user=request.user, meter=meter)
    return render(request, "meters/dashboard.html", {"card": card, "meter": meter})
