from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect

from meters.forms import ReadingImportForm
from meters.models import CapacityTariffPrice, Meter, MeterSyncState, Product, ReadingImport, SyncDeadLetter
from meters.services.csv_import import ReadingImportRejected, readings_csv_import, too_large_message
from meters.views.imports import import_summary, upload_too_large


class ProductInline(admin.TabularInline):
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
        summary = import_summary(meter, request.GET["import"]) if "import" in request.GET else None
        return self._import_csv_page(request, meter, ReadingImportForm(), summary=summary)

    @method_decorator(csrf_protect)
    def _import_csv_post(self, request, meter):
        form = ReadingImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._import_csv_page(request, meter, form, status=400)
        try:
            summary = readings_csv_import(
                meter=meter, file=form.cleaned_data["file"], uploaded_by=request.user
            )
        except ReadingImportRejected as rejected:
            return self._import_csv_page(
                request, meter, ReadingImportForm(), rejected.messages, rejected.status
            )
        url = reverse("admin:meters_meter_import_csv", args=[meter.pk])
        return redirect(f"{url}?import={summary.import_id}")

    def _import_csv_page(self, request, meter, form, errors=(), status=200, summary=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "meter": meter,
            "form": form,
            "errors": list(errors),
            "summary": summary,
            "title": _("CSV inlezen"),
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


@admin.register(ReadingImport)
class ReadingImportAdmin(admin.ModelAdmin):
    """The audit of CSV uploads: read only (written by meters.services.csv_import)."""

    list_display = ["uploaded_at", "meter", "uploaded_by", "filename", "status"]
    list_filter = ["status"]
    search_fields = ["meter__ean", "filename", "uploaded_by__email"]
    list_select_related = ["meter", "uploaded_by"]
    readonly_fields = ["meter", "uploaded_by", "filename", "uploaded_at", "status", "summary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
