"""The public policy pages: /privacy/ and /cookies/, the current version and every earlier one."""

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from consents.models import CookieConsent
from consents.selectors.cookies import cookie_choice_current, cookie_consent_find
from consents.services.cookies import (
    cookie_consent_cookie_value,
    cookie_consent_record,
    cookie_consent_withdraw,
)
from ilusmart.errors import ApplicationError, http_status
from privacy.cookie_consent import consent_cookie_set, consent_state_after, cookie_policy_version
from privacy.cookies import Category, portal_cookies
from privacy.models import PolicyDocument
from privacy.rendering import policy_html
from privacy.selectors import policy_current, policy_language, policy_versions
from privacy.services.deletion_requests import deletion_request_confirm, request_for_token


def _policy_page(request, kind: str):
    current = policy_current(kind=kind, language=policy_language(get_language()))
    if current is None:
        raise Http404("no published version")
    versions = list(policy_versions(kind=current.kind, language=current.language))
    requested = request.GET.get("versie")
    if requested is None:
        document = current
    else:
        document = next((v for v in versions if str(v.version) == requested.strip()), None)
        if document is None:
            raise Http404("no such version")
    context = {
        "document": document,
        "body": policy_html(document.body),
        "is_current": document == current,
        "current": current,
        "earlier": [v for v in versions if v != current],
        "other_language": document.language != policy_language(get_language()),
    }
    return render(request, "privacy/policy.html", context)


@require_GET
def privacy_statement(request):
    return _policy_page(request, PolicyDocument.Kind.PRIVACY)


@require_GET
def cookie_policy(request):
    return _policy_page(request, PolicyDocument.Kind.COOKIES)


# --- Cookie settings: the choice (banner, settings page, footer), kept as a consent record -------

_CHOICES = ("accept_all", "reject_all", "save")


def _safe_next(request, target: str | None) -> str:
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return reverse("privacy:cookie_settings")


def _cookie_choice_save(request):
    state = request.cookie_consent
    if not state.offered:
        messages.info(
            request, _("Er is niets te kiezen: de portal zet alleen noodzakelijke en functionele cookies.")
        )
        return redirect("privacy:cookie_settings")
    choice, via = request.POST.get("choice"), request.POST.get("via", CookieConsent.Via.SETTINGS)
    if choice not in _CHOICES or via not in CookieConsent.Via.values:
        return HttpResponseBadRequest(_("Kies 'Alles weigeren', 'Alles aanvaarden' of 'Keuze bewaren'."))
    lists = state.cookie_lists
    if choice == "save":
        choices = {category: request.POST.get(category) == "on" for category in lists}
    else:
        choices = dict.fromkeys(lists, choice == "accept_all")
    try:
        if choice == "reject_all" and state.any_accepted:
            consent = cookie_consent_withdraw(
                user=request.user,
                cookie_lists=lists,
                policy_version=cookie_policy_version(),
                via=via,
                previous=state.choice,
            )
        else:
            consent = cookie_consent_record(
                user=request.user,
                choices=choices,
                cookie_lists=lists,
                policy_version=cookie_policy_version(),
                via=via,
                previous=state.choice,
            )
    except ApplicationError as error:
        return HttpResponse(
            error.message, status=http_status(error), content_type="text/plain; charset=utf-8"
        )
    value = cookie_consent_cookie_value(consent=consent)
    # The response already follows the new choice: withdrawn categories' cookies are deleted by
    # the middleware (privacy.cookie_consent), and Google's hosts leave the CSP.
    request.cookie_consent = consent_state_after(
        request, cookie_choice_current(cookie_value=value, cookie_lists=lists)
    )
    if consent.action == CookieConsent.Action.WITHDRAWAL:
        messages.success(request, _("Je toestemming is ingetrokken en de cookies ervan zijn verwijderd."))
    else:
        messages.success(request, _("Je keuze is bewaard."))
    response = redirect(_safe_next(request, request.POST.get("next")))
    consent_cookie_set(response, value)
    return response


@require_http_methods(["GET", "POST"])
def cookie_settings(request):
    """Cookie-instellingen: which cookies per category, the choice in force, and the form to change it."""
    if request.method == "POST":
        return _cookie_choice_save(request)
    state = request.cookie_consent
    cookies = portal_cookies()
    categories = [
        {
            "key": key,
            "title": title,
            "always_on": key in ("necessary", "functional"),
            "accepted": state.choice is not None and state.choice.allows(key),
            "cookies": [c for c in cookies if match(c)],
        }
        for key, title, match in (
            ("necessary", _("Strikt noodzakelijk"), lambda c: c.category == str(Category.STRICTLY_NECESSARY)),
            ("functional", _("Functioneel"), lambda c: c.category == str(Category.FUNCTIONAL)),
            ("analytics", _("Analytisch (Google Analytics)"), lambda c: c.consent == "analytics"),
            ("social_media", _("Sociale media"), lambda c: c.consent == "social_media"),
        )
        if key in ("necessary", "functional") or key in state.cookie_lists
    ]
    record = cookie_consent_find(consent_id=state.choice.consent_id) if state.choice else None
    return render(
        request,
        "privacy/cookie_settings.html",
        {"state": state, "categories": categories, "record": record},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def deletion_confirm(request, token):
    """The link of a deletion request's confirmation mail: GET shows what was asked, POST confirms.

    A GET changes nothing (mail scanners open links); the POST confirms once and executes a
    clear request at once (privacy.services.deletion_requests).
    """
    try:
        if request.method == "POST":
            deletion = deletion_request_confirm(token=token)
            state = "done"
        else:
            deletion = request_for_token(token=token)
            state = "ask"
    except ApplicationError as error:
        context = {"state": "refused", "message": error.message}
        return render(request, "privacy/deletion_confirm.html", context, status=http_status(error))
    return render(request, "privacy/deletion_confirm.html", {"state": state, "deletion": deletion})
