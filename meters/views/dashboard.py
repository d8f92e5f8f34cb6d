"""The homeowner's dashboard: one card per meter (yesterday, this month, this year, mandate, freshness)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from consents.selectors.restriction import restriction_active_for_request
from meters.selectors import home_dashboard, meter_dashboard
from meters.views.common import own_meter


@login_required
@require_GET
def home(request):
    """``/``: the dashboard of every meter of the homeowner; without a meter, a pointer to add one;
    mandates approved for EANs they did not link, told."""
    # The pause is read once for the cards and the layout's banner.
    paused = restriction_active_for_request(request) is not None
    home = home_dashboard(user=request.user, paused=paused)
    return render(request, "home.html", {"cards": home.cards, "unlinked_mandates": home.unlinked_mandates})


@login_required
@require_GET
def meter_dashboard_page(request, meter_id):
    """The dashboard card of one meter, on its own page."""
    meter = own_meter(request, meter_id)
    card = meter_dashboard(
        user=request.user, meter=meter, paused=restriction_active_for_request(request) is not None
    )
    return render(request, "meters/dashboard.html", {"card": card, "meter": meter})
