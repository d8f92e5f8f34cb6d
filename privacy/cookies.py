"""Every cookie the portal sets: name, purpose, category and lifetime (the cookie registry).

The cookie policy's table is written from this list when a version is published
(``privacy.services.policies``), and tests/privacy/test_cookies.py walks real responses (login,
dashboard, profile, language switch, admin with its second factor) and fails on a Set-Cookie
whose name is not here, or a cookie here that nothing sets. A new cookie therefore needs a line
here and a new version of the cookie policy (the test of the published table says so).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.services.login_lockout import KNOWN_DEVICE_COOKIE, KNOWN_DEVICE_MAX_AGE
from consents.cookie_choice import CATEGORIES, CONSENT_COOKIE


class Category:
    STRICTLY_NECESSARY = _("strikt noodzakelijk")
    FUNCTIONAL = _("functioneel")
    ANALYTICS = _("analytisch (alleen met je toestemming)")
    SOCIAL_MEDIA = _("sociale media (alleen met je toestemming)")


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: str
    category: str
    lifetime: str
    set_by: str  # the code that sets it, for whoever maintains this list
    # The optional category a visitor consents to ("analytics", "social_media"); "" for cookies
    # that need no consent (strictly necessary, functional).
    consent: str = ""


def _duration(seconds: int) -> str:
    days, hours, minutes = seconds // 86400, seconds // 3600, seconds // 60
    if seconds % 86400 == 0 and days % 365 == 0:
        years = days // 365
        return ngettext("%(n)d jaar", "%(n)d jaar", years) % {"n": years}
    if seconds % 86400 == 0 and days >= 28 and days % 7 == 0:
        weeks = days // 7
        return ngettext("%(n)d week", "%(n)d weken", weeks) % {"n": weeks}
    if seconds >= 86400 and seconds % 86400 == 0:
        return ngettext("%(n)d dag", "%(n)d dagen", days) % {"n": days}
    if seconds >= 3600 and seconds % 3600 == 0:
        return ngettext("%(n)d uur", "%(n)d uur", hours) % {"n": hours}
    return ngettext("%(n)d minuut", "%(n)d minuten", minutes) % {"n": minutes}


def _session_lifetime() -> str:
    return _(
        "tot %(idle)s zonder gebruik, hoogstens %(max)s; voor medewerkers %(staff_idle)s en %(staff_max)s"
    ) % {
        "idle": _duration(settings.HOMEOWNER_SESSION_IDLE_SECONDS),
        "max": _duration(settings.HOMEOWNER_SESSION_MAX_SECONDS),
        "staff_idle": _duration(settings.STAFF_SESSION_IDLE_SECONDS),
        "staff_max": _duration(settings.STAFF_SESSION_MAX_SECONDS),
    }


def _age_or_browser_session(seconds: int | None) -> str:
    return _duration(seconds) if seconds else _("tot je de browser sluit")


def portal_cookies() -> tuple[Cookie, ...]:
    """The registry, with names and lifetimes from the settings in force (translated when read)."""
    return (
        Cookie(
            name=settings.SESSION_COOKIE_NAME,
            purpose=_("Houdt je aangemeld terwijl je de portal gebruikt."),
            category=str(Category.STRICTLY_NECESSARY),
            lifetime=_session_lifetime(),
            set_by="django.contrib.sessions (accounts.services.sessions sets the lifetimes)",
        ),
        Cookie(
            name=settings.CSRF_COOKIE_NAME,
            purpose=_("Beveiliging: bewijst dat een formulier echt van de portal komt (tegen CSRF)."),
            category=str(Category.STRICTLY_NECESSARY),
            lifetime=_age_or_browser_session(settings.CSRF_COOKIE_AGE),
            set_by="django.middleware.csrf",
        ),
        Cookie(
            name=KNOWN_DEVICE_COOKIE,
            purpose=_(
                "Beveiliging: herkent een browser waarin je al eens aanmeldde, zodat een aanval op je "
                "account je daar niet buitensluit. Bevat het nummer van je account en een willekeurige code, "
                "ondertekend tegen vervalsing."
            ),
            category=str(Category.STRICTLY_NECESSARY),
            lifetime=_duration(KNOWN_DEVICE_MAX_AGE),
            set_by="accounts.lockout.KnownDeviceMiddleware",
        ),
        Cookie(
            name=CookieStorage.cookie_name,
            purpose=_(
                "Toont een melding op de volgende pagina (bv. 'Je gegevens zijn bewaard') en verdwijnt dan."
            ),
            category=str(Category.STRICTLY_NECESSARY),
            lifetime=_("tot de melding getoond is"),
            set_by="django.contrib.messages",
        ),
        Cookie(
            name=settings.LANGUAGE_COOKIE_NAME,
            purpose=_("Onthoudt de taal die je zelf koos (Nederlands of Engels)."),
            category=str(Category.FUNCTIONAL),
            lifetime=_age_or_browser_session(settings.LANGUAGE_COOKIE_AGE),
            set_by="django.views.i18n.set_language",
        ),
        *_consent_cookies(),
    )


def ga4_cookie_names() -> tuple[str, ...]:
    """The cookies Google Analytics 4 sets (host-only, see static/js/analytics.js), or none."""
    ga4_id = settings.ANALYTICS_GA4_ID
    return ("_ga", f"_ga_{ga4_id.removeprefix('G-')}") if ga4_id else ()


def _consent_cookies() -> tuple[Cookie, ...]:
    """The consent cookie and the cookies that need consent: only when there is something to choose."""
    if not settings.ANALYTICS_GA4_ID:
        return ()
    lifetime = _duration(settings.COOKIE_CONSENT_VALID_DAYS * 86400)
    analytics_set_by = "static/js/analytics.js loads Google's gtag.js, only after consent"
    ga, ga_session = ga4_cookie_names()
    return (
        Cookie(
            name=CONSENT_COOKIE,
            purpose=_(
                "Onthoudt je keuze over cookies (welke categorieën je aanvaardde of weigerde) en de code "
                "van die keuze, zodat we je niet op elke pagina opnieuw vragen."
            ),
            category=str(Category.STRICTLY_NECESSARY),
            lifetime=lifetime,
            set_by="privacy.views.cookie_settings",
        ),
        Cookie(
            name=ga,
            purpose=_(
                "Google Analytics: onderscheidt browsers met een willekeurig nummer, om te tellen hoe de "
                "portal gebruikt wordt."
            ),
            category=str(Category.ANALYTICS),
            lifetime=lifetime,
            set_by=analytics_set_by,
            consent="analytics",
        ),
        Cookie(
            name=ga_session,
            purpose=_("Google Analytics: houdt bij welke pagina's bij één bezoek horen."),
            category=str(Category.ANALYTICS),
            lifetime=lifetime,
            set_by=analytics_set_by,
            consent="analytics",
        ),
    )


def consent_cookie_lists() -> dict[str, tuple[str, ...]]:
    """The optional categories offered, each with its cookie names; empty when there is nothing to choose.

    Social media have no cookies (sharing is by plain links); the category is offered with
    analytics so that a button of a network could never set one without asking.
    """
    if not settings.ANALYTICS_GA4_ID:
        return {}
    cookies = portal_cookies()
    return {category: tuple(c.name for c in cookies if c.consent == category) for category in CATEGORIES}


def cookie_names() -> set[str]:
    return {cookie.name for cookie in portal_cookies()}


def cookie_table() -> str:
    """The registry as the table of a policy text (privacy.rendering), in the active language."""
    header = (_("Naam"), _("Waarvoor"), _("Categorie"), _("Hoe lang"))
    rows = [header, *((c.name, c.purpose, c.category, c.lifetime) for c in portal_cookies())]
    return "\n".join("| " + " | ".join(str(cell).replace("|", "/") for cell in row) + " |" for row in rows)
