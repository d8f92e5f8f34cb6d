"""The support console in the admin: find a customer from anything, one page per customer, and the
actions support takes there (contact note, re-sync, rebuild of daily totals, mandate link).

Thin views: a form validates, one selector or service does the work (meters.selectors.customers,
meters.services.customers, meters.services.ingest.daily_totals_rebuild). The pages are the
admin site's (``admin_view``: staff past the second factor), and each also needs the
``meters.use_customer_console`` permission: support and superusers have it, dpo does not (the
DPO reads access records and user pages, not the console). Opening a customer's page writes
one access record (ids only). Registered on the site at the bottom of this module.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.services.access_audit import access_record
from ilusmart import clock
from ilusmart.errors import ApplicationError, http_status
from meters.models import ContactNote, Meter
from meters.selectors.customers import (
    CUSTOMER_SEARCH_LIMIT,
    customer_for_console,
    customer_overview,
    customers_find,
)
from meters.services.customers import (
    NOTE_MAX_LENGTH,
    contact_note_add,
    mandate_link_send,
    meter_resync_request,
)
from meters.services.ingest import daily_totals_rebuild

CONSOLE_PERMISSION = "meters.use_customer_console"
SEARCH_MAX_LENGTH = 100
RESYNC_DEFAULT_DAYS = 7
ONE_DAY = timedelta(days=1)
MATCHED_ON = {
    "phone": gettext_lazy("telefoon"),
    "ean": gettext_lazy("EAN"),
    "postal_code": gettext_lazy("postcode"),
    "meter_id": gettext_lazy("meternummer"),
    "inverter_serial": gettext_lazy("serienummer omvormer"),
    "email": gettext_lazy("e-mail"),
    "name": gettext_lazy("naam"),
}


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Zoek een klant"),
        max_length=SEARCH_MAX_LENGTH,
        required=False,
        help_text=gettext_lazy(
            "Naam, e-mail, telefoon (hoe je hem ook typt), postcode, EAN of de laatste cijfers ervan "
            "(minstens 4), meternummer of serienummer van de omvormer."
        ),
        widget=forms.TextInput(
            attrs={"type": "search", "autofocus": True, "autocomplete": "off", "size": 40}
        ),
    )


class ContactNoteForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Soort"), choices=ContactNote.Kind.choices)
    meter = forms.ModelChoiceField(
        label=gettext_lazy("Over meter"), queryset=Meter.objects.none(), required=False
    )
    text = forms.CharField(
        label=gettext_lazy("Wat werd er gezegd of gedaan?"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meter"].queryset = Meter.objects.filter(owner=customer).order_by("ean")
        self.fields["meter"].empty_label = _("(algemeen)")


class DateRangeForm(forms.Form):
    """Local dates ``first`` to ``last`` (inclusive); both needed unless ``optional``."""

    first = forms.DateField(
        label=gettext_lazy("Van"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    last = forms.DateField(
        label=gettext_lazy("Tot en met"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, optional=False, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = not optional
            field.input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
            field.error_messages["invalid"] = _("Geef een datum als jjjj-mm-dd.")

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        if first and last and last < first:
            raise forms.ValidationError(_("De einddatum ligt voor de begindatum."))
        return cleaned


# --- helpers ---------------------------------------------------------------------------------------


def _console_allowed(request) -> None:
    if not request.user.has_perm(CONSOLE_PERMISSION):
        raise PermissionDenied


def _customer(customer_id):
    customer = customer_for_console(customer_id=customer_id)
    if customer is None:
        raise Http404
    return customer


def _customer_meter(customer, meter_id) -> Meter:
    meter = Meter.objects.filter(pk=meter_id, owner=customer).first()
    if meter is None:
        raise Http404
    return meter


def _post_only(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _detail_url(customer, anchor: str = "") -> str:
    return reverse("admin:customer_detail", args=[customer.pk]) + (f"#{anchor}" if anchor else "")


def _resync_form(meter_pk=None, data=None):
    yesterday = clock.local_today() - ONE_DAY
    initial = {"first": yesterday - (RESYNC_DEFAULT_DAYS - 1) * ONE_DAY, "last": yesterday}
    return DateRangeForm(data, initial=initial, prefix=f"resync-{meter_pk}")


def _rebuild_form(meter_pk=None, data=None):
    return DateRangeForm(data, optional=True, prefix=f"rebuild-{meter_pk}")


def _detail_page(request, customer, *, status=200, note_form=None, meter_forms=None):
    """The customer's page; every rendering is one opening of their data, so one access record."""
    overview = customer_overview(user=customer)
    meter_forms = meter_forms or {}
    meters = []
    for row in overview.meters:
        pk = row.meter.pk
        forms_of = meter_forms.get(pk, {})
        meters.append(
            {
                "row": row,
                "resync_form": forms_of.get("resync") or _resync_form(pk),
                "rebuild_form": forms_of.get("rebuild") or _rebuild_form(pk),
            }
        )
    profile = overview.profile
    title = f"{profile.first_name} {profile.last_name}" if profile else customer.email
    context = {
        **admin.site.each_context(request),
        "title": title,
        "overview": overview,
        "meters": meters,
        "note_form": note_form or ContactNoteForm(customer=customer, prefix="note"),
        "today": clock.local_today(),
    }
    access_record(staff=request.user, customer_id=customer.pk, what="admin:customer_detail")
    return TemplateResponse(request, "admin/meters/customers/detail.html", context, status=status)


def _refused(request, customer, error: ApplicationError, **forms_):
    messages.error(request, error.message)
    return _detail_page(request, customer, status=http_status(error), **forms_)


# --- views -----------------------------------------------------------------------------------------


def customer_search(request):
    """Find a customer; a single hit opens their page at once."""
    _console_allowed(request)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    form = CustomerSearchForm(request.GET or None)
    hits, status = None, 200
    if form.is_bound:
        if form.is_valid():
            query = form.cleaned_data["q"]
            if query:
                hits = customers_find(query=query)
                if len(hits) == 1:
                    return redirect("admin:customer_detail", hits[0].customer.pk)
        else:
            status = 400
    context = {
        **admin.site.each_context(request),
        "title": _("Klant zoeken"),
        "form": form,
        "hits": hits,
        "rows": [{"hit": hit, "matched": [MATCHED_ON[key] for key in hit.matched_on]} for hit in hits or ()],
        "limit": CUSTOMER_SEARCH_LIMIT,
        "capped": hits is not None and len(hits) >= CUSTOMER_SEARCH_LIMIT,
    }
    return TemplateResponse(request, "admin/meters/customers/search.html", context, status=status)


def customer_detail(request, customer_id):
    """One customer: profile, meters with data health, mandates, faults, notes, and the actions."""
    _console_allowed(request)
    customer = _customer(customer_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _detail_page(request, customer)


def customer_note_add(request, customer_id):
    _console_allowed(request)
    if not request.user.has_perm("meters.add_contactnote"):
        raise PermissionDenied
    customer = _customer(customer_id)
    if (refused := _post_only(request)) is not None:
        return refused
    form = ContactNoteForm(request.POST, customer=customer, prefix="note")
    if not form.is_valid():
        messages.error(request, _("De notitie is niet bewaard: kijk de velden na."))
        return _detail_page(request, customer, status=400, note_form=form)
    try:
        contact_note_add(
            customer=customer,
            author=request.user,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            meter=form.cleaned_data["meter"],
        )
    except ApplicationError as error:
        return _refused(request, customer, error, note_form=form)
    messages.success(request, _("Notitie bewaard."))
    return redirect(_detail_url(customer, "notes"))


def customer_mandate_link(request, customer_id):
    _console_allowed(request)
    customer = _customer(customer_id)
    if (refused := _post_only(request)) is not None:
        return refused
    try:
        mandate_link_send(customer=customer, by=request.user)
    except ApplicationError as error:
        return _refused(request, customer, error)
    messages.success(
        request, _("Mail met de link om te verbinden verstuurd naar %(email)s.") % {"email": customer.email}
    )
    return redirect(_detail_url(customer, "mandates"))


def customer_meter_resync(request, customer_id, meter_id):
    _console_allowed(request)
    if not request.user.has_perm("meters.change_meter"):
        raise PermissionDenied
    customer = _customer(customer_id)
    meter = _customer_meter(customer, meter_id)
    if (refused := _post_only(request)) is not None:
        return refused
    form = _resync_form(meter.pk, request.POST)
    if not form.is_valid():
        messages.error(request, _("Opnieuw ophalen kan zo niet: kijk de datums na."))
        return _detail_page(request, customer, status=400, meter_forms={meter.pk: {"resync": form}})
    first, last = form.cleaned_data["first"], form.cleaned_data["last"]
    try:
        meter_resync_request(meter=meter, first=first, last=last)
    except ApplicationError as error:
        return _refused(request, customer, error, meter_forms={meter.pk: {"resync": form}})
    messages.success(
        request,
        _(
            "Meter %(ean)s: de gegevens van %(first)s tot en met %(last)s worden opnieuw opgehaald bij Fluvius."
        )
        % {
            "ean": meter.ean,
            "first": date_format(first, "SHORT_DATE_FORMAT"),
            "last": date_format(last, "SHORT_DATE_FORMAT"),
        },
    )
    return redirect(_detail_url(customer, f"meter-{meter.pk}"))


def customer_meter_rebuild_totals(request, customer_id, meter_id):
    _console_allowed(request)
    if not request.user.has_perm("meters.change_meter"):
        raise PermissionDenied
    customer = _customer(customer_id)
    meter = _customer_meter(customer, meter_id)
    if (refused := _post_only(request)) is not None:
        return refused
    form = _rebuild_form(meter.pk, request.POST)
    if not form.is_valid():
        messages.error(request, _("Herberekenen kan zo niet: kijk de datums na."))
        return _detail_page(request, customer, status=400, meter_forms={meter.pk: {"rebuild": form}})
    result = daily_totals_rebuild(
        meter=meter, first=form.cleaned_data["first"], last=form.cleaned_data["last"]
    )
    messages.success(
        request,
        _(
            "Meter %(ean)s: dagtotalen herberekend uit de kwartierwaarden: %(checked)d dagen nagekeken, "
            "%(rewritten)d herschreven, %(removed)d verwijderd."
        )
        % {
            "ean": meter.ean,
            "checked": result.days_checked,
            "rewritten": result.rewritten,
            "removed": result.removed,
        },
    )
    return redirect(_detail_url(customer, f"meter-{meter.pk}"))


def console_urls(site) -> list:
    """The console's pages on ``site``, each behind the admin's login and second factor."""
    view = site.admin_view
    return [
        path("klanten/", view(customer_search), name="customer_search"),
        path("klanten/<int:customer_id>/", view(customer_detail), name="customer_detail"),
        path("klanten/<int:customer_id>/notitie/", view(customer_note_add), name="customer_note_add"),
        path(
            "klanten/<int:customer_id>/mandaatlink/",
            view(customer_mandate_link),
            name="customer_mandate_link",
        ),
        path(
            "klanten/<int:customer_id>/meters/<int:meter_id>/opnieuw-ophalen/",
            view(customer_meter_resync),
            name="customer_meter_resync",
        ),
        path(
            "klanten/<int:customer_id>/meters/<int:meter_id>/dagtotalen/",
            view(customer_meter_rebuild_totals),
            name="customer_meter_rebuild_totals",
        ),
    ]


# --- the contact notes' own list -------------------------------------------------------------------


@admin.register(ContactNote)
class ContactNoteAdmin(admin.ModelAdmin):
    """Every contact note, to search and filter; added on the customer's page, then kept as written."""

    list_display = ["at", "kind", "customer_link", "meter", "author", "short_text"]
    list_filter = ["kind", ("author", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["customer__email", "customer__profile__last_name", "meter__ean", "text"]
    date_hierarchy = "at"
    list_select_related = ["customer__profile", "meter", "author"]
    fields = ["customer_link", "meter", "kind", "at", "author", "text"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # on the customer's page, through the service

    def has_change_permission(self, request, obj=None):
        return False  # a record of what happened: add a new note instead

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        note = self.get_object(request, unquote(object_id))
        if note is not None and response.status_code == 200:
            access_record(
                staff=request.user, customer_id=note.customer_id, what="admin:meters_contactnote_change"
            )
        return response

    @admin.display(description=gettext_lazy("klant"), ordering="customer__email")
    def customer_link(self, note):
        profile = getattr(note.customer, "profile", None)
        name = f"{profile.first_name} {profile.last_name}" if profile else note.customer.email
        if note.customer.is_staff or note.customer.is_superuser:
            return name
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:customer_detail", args=[note.customer_id]), name
        )

    @admin.display(description=gettext_lazy("tekst"))
    def short_text(self, note):
        return note.text if len(note.text) <= 80 else note.text[:79] + "…"


admin.site.register_pages(console_urls(admin.site))
