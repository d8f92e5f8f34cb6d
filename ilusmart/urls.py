from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import security
from meters.views import dashboard

from . import views

urlpatterns = [
    path("", dashboard.home, name="home"),  # the homeowner's dashboard
    path("healthz", views.healthz, name="healthz"),
    path("csp-rapport/", security.csp_report, name="csp_report"),  # CSP violation reports (issue 9)
    path(".well-known/security.txt", security.security_txt, name="security_txt"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("ilusmart.api.urls")),  # the mobile app's JSON API (issue 11)
    path("accounts/", include("accounts.urls")),
    path("", include("consents.urls")),  # /accounts/communicatie/, /communicatie/afmelden/<token>/
    path("meters/", include("meters.urls")),
    path("", include("privacy.urls")),  # /privacy/, /cookies/
    path(settings.ADMIN_URL, admin.site.urls),  # staff only, behind a second factor (issue 7)
]
