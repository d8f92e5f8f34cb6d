"""The capacity-tariff page of one meter (thin: scope the meter, call the selector, render)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ilusmart import clock
from meters.selectors import capacity_tariff_summary
from meters.selectors.visibility import visible_periods
from meters.views.common import own_meter


@login_required
@require_GET
def capacity_tariff(request, meter_id):
    meter = own_meter(request, meter_id)
    visible = visible_periods(user=request.user, meter=meter)
    capacity = capacity_tariff_summary(meter=meter, today=clock.local_today(), visible=visible)
    return render(request, "meters/capacity_tariff.html", {"meter": meter, "capacity": capacity})
