from django.urls import path

from privacy import views, views_my_data

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.privacy_statement, name="statement"),
    path("cookies/", views.cookie_policy, name="cookies"),
    path("cookies/instellingen/", views.cookie_settings, name="cookie_settings"),
    path("privacy/verzoek/<str:token>/", views.deletion_confirm, name="deletion_confirm"),
    path("mijn-gegevens/", views_my_data.my_data, name="my_data"),
    path("mijn-gegevens/pauzeren/", views_my_data.pause, name="my_data_pause"),
    path("mijn-gegevens/hervatten/", views_my_data.resume, name="my_data_resume"),
    path("mijn-gegevens/wissen/", views_my_data.delete, name="my_data_delete"),
    path("mijn-gegevens/download/", views_my_data.export_start, name="my_data_export"),
    path("mijn-gegevens/download/status/", views_my_data.export_status, name="my_data_export_status"),
    path(
        "mijn-gegevens/download/<str:token>/", views_my_data.export_download, name="my_data_export_download"
    ),
]
