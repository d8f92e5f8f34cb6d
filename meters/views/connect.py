"""Homeowner pages of the meters app (thin: validate, call one service or selector, render)."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import rate_limited
from consents.models import Mandate
from ilusmart.fluvius.errors import FluviusError
from meters.forms import MeterLinkForm
from meters.selectors.overview import meter_overviews_for_user
from meters.services.meters import MeterLinkRefused, meter_connect_start, meter_link
from meters.services.sync import mandate_return_refresh
from meters.views.common import own_meter

logger = logging.getLogger("ilusmart.meters")


def _meter_list_page(request, form, status=200):
    rows = meter_overviews_for_user(user=request.user)
    return render(request, "meters/meter_list.html", {"rows": rows, "form": form}, status=status)


@login_required
@require_GET
def meter_list(request):
    return _meter_list_page(request, MeterLinkForm())


@login_required
@require_POST
def meter_add(request):
    form = MeterLinkForm(request.POST)
    if form.is_valid():
        try:
            meter_link(user=request.user, ean=form.cleaned_data["ean"], label=form.cleaned_data["label"])
        except ValidationError as exc:
            form.add_error("ean", exc)
        except MeterLinkRefused as refused:
            form.add_error("ean", refused.message)
        else:
            messages.success(request, _("Je meter is toegevoegd. Verbind hem nu via Mijn Fluvius."))
            return redirect("meters:list")
    return _meter_list_page(request, form, status=400)


@login_required
@require_POST
@rate_limited("meter_connect")
def meter_connect(request, meter_id):
    """Start a mandate request and send the homeowner to Mijn Fluvius."""
    meter = own_meter(request, meter_id)
    try:
        mandate = meter_connect_start(user=request.user, meter=meter)
    except FluviusError as exc:
        logger.error("mandate request for meter %s failed: %s", meter.pk, exc)
        messages.error(request, _("Fluvius is nu niet bereikbaar. Probeer het over enkele minuten opnieuw."))
        return redirect("meters:list")
    return redirect(mandate.short_url)


@login_required
@require_GET
@rate_limited("mandate_return", methods=("GET",))
def mandate_return(request, reference):
    """Back from Mijn Fluvius: one quick status call, or a queued check; never a wait (sync service)."""
    mandates = Mandate.objects.filter(user=request.user, reference_number=reference)
    if not mandates.exists():
        raise Http404
    if not mandate_return_refresh(reference_number=reference):
        messages.info(
            request,
            _(
                "We kijken je toestemming na bij Fluvius. Dat duurt meestal enkele minuten; "
                "vernieuw deze pagina straks."
            ),
        )
    if request.GET.get("uitkomst") == "mislukt":
        messages.warning(request, _("De toestemming in Mijn Fluvius is niet gegeven."))
    return redirect("meters:list")
