from django.urls import path

from meters.views import connect

app_name = "meters"

urlpatterns = [
    path("", connect.meter_list, name="list"),
    path("toevoegen/", connect.meter_add, name="add"),
    path("<int:meter_id>/verbinden/", connect.meter_connect, name="connect"),
    path("mandaat/<str:reference>/terug/", connect.mandate_return, name="mandate_return"),
]
