from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect

from ilusmart import clock
from ilusmart.admin_readonly import ReadOnlyAdmin
from ilusmart.errors import http_status
from meters.forms import ReadingImportForm
from meters.models import (
    CapacityTariffPrice,
    EnergyTariff,
    Fault,
    FaultNote,
    Meter,
    MeterSyncState,
    Product,
    ReadingImport,
    SyncDeadLetter,
)
from meters.services.csv_import import ReadingImportRejected, readings_csv_upload, too_large_message
from meters.services.faults import (
    ACKNOWLEDGE,
    FALSE_ALARM,
    RESOLVE,
    FaultActionRefused,
    fault_acknowledge,
    fault_action_check,
    fault_close,
    fault_open_by_staff,
    fault_update,
)
from meters.views.imports import import_outcome, import_status_response, upload_too_large


class ProductInline(admin.StackedInline):
    # Stacked: nine fields side by side would not fit a 1,280-px screen.
    model = Product
    extra = 0


class SyncStateInline(admin.StackedInline):
    model = MeterSyncState
    can_delete = False
    extra = 0
    readonly_fields = [f.name for f in MeterSyncState._meta.fields if f.name != "meter"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meter)
class MeterAdmin(admin.ModelAdmin):
    list_display = ["ean", "label", "owner", "meter_id", "data_until", "last_sync_error"]
    search_fields = ["ean", "label", "meter_id", "owner__email"]
    raw_id_fields = ["owner"]
    readonly_fields = ["created_at"]
    inlines = [ProductInline, SyncStateInline]
    list_select_related = ["owner", "sync_state"]

    def get_urls(self):
        def import_csv(request, object_id):
            return self.import_csv_view(request, object_id)

        # CSRF is checked after the upload's size (meters.views.imports); admin_view would check
        # it first and so read a 50 MB body.
        import_csv.csrf_exempt = True
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/csv-inlezen/",
                self.admin_site.admin_view(import_csv),
                name="{}_{}_import_csv".format(*info),
            ),
            *super().get_urls(),
        ]

    def import_csv_view(self, request, object_id):
        """Staff import a homeowner's Mijn Fluvius CSV export (same service as the homeowner's page)."""
        meter = self.get_object(request, unquote(object_id))
        if meter is None:
            raise Http404
        if not request.user.has_perm("meters.import_readings"):
            raise PermissionDenied
        if request.method == "POST":
            if upload_too_large(request, meter):
                return self._import_csv_page(request, meter, ReadingImportForm(), [too_large_message()], 413)
            return self._import_csv_post(request, meter)
        if "import" in request.GET and request.GET.get("status") == "json":
            return import_status_response(meter, request.GET["import"])
        outcome = import_outcome(meter, request.GET["import"]) if "import" in request.GET else {}
        return self._import_csv_page(request, meter, ReadingImportForm(), **outcome)

    @method_decorator(csrf_protect)
    def _import_csv_post(self, request, meter):
        form = ReadingImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._import_csv_page(request, meter, form, status=400)
        try:
            record = readings_csv_upload(
                meter=meter, file=form.cleaned_data["file"], uploaded_by=request.user
            )
        except ReadingImportRejected as rejected:
            return self._import_csv_page(
                request, meter, ReadingImportForm(), rejected.messages, http_status(rejected)
            )
        url = reverse("admin:meters_meter_import_csv", args=[meter.pk])
        return redirect(f"{url}?import={record.pk}")

    def _import_csv_page(self, request, meter, form, errors=(), status=200, **outcome):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "meter": meter,
            "form": form,
            "title": _("CSV inlezen"),
            **outcome,
            "errors": list(errors) or outcome.get("errors", []),
        }
        return TemplateResponse(request, "admin/meters/meter/import_csv.html", context, status=status)

    @admin.display(description=_("gegevens tot"))
    def data_until(self, meter):
        state = getattr(meter, "sync_state", None)
        return state.data_until if state else None

    @admin.display(description=_("laatste fout"))
    def last_sync_error(self, meter):
        state = getattr(meter, "sync_state", None)
        return state.last_error[:80] if state and state.last_error else ""


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["meter", "kind", "kwp", "panel_count", "installed_on"]
    list_filter = ["kind"]
    search_fields = ["meter__ean", "inverter_serial"]
    raw_id_fields = ["meter"]


@admin.register(SyncDeadLetter)
class SyncDeadLetterAdmin(admin.ModelAdmin):
    list_display = ["created_at", "meter", "task", "error", "resolved_at"]
    list_filter = ["task", "resolved_at"]
    search_fields = ["meter__ean"]
    readonly_fields = ["meter", "task", "arguments", "error", "created_at"]

    def has_add_permission(self, request):
        return False  # written by the sync tasks only (an empty one could not even be saved)


@admin.register(CapacityTariffPrice)
class CapacityTariffPriceAdmin(admin.ModelAdmin):
    """Staff keep the grid operator's price per kW per year here; periods may not overlap."""

    list_display = ["grid_operator", "label", "price_eur_per_kw_year", "valid_from", "valid_to"]
    list_filter = ["grid_operator"]
    date_hierarchy = "valid_from"


@admin.register(EnergyTariff)
class EnergyTariffAdmin(admin.ModelAdmin):
    """Typical energy prices for the battery what-if (homeowners may enter their own); periods may
    not overlap."""

    list_display = [
        "label",
        "offtake_day_eur_per_kwh",
        "offtake_night_eur_per_kwh",
        "injection_eur_per_kwh",
        "fixed_eur_per_year",
        "valid_from",
        "valid_to",
    ]
    date_hierarchy = "valid_from"


@admin.register(ReadingImport)
class ReadingImportAdmin(ReadOnlyAdmin):
    """The audit of CSV uploads: read only (written by meters.services.csv_import)."""

    list_display = ["uploaded_at", "meter", "uploaded_by", "filename", "status"]
    list_filter = ["status"]
    search_fields = ["meter__ean", "filename", "uploaded_by__email"]
    list_select_related = ["meter", "uploaded_by"]
    readonly_fields = ["meter", "uploaded_by", "filename", "uploaded_at", "status", "summary"]


# --- Faults (storingen): support's queue ----------------------------------------------------------


class FaultNoteInline(admin.TabularInline):
    """Contact notes (call, mail, visit, note): added by support, then kept as written."""

    model = FaultNote
    extra = 1
    fields = ["at", "kind", "author", "text"]
    readonly_fields = ["at", "author"]
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False  # a note is a record of what happened: add a new one instead of editing


class FaultStatusFilter(admin.SimpleListFilter):
    """Status, by default the faults still to follow up (open or in progress)."""

    title = _("status")
    parameter_name = "status"
    ACTIVE, ALL = "active", "all"

    def lookups(self, request, model_admin):
        return [
            (self.ACTIVE, _("te volgen (open of in behandeling)")),
            *Fault.Status.choices,
            (self.ALL, _("alle")),
        ]

    def queryset(self, request, queryset):
        value = self.value() or self.ACTIVE
        if value == self.ACTIVE:
            return queryset.filter(status__in=Fault.ACTIVE_STATUSES)
        if value == self.ALL:
            return queryset
        return queryset.filter(status=value)

    def choices(self, changelist):
        current = self.value() or self.ACTIVE
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class FaultAdminForm(forms.ModelForm):
    """Fault fields staff edit, plus the reason that goes with resolving or a false alarm."""

    reason = forms.CharField(
        label=_("Reden (bij oplossen of vals alarm)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Fault
        fields = ["meter", "type", "severity", "started", "assignee"]

    def clean(self):
        cleaned = super().clean()
        action = next((a for a in FaultAdmin.ACTIONS if f"_{a}" in self.data), None)
        if self.instance.pk is None:
            meter, fault_type = cleaned.get("meter"), cleaned.get("type")
            if (
                meter
                and fault_type
                and meter.faults.filter(type=fault_type, status__in=Fault.ACTIVE_STATUSES).exists()
            ):
                raise forms.ValidationError(_("Deze meter heeft al een open storing van deze soort."))
        elif action:
            try:
                fault_action_check(fault=self.instance, action=action, reason=cleaned.get("reason", ""))
            except FaultActionRefused as refused:
                raise forms.ValidationError(str(refused)) from refused
        return cleaned


@admin.register(Fault)
class FaultAdmin(admin.ModelAdmin):
    """Support's queue: most severe first, then the oldest; open a fault to act on it."""

    ACTIONS = (ACKNOWLEDGE, RESOLVE, FALSE_ALARM)
    form = FaultAdminForm
    list_display = ["severity", "type", "meter_ean", "customer", "started", "age_days", "status", "assignee"]
    list_display_links = ["type"]
    list_filter = [FaultStatusFilter, "type", "severity", ("assignee", admin.RelatedOnlyFieldListFilter)]
    search_fields = [
        "meter__ean",
        "meter__label",
        "meter__meter_id",
        "meter__owner__email",
        "meter__owner__profile__first_name",
        "meter__owner__profile__last_name",
        "meter__owner__profile__phone",
        "meter__owner__profile__postal_code",
    ]
    ordering = ["-severity", "started", "pk"]
    list_select_related = ["meter__owner__profile", "assignee"]
    raw_id_fields = ["meter"]
    inlines = [FaultNoteInline]
    actions = ["acknowledge_selected"]

    def get_readonly_fields(self, request, obj=None):
        shown = [
            "status",
            "resolved",
            "resolution_reason",
            "evidence_table",
            "opened_by",
            "closed_by",
            "created_at",
            "updated_at",
        ]
        return shown + (["meter", "type", "started"] if obj is not None else [])

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["meter", "type", "severity", "started", "assignee"]
        return [
            "meter",
            "type",
            "status",
            "severity",
            "started",
            "resolved",
            "assignee",
            "evidence_table",
            "reason",
            "resolution_reason",
            "opened_by",
            "closed_by",
            "created_at",
            "updated_at",
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            kwargs["queryset"] = (
                get_user_model().objects.filter(is_staff=True, is_active=True).order_by("email")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            fault_open_by_staff(fault=obj, by=request.user)
            return
        edited = [name for name in form.changed_data if name in ("severity", "assignee")]
        if edited:
            fault_update(fault=obj, fields=edited)
        reason = form.cleaned_data.get("reason", "")
        if f"_{ACKNOWLEDGE}" in request.POST:
            fault_acknowledge(fault=obj, by=request.user)
        elif f"_{RESOLVE}" in request.POST:
            fault_close(fault=obj, by=request.user, reason=reason)
        elif f"_{FALSE_ALARM}" in request.POST:
            fault_close(fault=obj, by=request.user, false_alarm=True, reason=reason)

    def save_formset(self, request, form, formset, change):
        notes = formset.save(commit=False)
        for note in notes:
            note.author = request.user
            note.at = clock.now()
            note.save()
        formset.save_m2m()

    def response_change(self, request, obj):
        if any(f"_{a}" in request.POST for a in self.ACTIONS):
            # Stay on the fault: the action's result and the notes are what support reads next.
            self.message_user(
                request, _("Storing bijgewerkt: %(status)s.") % {"status": obj.get_status_display()}
            )
            return redirect(request.path)
        return super().response_change(request, obj)

    @admin.action(description=_("In behandeling nemen (aan mij toewijzen)"), permissions=["change"])
    def acknowledge_selected(self, request, queryset):
        taken = 0
        for fault in queryset.filter(status=Fault.Status.OPEN):
            fault_acknowledge(fault=fault, by=request.user)
            taken += 1
        self.message_user(request, _("%(count)d storing(en) in behandeling genomen.") % {"count": taken})

    @admin.display(description=_("klant"), ordering="meter__owner__email")
    def customer(self, fault):
        owner = fault.meter.owner
        if owner is None:
            return "—"
        profile = getattr(owner, "profile", None)
        # The name only: the address made the queue wider than a 1,280-px screen (search finds it).
        return str(profile) if profile else owner.email

    @admin.display(description=_("meter"), ordering="meter__ean")
    def meter_ean(self, fault):
        return fault.meter.ean

    @admin.display(description=_("dagen"), ordering="started")
    def age_days(self, fault):
        end = fault.resolved or clock.local_today()
        return (end - fault.started).days

    @admin.display(description=_("aanwijzingen"))
    def evidence_table(self, fault):
        rows = _evidence_rows(fault.evidence)
        if not rows:
            return "—"
        return format_html_join(
            "", '<div><span class="help">{}</span> {}</div>', ((key, value) for key, value in rows)
        )


def _evidence_rows(evidence, prefix=""):
    """Flatten the evidence JSON into (label, value) rows for reading in admin."""
    if isinstance(evidence, dict):
        return [row for key, value in evidence.items() for row in _evidence_rows(value, f"{prefix}{key}.")]
    if isinstance(evidence, list):
        rows = []
        for index, value in enumerate(evidence, 1):
            label = f"{prefix.rstrip('.')} {index}"
            if isinstance(value, dict):
                rows.append((label, ", ".join(f"{k}: {v}" for k, v in value.items())))
            else:
                rows.extend(_evidence_rows(value, f"{label}."))
        return rows
    return [(prefix.rstrip("."), "—" if evidence is None else evidence)]


# The support console (customer search and page, contact notes) and the periodic tasks' page
# live in modules of their own; importing them registers them on the admin site.
from meters import admin_customers, admin_periodic  # noqa: E402, F401
