from django.contrib import admin

from meters.models import Meter, Product


class ProductInline(admin.TabularInline):
    model = Product
    extra = 0


@admin.register(Meter)
class MeterAdmin(admin.ModelAdmin):
    list_display = ["ean", "label", "owner", "meter_id", "created_at"]
    search_fields = ["ean", "label", "meter_id", "owner__email"]
    raw_id_fields = ["owner"]
    readonly_fields = ["created_at"]
    inlines = [ProductInline]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["meter", "kind", "kwp", "panel_count", "installed_on"]
    list_filter = ["kind"]
    search_fields = ["meter__ean", "inverter_serial"]
    raw_id_fields = ["meter"]
