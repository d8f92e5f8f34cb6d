from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("aanmelden/", views.LoginView.as_view(), name="login"),
    path("afmelden/", views.logout, name="logout"),
    path("registreren/", views.sign_up, name="sign_up"),
    path("registreren/verstuurd/", views.sign_up_done, name="sign_up_done"),
    path("bevestigen/<str:token>/", views.verify_email, name="verify"),
    path("profiel/", views.profile, name="profile"),
    path("e-mailadres/wijzigen/", views.email_change, name="email_change"),
    path("wachtwoord/wijzigen/", views.password_change, name="password_change"),
    path("sessies/", views.sessions, name="sessions"),
    path("app/", views.api_tokens, name="api_tokens"),
    path("app/<int:token_id>/afmelden/", views.api_token_revoke_view, name="api_token_revoke"),
    path("e-mailadres/bevestigen/<str:token>/", views.email_change_confirm, name="email_change_confirm"),
    path("e-mailadres/annuleren/<str:token>/", views.email_change_cancel, name="email_change_cancel"),
    path("wachtwoord/vergeten/", views.password_reset, name="password_reset"),
    path("wachtwoord/verstuurd/", views.password_reset_done, name="password_reset_done"),
    path("wachtwoord/nieuw/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("wachtwoord/klaar/", views.password_reset_complete, name="password_reset_complete"),
]
