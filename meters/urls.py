from django.urls import path

from meters.views import connect, exports, tariff

app_name = "meters"

urlpatterns = [
    path("", connect.meter_list, name="list"),
    path("toevoegen/", connect.meter_add, name="add"),
    path("<int:meter_id>/verbinden/", connect.meter_connect, name="connect"),
    path("mandaat/<str:reference>/terug/", connect.mandate_return, name="mandate_return"),
    path("<int:meter_id>/capaciteitstarief/", tariff.capacity_tariff, name="capacity_tariff"),
    path("<int:meter_id>/exporteren/", exports.export_form, name="export"),
    path("<int:meter_id>/exporteren/csv/", exports.export_download, name="export_download"),
]
