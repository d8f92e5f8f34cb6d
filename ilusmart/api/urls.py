"""The API's URL table, under /api/v1/ (namespace ``api``). Each app's views live in ``<app>/api/``.

Every route here is walked by tests/ilusmart/api/test_scoping.py: a new route without a line
there fails the test.
"""

from django.urls import path, re_path

from accounts.api import views as accounts
from consents.api import views as consents
from ilusmart.api.views import DocsView, SchemaView, not_found
from meters.api import views as meters
from privacy.api import views as privacy

app_name = "api"

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("auth/token/", accounts.TokenCreateView.as_view(), name="token"),
    path("auth/tokens/", accounts.TokenListView.as_view(), name="tokens"),
    path("auth/tokens/<int:token_id>/", accounts.TokenRevokeView.as_view(), name="token_revoke"),
    path("me/", accounts.MeView.as_view(), name="me"),
    path("me/communications/", consents.CommunicationsView.as_view(), name="communications"),
    path("me/pause/", privacy.PauseView.as_view(), name="pause"),
    path("me/export/", privacy.ExportView.as_view(), name="export"),
    path("me/deletion-request/", privacy.DeletionRequestView.as_view(), name="deletion_request"),
    path("meters/", meters.MeterListView.as_view(), name="meters"),
    path("meters/<str:ean>/", meters.MeterDetailView.as_view(), name="meter"),
    path("meters/<str:ean>/readings/", meters.ReadingsView.as_view(), name="readings"),
    path("meters/<str:ean>/capacity/", meters.CapacityView.as_view(), name="capacity"),
    path("meters/<str:ean>/battery/", meters.BatteryWhatIfView.as_view(), name="battery"),
    path("mandates/", meters.MandateListView.as_view(), name="mandates"),
    path("faults/", meters.FaultListView.as_view(), name="faults"),
    re_path(r"^.*$", not_found, name="not_found"),  # last: every other path is a JSON 404
]
