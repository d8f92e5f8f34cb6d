"""Partners and disclosures in the admin, and "share with a partner" on a customer.

The DPO keeps the partners and their legal basis; support reads them. Disclosures are written
only by ``privacy.services.disclosures.disclosure_share`` and read-only for everyone. The
customer's share page (GET: the form; POST to its own URL: the service, then the ZIP for the
partner as a download) needs ``privacy.share_with_partner`` (support, superusers). Downloads of
Mijn gegevens are listed for the DPO (read-only). Who may do what: tests/test_admin_permissions.py.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ilusmart.admin_readonly import ReadOnlyAdmin
from ilusmart.errors import ApplicationError, http_status
from meters.selectors.customers import customer_for_console
from privacy.models import DataExport, Disclosure, Partner
from privacy.services.disclosures import disclosure_share

SHARE_PERMISSION = "privacy.share_with_partner"


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "legal_basis", "active"]
    list_filter = ["kind", "legal_basis", "active"]
    search_fields = ["name", "purpose"]
    fields = ["name", "kind", "legal_basis", "purpose", "active", "privacy_email", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdmin):
    list_display = ["at", "partner", "customer", "category_list", "period_from", "period_to", "by"]
    list_filter = ["partner", "legal_basis"]
    search_fields = ["customer__email", "partner__name"]
    date_hierarchy = "at"
    list_select_related = ["partner", "customer", "by"]
    fields = [
        "partner",
        "customer",
        "categories",
        "period_from",
        "period_to",
        "legal_basis",
        "purpose",
        "at",
        "by",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("categorieën"))
    def category_list(self, disclosure):
        return ", ".join(disclosure.category_labels())


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "user", "status", "progress", "ready_at", "expires_at", "used_at"]
    list_filter = ["status"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = [
        "user",
        "status",
        "progress",
        "requested_at",
        "ready_at",
        "expires_at",
        "used_at",
        "size_bytes",
        "error",
    ]
    readonly_fields = fields


class ShareForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=gettext_lazy("Partner"), queryset=Partner.objects.filter(active=True)
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Wat deel je?"),
        choices=Disclosure.Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    period_from = forms.DateField(
        label=gettext_lazy("Periode van"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_to = forms.DateField(
        label=gettext_lazy("Periode tot en met"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _customer(request, customer_id):
    if not request.user.has_perm(SHARE_PERMISSION):
        raise PermissionDenied
    customer = customer_for_console(customer_id=customer_id)
    if customer is None:
        raise Http404
    return customer


def _share_page(request, customer, form, status=200):
    context = {
        **admin.site.each_context(request),
        "title": _("Gegevens delen met een partner"),
        "customer": customer,
        "form": form,
        "recent": Disclosure.objects.filter(customer=customer).select_related("partner", "by")[:10],
    }
    return TemplateResponse(request, "admin/privacy/share.html", context, status=status)


def customer_share(request, customer_id):
    """The form: partner, categories, period; the customer's earlier disclosures below it."""
    customer = _customer(request, customer_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _share_page(request, customer, ShareForm())


def customer_share_send(request, customer_id):
    """Share: the service records the disclosure; the answer is the ZIP for the partner."""
    customer = _customer(request, customer_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ShareForm(request.POST)
    if not form.is_valid():
        return _share_page(request, customer, form, status=400)
    try:
        shared = disclosure_share(
            partner=form.cleaned_data["partner"],
            customer=customer,
            categories=form.cleaned_data["categories"],
            period_from=form.cleaned_data["period_from"],
            period_to=form.cleaned_data["period_to"],
            by=request.user,
        )
    except ApplicationError as refused:
        form.add_error(None, refused.message)
        return _share_page(request, customer, form, status=http_status(refused))
    response = HttpResponse(shared.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{shared.file_name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def disclosure_urls(site) -> list:
    view = site.admin_view
    return [
        path("klanten/<int:customer_id>/delen/", view(customer_share), name="customer_share"),
        path(
            "klanten/<int:customer_id>/delen/verstuur/", view(customer_share_send), name="customer_share_send"
        ),
    ]
