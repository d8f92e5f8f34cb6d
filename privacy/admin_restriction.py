"""Pausing a customer's processing from the admin: support and the DPO, with a reason.

Two POST-only pages on the admin site (``register_pages``), used from the support console's
customer page and from the customer's user page in admin (both show the pause through the tag
``privacy_tags.pause_card``). Thin: a form checks the reason, ``consents.services.restriction``
pauses or resumes. Needs ``privacy.restrict_processing`` (support, dpo, superusers); who may is
in tests/test_admin_permissions.py (SITE_PAGES).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import DPO
from consents.models import ProcessingRestriction
from consents.services.restriction import restriction_lift, restriction_start
from ilusmart.errors import ApplicationError
from meters.selectors.customers import customer_for_console

RESTRICT_PERMISSION = "privacy.restrict_processing"


class StaffPauseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reden (de klant ziet wie pauzeerde, niet de reden)"),
        max_length=ProcessingRestriction._meta.get_field("reason").max_length,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 50}),
    )


def _customer_or_404(request, customer_id):
    if not request.user.has_perm(RESTRICT_PERMISSION):
        raise PermissionDenied
    customer = customer_for_console(customer_id=customer_id)
    if customer is None:
        raise Http404
    return customer


def _back(request, customer):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(reverse("admin:accounts_user_change", args=[customer.pk]))


def _source_of(staff) -> str:
    is_dpo = staff.groups.filter(name=DPO).exists()
    return ProcessingRestriction.Source.DPO if is_dpo else ProcessingRestriction.Source.SUPPORT


def customer_pause(request, customer_id):
    customer = _customer_or_404(request, customer_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = StaffPauseForm(request.POST)
    if not form.is_valid():
        context = {
            **admin.site.each_context(request),
            "title": _("Niet gepauzeerd"),
            "customer": customer,
            "form": form,
            "next": request.POST.get("next", ""),
        }
        return TemplateResponse(request, "admin/privacy/pause_refused.html", context, status=400)
    try:
        restriction_start(
            user=customer,
            source=_source_of(request.user),
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as refused:
        messages.error(request, refused.message)
        return _back(request, customer)
    messages.success(request, _("De verwerking voor %(email)s is gepauzeerd.") % {"email": customer.email})
    return _back(request, customer)


def customer_resume(request, customer_id):
    customer = _customer_or_404(request, customer_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if restriction_lift(user=customer, by=request.user) is None:
        messages.info(request, _("De verwerking was niet gepauzeerd."))
    else:
        messages.success(request, _("De verwerking voor %(email)s is hervat.") % {"email": customer.email})
    return _back(request, customer)


def restriction_urls(site) -> list:
    view = site.admin_view
    return [
        path("klanten/<int:customer_id>/pauzeren/", view(customer_pause), name="customer_pause"),
        path("klanten/<int:customer_id>/hervatten/", view(customer_resume), name="customer_resume"),
    ]
