"""Security headers beyond Django's own, the CSP report endpoint and ``/.well-known/security.txt``.

Django sets the Content Security Policy (``SECURE_CSP``, with ``report-uri`` and ``report-to``
naming our endpoint), HSTS, nosniff, Referrer-Policy and X-Frame-Options. This adds:

* ``Permissions-Policy``: every powerful browser feature the portal does not use is denied to
  the page and to anything it could embed (``settings.PERMISSIONS_POLICY``);
* ``Reporting-Endpoints``: where ``report-to csp`` sends violation reports (Reporting API);
* ``csp_report``: the endpoint both kinds of report reach. CSRF-exempt (browsers post without a
  token), rate-limited per client address, body size-limited before it is read; 204 when read,
  400/413/429 for anything else, never 500 (``accounts.services.csp_reports``);
* ``security_txt``: RFC 9116, with an ``Expires`` computed from the project clock.
"""

from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.client_ip import client_ip_address
from accounts.services.csp_reports import csp_reports_record
from accounts.services.rate_limits import rate_limit_take
from ilusmart import clock
from ilusmart.errors import ApplicationError, http_status

REPORT_GROUP = "csp"  # the name ``report-to`` uses in SECURE_CSP
# RFC 9116 recommends an Expires less than a year ahead; computed at each request.
SECURITY_TXT_VALID = timedelta(days=180)


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` → ``camera=(), fullscreen=(self)``."""
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items())


class SecurityHeadersMiddleware:
    """Adds ``Permissions-Policy`` to every answer and ``Reporting-Endpoints`` where a CSP is set."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if "Content-Security-Policy" in response.headers:
            endpoint = request.build_absolute_uri(reverse("csp_report"))
            response.headers.setdefault("Reporting-Endpoints", f'{REPORT_GROUP}="{endpoint}"')
        return response


def _limited_body(request) -> bytes:
    """The request body, at most ``CSP_REPORT_MAX_BYTES + 1`` bytes of it (the service refuses more)."""
    limit = settings.CSP_REPORT_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return b"x" * (limit + 1)  # refused as too large without reading it
    return request.read(limit + 1)


@csrf_exempt  # browsers post reports without a CSRF token or cookies
@require_POST
@never_cache
def csp_report(request):
    """Log the violations of one CSP report (204), or refuse the body (4xx)."""
    try:
        rate_limit_take(action="csp_report", ip=client_ip_address(request))
        csp_reports_record(body=_limited_body(request), content_type=request.content_type or "")
    except ApplicationError as refused:
        return HttpResponse(
            refused.message, status=http_status(refused), content_type="text/plain; charset=utf-8"
        )
    return HttpResponse(status=204)


@require_GET
@cache_control(max_age=24 * 3600, public=True)
def security_txt(request):
    """``/.well-known/security.txt`` (RFC 9116): who to tell about a vulnerability, in which languages."""
    expires = (clock.now() + SECURITY_TXT_VALID).replace(microsecond=0)
    lines = [
        f"Contact: mailto:{settings.SECURITY_CONTACT_EMAIL}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: nl, en",
        f"Canonical: {settings.SITE_URL}{reverse('security_txt')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
