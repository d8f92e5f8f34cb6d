"""The homeowner's fault (storingen) settings: a mail when a new fault of a meter opens, or not."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meters.forms import FaultEmailForm
from meters.services.faults import meter_fault_email_set
from meters.views.common import own_meter


@login_required
@require_POST
def fault_email(request, meter_id):
    """POST ``fault_email`` (checkbox): turn the fault mail of one of the homeowner's meters on or off."""
    meter = own_meter(request, meter_id)
    form = FaultEmailForm(request.POST)
    form.is_valid()  # an unticked or absent checkbox is simply False
    enabled = form.cleaned_data.get("fault_email", False)
    meter_fault_email_set(meter=meter, enabled=enabled)
    if enabled:
        messages.success(request, _("Je krijgt een e-mail als er een nieuwe storing is."))
    else:
        messages.success(request, _("Je krijgt geen e-mail meer over storingen."))
    return redirect("meters:dashboard", meter.pk)
