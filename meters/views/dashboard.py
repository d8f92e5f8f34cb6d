"""The homeowner's dashboard: one card per meter (yesterday, this month, this year, mandate, freshness)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from meters.selectors import dashboards_for_user, mandates_not_linked, meter_dashboard
from meters.views.common import own_meter


@login_required
@require_GET
def home(request):
    """``/``: the dashboard of every meter of the homeowner; without a meter, a pointer to add one;
    mandates approved for EANs they did not link, told."""
    context = {
        "cards": dashboards_for_user(user=request.user),
        "unlinked_mandates": mandates_not_linked(user=request.user),
    }
    return render(request, "home.html", context)


@login_required
@require_GET
def meter_dashboard_page(request, meter_id):
    """The dashboard card of one meter, on its own page."""
    meter = own_meter(request, meter_id)
    card = meter_dashboard(user=request.user, meter=meter)
    return render(request, "meters/dashboard.html", {"card": card, "meter": meter})
