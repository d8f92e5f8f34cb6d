from django.urls import path

from meters import views

app_name = "meters"

urlpatterns = [
    path("", views.meter_list, name="list"),
    path("toevoegen/", views.meter_add, name="add"),
    path("<int:meter_id>/verbinden/", views.meter_connect, name="connect"),
    path("mandaat/<str:reference>/terug/", views.mandate_return, name="mandate_return"),
]
