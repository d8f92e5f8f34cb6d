"""A homeowner never reaches another homeowner's meter or mandate, by URL guessing or otherwise.

Walks every URL pattern of the portal (``get_resolver()``, recursively). Each pattern that takes
an owned object (``OWNER_SCOPED_KWARGS``: a meter id or a mandate reference) is requested by
homeowner B with homeowner A's object, by GET and by POST: each must answer 404, or 405 where the
view does not take that method (at least one of the two must be a 404). As a control, A gets
something other than 404 for the same URL, and an anonymous visitor is sent to the login page,
by GET and by POST alike: the login is checked before the method, never a 405 first.

A new URL with a keyword this file does not know makes ``test_every_url_keyword_is_known`` fail:
add how to fill it to ``FILL`` (and to ``OWNER_SCOPED_KWARGS`` if it names an owned object), or,
for a URL that is not about an owned object, to ``NOT_OWNER_SCOPED`` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import MandateFactory, MeterFactory, UserFactory

# How to fill each URL keyword: a callable of the owner's objects, or a fixed string.
FILL = {
    "meter_id": lambda objects: objects.meter.pk,
    "reference": lambda objects: objects.mandate.reference_number,
    "token_id": lambda objects: objects.token.pk,
    "day": "2025-06-14",
    "month": "2025-06",
    "year": "2025",
}
OWNER_SCOPED_KWARGS = {"meter_id", "reference", "token_id"}
# URLs with keywords that do not name an owned object: the token itself is the secret.
NOT_OWNER_SCOPED = {
    "accounts:verify": "e-mail verification token (signed, single use)",
    "accounts:password_reset_confirm": "Django's password-reset uid + token",
    "accounts:email_change_confirm": "random one-time token of an email change (only its digest is stored)",
    "accounts:email_change_cancel": "random token of an email change's cancel link (only its digest is stored)",
    "consents:unsubscribe": "signed unsubscribe token of a message (names its person, channel and topic)",
    "privacy:deletion_confirm": "signed token of a deletion request's confirmation link (single use, only its digest is stored)",
    "privacy:my_data_export_download": (
        "signed token of a download of Mijn gegevens; it names its owner: anyone else gets 404 "
        "(tests/privacy/test_exports.py)"
    ),
}
# Staff only: a homeowner (is_staff=False) is sent to the admin's own login page.
STAFF_NAMESPACES = {"admin"}
# The JSON API answers 401/404 rather than a login redirect: tests/ilusmart/api/test_scoping.py
# walks its routes the same way, with a token and with a session.
API_NAMESPACES = {"api"}


@dataclass(frozen=True)
class Route:
    name: str | None
    route: str
    kwargs: frozenset[str]
    namespaces: tuple[str, ...]


def _walk(patterns, namespaces=(), prefix="", kwargs=frozenset()):
    for entry in patterns:
        entry_kwargs = kwargs | frozenset(entry.pattern.regex.groupindex)
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry.url_patterns, inner, route, entry_kwargs)
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            yield Route(name, route, entry_kwargs, namespaces)


def portal_routes() -> list[Route]:
    """Every URL pattern outside the staff-only admin."""
    return [
        r
        for r in _walk(get_resolver().url_patterns)
        if not (STAFF_NAMESPACES | API_NAMESPACES) & set(r.namespaces)
    ]


def owner_scoped_routes() -> list[Route]:
    return [r for r in portal_routes() if r.kwargs & OWNER_SCOPED_KWARGS]


def test_every_url_keyword_is_known():
    unknown = []
    for route in portal_routes():
        if not route.kwargs or route.name in NOT_OWNER_SCOPED:
            continue
        if route.name is None:
            unknown.append(f"{route.route}: unnamed, cannot be reversed")
        elif not route.kwargs <= FILL.keys():
            unknown.append(f"{route.name} ({route.route}): {sorted(route.kwargs - FILL.keys())}")
    assert not unknown, (
        "URLs this isolation test cannot fill in; teach tests/test_isolation.py about them:\n"
        + "\n".join(unknown)
    )


def test_the_walk_finds_the_meter_pages():
    names = {r.name for r in owner_scoped_routes()}
    assert {"meters:connect", "meters:mandate_return", "meters:capacity_tariff", "meters:export"} <= names


@dataclass
class Homeowner:
    user: object
    meter: object
    mandate: object
    token: object  # a mobile-app token (accounts:api_token_revoke)


def _homeowner() -> Homeowner:
    from accounts.services.api_tokens import api_token_create

    user = UserFactory()
    meter = MeterFactory(owner=user)
    mandate = MandateFactory(user=user, ean=meter.ean)
    return Homeowner(user, meter, mandate, api_token_create(user=user, device="telefoon")[0])


def _url(route: Route, objects: Homeowner) -> str:
    kwargs = {k: (FILL[k](objects) if callable(FILL[k]) else FILL[k]) for k in route.kwargs}
    return reverse(route.name, kwargs=kwargs)


@pytest.fixture
def unreachable_fluvius(settings):
    """Owner requests that reach Fluvius (connect, mandate return) fail at once, offline."""
    settings.FLUVIUS_BASE_URL = "http://127.0.0.1:9/esco"
    settings.FLUVIUS_TOKEN_URL = "http://127.0.0.1:9/token"
    settings.FLUVIUS_MAX_RETRIES = 0
    settings.FLUVIUS_BACKOFF_BASE_SECONDS = 0
    settings.FLUVIUS_TIMEOUT_SECONDS = 2


@pytest.mark.django_db
@pytest.mark.parametrize("route", owner_scoped_routes(), ids=lambda r: r.name or r.route)
def test_another_homeowners_object_is_404(client, route, unreachable_fluvius):
    owner, other = _homeowner(), _homeowner()
    url = _url(route, owner)

    client.force_login(other.user)
    statuses = {"GET": client.get(url).status_code, "POST": client.post(url, {}).status_code}
    assert set(statuses.values()) <= {404, 405}, (url, statuses)
    assert 404 in statuses.values(), (url, statuses)

    # Control: the same URL is real for its owner, and closed to anonymous visitors.
    client.force_login(owner.user)
    owner_status = client.get(url).status_code
    if owner_status == 405:
        owner_status = client.post(url, {}).status_code
    assert owner_status != 404, (url, "the owner gets 404 too: the URL filling is wrong")
    client.logout()
    # Anonymous visitors are sent to the login page whatever the method: every owner-scoped view
    # checks the login before the method (login_required outermost), so none answers 405 to them.
    for method in ("GET", "POST"):
        anonymous = client.generic(method, url)
        assert anonymous.status_code == 302, (url, method, anonymous.status_code)
        assert anonymous["Location"].startswith(reverse("accounts:login") + "?next="), (url, method)
