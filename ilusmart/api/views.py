"""Base views of the API (no store, JSON only) and the schema and documentation pages."""

from datetime import UTC

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from ilusmart.api.errors import error_body
from ilusmart.api.throttling import IpThrottle, ThrottleOnceMixin


class NoStoreMixin:
    """Every answer of the API says ``Cache-Control: no-store, private`` (it is personal data), and
    tells every instant in UTC (``YYYY-MM-DDTHH:MM:SSZ``)."""

    def dispatch(self, request, *args, **kwargs):
        with timezone.override(UTC):
            return super().dispatch(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store, private"
        return response


class ApiView(NoStoreMixin, ThrottleOnceMixin, APIView):
    """Base of every API view: authenticated (token or session), throttled (one Redis round trip), not stored."""


class ApiListView(NoStoreMixin, ThrottleOnceMixin, ListAPIView):
    """Base of the API's list views (cursor pagination, the schema says so)."""


class SchemaView(NoStoreMixin, ThrottleOnceMixin, SpectacularAPIView):
    """The OpenAPI 3 schema (``/api/v1/schema/``, YAML; ``?format=json`` for JSON). Public."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [IpThrottle]


def _docs_csp() -> dict:
    """The site's CSP, with a nonce for the docs page's one inline script and style block."""
    policy = dict(settings.SECURE_CSP)
    policy["script-src"] = [*policy.get("script-src", [CSP.SELF]), CSP.NONCE]
    policy["style-src"] = [*policy.get("style-src", [CSP.SELF]), CSP.NONCE]
    return policy


class DocsView(NoStoreMixin, ThrottleOnceMixin, SpectacularSwaggerView):
    """The documentation page (``/api/v1/docs/``): Swagger UI from our own static files (sidecar).

    Its inline start-up script and style carry the CSP nonce (``templates/api/swagger_ui.html``).
    """

    template_name = "api/swagger_ui.html"
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [IpThrottle]

    @method_decorator(csp_override(_docs_csp()))
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)


@csrf_exempt  # it changes nothing, whatever the method
def not_found(request, *args, **kwargs):
    """Any other path under /api/v1/: the API's 404 in its own shape (not the site's HTML page)."""
    response = JsonResponse(error_body(code="not_found", message=gettext("Niet gevonden.")), status=404)
    response["Cache-Control"] = "no-store, private"
    return response
