"""The homeowner's communication choices, and the unsubscribe link of every message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from consents.forms import CommunicationsForm
from consents.models import CommunicationConsent
from consents.selectors.communications import (
    UnsubscribeLinkInvalid,
    communication_choices,
    communication_history,
    unsubscribe_token_read,
)
from consents.selectors.restriction import processing_restricted
from consents.services.communications import communication_choices_save, communication_unsubscribe
from ilusmart.errors import http_status


@login_required
@require_http_methods(["GET", "POST"])
def communications(request):
    """Which newsletters, surveys and information the person wants, by e-mail and by post."""
    form = CommunicationsForm(request.POST or None, choices=communication_choices(user=request.user))
    if request.method == "POST" and form.is_valid():
        changed = communication_choices_save(
            user=request.user, choices=form.answers(), source=CommunicationConsent.Source.PAGE
        )
        messages.success(request, _("Je keuzes zijn bewaard.") if changed else _("Er was niets gewijzigd."))
        return redirect("consents:communications")
    context = {
        "form": form,
        "history": communication_history(user=request.user)[:20],
        "paused": processing_restricted(user=request.user),
    }
    return render(request, "consents/communications.html", context)


@csrf_exempt  # RFC 8058: a mail program POSTs without cookies or a CSRF token; the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET asks for confirmation (a link scanner must not unsubscribe anyone); POST unsubscribes at once.

    No login, no cookie, no CSRF token: the token in the address is signed. The mail program's
    one-click POST carries ``List-Unsubscribe=One-Click`` in its body (RFC 8058).
    """
    try:
        target = unsubscribe_token_read(token=token)
        if request.method == "POST":
            one_click = request.POST.get("List-Unsubscribe") == "One-Click"
            communication_unsubscribe(token=token, one_click=one_click)
    except UnsubscribeLinkInvalid as error:
        return render(
            request, "consents/unsubscribe_invalid.html", {"error": error}, status=http_status(error)
        )
    context = {
        "done": request.method == "POST",
        "channel": CommunicationConsent.Channel(target.channel).label,
        "topic": CommunicationConsent.Topic(target.topic).label,
    }
    return render(request, "consents/unsubscribe.html", context)
