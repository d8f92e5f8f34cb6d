from django.urls import path

from consents import views

app_name = "consents"

urlpatterns = [
    path("accounts/communicatie/", views.communications, name="communications"),
    path("communicatie/afmelden/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
