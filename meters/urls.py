from django.urls import path, register_converter

from meters.converters import IsoDateConverter, IsoMonthConverter, YearConverter
from meters.views import battery, charts, connect, dashboard, exports, faults, imports, tariff

register_converter(IsoDateConverter, "isodate")
register_converter(IsoMonthConverter, "isomonth")
register_converter(YearConverter, "year")

app_name = "meters"

urlpatterns = [
    path("", connect.meter_list, name="list"),
    path("toevoegen/", connect.meter_add, name="add"),
    path("<int:meter_id>/verbinden/", connect.meter_connect, name="connect"),
    path("<int:meter_id>/importeren/", imports.meter_import, name="import"),
    path("mandaat/<str:reference>/terug/", connect.mandate_return, name="mandate_return"),
    path("<int:meter_id>/capaciteitstarief/", tariff.capacity_tariff, name="capacity_tariff"),
    path("<int:meter_id>/thuisbatterij/", battery.battery_whatif_page, name="battery"),
    path("<int:meter_id>/thuisbatterij/tarief/", battery.battery_tariff, name="battery_tariff"),
    path("<int:meter_id>/exporteren/", exports.export_form, name="export"),
    path("<int:meter_id>/exporteren/csv/", exports.export_download, name="export_download"),
    path("<int:meter_id>/storingen/mail/", faults.fault_email, name="fault_email"),
    path("<int:meter_id>/", dashboard.meter_dashboard_page, name="dashboard"),
    path("<int:meter_id>/dag/<isodate:day>/", charts.day_view, name="day"),
    path("<int:meter_id>/maand/<isomonth:month>/", charts.month_view, name="month"),
    path("<int:meter_id>/jaar/<year:year>/", charts.year_view, name="year"),
    path("<int:meter_id>/jaren/", charts.years_view, name="years"),
    path("<int:meter_id>/kies/", charts.period_pick, name="pick"),
]
