"""Cookie consent on every page: the choice in force, Google Analytics only with it, and its CSP.

``CookieConsentMiddleware`` puts ``request.cookie_consent`` (a ``ConsentState``, read lazily from
the consent cookie) on every request; templates/base.html shows the banner while a choice is
needed and loads the GA4 tag only when analytics were accepted. On the way out it widens the
page's Content Security Policy for Google's hosts only in that case (with the nonce the tag
carries), and deletes analytics cookies the browser still sends without a valid consent (after a
withdrawal, after six months, or when analytics is switched off).
"""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.utils.csp import CSP
from django.utils.translation import get_language

from consents.cookie_choice import CONSENT_COOKIE, CookieChoice, consent_valid_for
from consents.selectors.cookies import cookie_choice_current
from privacy.cookies import consent_cookie_lists
from privacy.models import PolicyDocument
from privacy.selectors import policy_current, policy_language

# Google's hosts for GA4 with gtag.js (Google's "Content Security Policy" guide for Tag Manager).
GOOGLE_SCRIPT_HOSTS = ("https://www.googletagmanager.com",)
GOOGLE_BEACON_HOSTS = (
    "https://*.google-analytics.com",
    "https://*.analytics.google.com",
    "https://*.googletagmanager.com",
)


def is_analytics_cookie(name: str) -> bool:
    """_ga and _ga_<container>: what gtag.js sets for GA4."""
    return name == "_ga" or name.startswith("_ga_")


class ConsentState:
    """What one request knows about cookie consent (computed on first use)."""

    def __init__(self, request, choice: CookieChoice | None = None, decided: bool = False):
        self._request = request
        self.ga4_id = settings.ANALYTICS_GA4_ID
        if decided:
            self.__dict__["choice"] = choice

    @cached_property
    def cookie_lists(self) -> dict[str, tuple[str, ...]]:
        return consent_cookie_lists()

    @property
    def offered(self) -> bool:
        """Is there anything to choose (an optional category with cookies)?"""
        return bool(self.ga4_id)

    @cached_property
    def choice(self) -> CookieChoice | None:
        if not self.offered:
            return None
        return cookie_choice_current(
            cookie_value=self._request.COOKIES.get(CONSENT_COOKIE), cookie_lists=self.cookie_lists
        )

    @property
    def cookie_expires(self) -> int:
        """Seconds Google's cookies may live: no longer than the consent itself."""
        return int(consent_valid_for().total_seconds())

    @property
    def banner(self) -> bool:
        return self.offered and self.choice is None

    @property
    def analytics(self) -> bool:
        return self.offered and self.choice is not None and self.choice.analytics

    @property
    def any_accepted(self) -> bool:
        return self.choice is not None and bool(self.choice.accepted)


def consent_state_after(request, choice: CookieChoice) -> ConsentState:
    """The state once ``choice`` is made in this request (for the response that follows it)."""
    return ConsentState(request, choice=choice, decided=True)


def cookie_policy_version(language_code: str | None = None) -> str:
    """The cookie policy shown to the visitor now, as the record names it ("cookies/nl/v2")."""
    document = policy_current(
        kind=PolicyDocument.Kind.COOKIES, language=policy_language(language_code or get_language())
    )
    return f"{document.kind}/{document.language}/v{document.version}" if document else ""


def consent_cookie_set(response, value: str) -> None:
    response.set_cookie(
        CONSENT_COOKIE,
        value,
        max_age=int(consent_valid_for().total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _with_analytics_hosts(config: dict) -> dict:
    widened = {directive: list(values) for directive, values in config.items()}
    script = widened.setdefault("script-src", [CSP.SELF])
    script += [value for value in (CSP.NONCE, *GOOGLE_SCRIPT_HOSTS) if value not in script]
    for directive in ("connect-src", "img-src"):
        values = widened.setdefault(directive, [CSP.SELF])
        values += [host for host in GOOGLE_BEACON_HOSTS if host not in values]
    return widened


class CookieConsentMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.cookie_consent = ConsentState(request)
        response = self.get_response(request)
        state = request.cookie_consent  # a view may have replaced it with the choice just made
        if state.analytics:
            if response.get("Content-Type", "").startswith("text/html"):
                config = getattr(response, "_csp_config", settings.SECURE_CSP)
                if config:
                    response._csp_config = _with_analytics_hosts(config)
        else:
            for name in request.COOKIES:
                if is_analytics_cookie(name) and name not in response.cookies:
                    response.delete_cookie(name, samesite="Lax")
        return response
