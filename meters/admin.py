from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from meters.models import CapacityTariffPrice, Meter, MeterSyncState, Product, SyncDeadLetter


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


@admin.register(CapacityTariffPrice)
class CapacityTariffPriceAdmin(admin.ModelAdmin):
    """Staff keep the grid operator's price per kW per year here; periods may not overlap."""

    list_display = ["grid_operator", "label", "price_eur_per_kw_year", "valid_from", "valid_to"]
    list_filter = ["grid_operator"]
    date_hierarchy = "valid_from"
