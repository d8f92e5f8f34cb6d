from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.privacy_statement, name="statement"),
    path("cookies/", views.cookie_policy, name="cookies"),
    path("cookies/instellingen/", views.cookie_settings, name="cookie_settings"),
    path("privacy/verzoek/<str:token>/", views.deletion_confirm, name="deletion_confirm"),
]
