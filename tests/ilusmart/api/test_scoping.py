"""Every API route is scoped to its caller: another person's EAN, token or mandate reads as 404.

Walks the API's URL patterns (namespace ``api``). Each route must have a line in ``ROUTES``
saying how it is checked, so a new route without one fails ``test_every_api_route_is_covered``.

- Routes with an object in the path (``ean``, ``token_id``): homeowner B asks for homeowner A's
  object with GET and every write method (POST, PUT, PATCH, DELETE), with a bearer token and
  with a session: each answers 404, or 405 for a method the route does not have (and at least
  the route's own methods answer 404). As a control, A gets no 404 on the same URL.
- Lists: B's answer holds none of A's objects, with a token and with a session.
- ``mandates`` POST: A's EAN in the body is a 404 for B.
- ``me``: B reads and changes only B's profile.
- ``token``, ``schema``, ``docs``: public (logging in; the schema and its page).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import ApiToken, Profile
from tests.factories import MandateFactory, MeterFactory, ProfileFactory, UserFactory, covering_mandate

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
QUERY = {
    "api:readings": "?from=2025-06-01&to=2025-06-02&resolution=quarter_hour",
    "api:battery": "?from=2025-06&capacity_kwh=5&power_kw=2.5",
}

ROUTES = {
    "api:meter": "object",
    "api:readings": "object",
    "api:capacity": "object",
    "api:battery": "object",
    "api:token_revoke": "object",
    "api:meters": "list",
    "api:mandates": "list",
    "api:faults": "list",
    "api:tokens": "list",
    "api:me": "me",
    "api:communications": "me",
    "api:pause": "me",  # tests/privacy/test_api.py: about the caller only, nothing in the path or body names another
    "api:deletion_request": "me",
    "api:export": "me",
    "api:token": "public",
    "api:schema": "public",
    "api:docs": "public",
    "api:not_found": "public",  # every other path under /api/v1/: a JSON 404
}
FILL = {"ean": lambda owner: owner.meter.ean, "token_id": lambda owner: owner.token.pk}


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: frozenset[str]
    methods: frozenset[str]


def _walk(patterns, namespaces=()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(
                entry.url_patterns, (*namespaces, entry.namespace) if entry.namespace else namespaces
            )
        elif isinstance(entry, URLPattern) and "api" in namespaces:
            view = getattr(entry.callback, "view_class", None)
            methods = {m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}
            yield Route(
                ":".join((*namespaces, entry.name)),
                frozenset(entry.pattern.regex.groupindex),
                frozenset(methods),
            )


def api_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def test_every_api_route_is_covered():
    names = {r.name for r in api_routes()}
    assert names == set(ROUTES), f"teach {__file__} about: {sorted(names - set(ROUTES))}"
    for route in api_routes():
        assert route.kwargs <= FILL.keys(), (route.name, route.kwargs)
        assert bool(route.kwargs) == (ROUTES[route.name] == "object"), route.name


@dataclass
class Homeowner:
    user: object
    meter: object
    mandate: object
    token: ApiToken
    raw: str


@pytest.fixture
def homeowners(api_token):
    def make() -> Homeowner:
        user = UserFactory()
        ProfileFactory(user=user)
        meter = MeterFactory(owner=user)
        mandate = covering_mandate(meter)
        raw = api_token(user)
        return Homeowner(user, meter, mandate, ApiToken.objects.get(user=user), raw)

    return make(), make()


def _as(client, how: str, owner: Homeowner) -> dict:
    """Log ``client`` in as ``owner`` by session, or return the bearer header."""
    client.logout()
    if how == "session":
        client.force_login(owner.user)
        return {}
    return {"HTTP_AUTHORIZATION": f"Bearer {owner.raw}"}


def _call(client, method: str, url: str, headers: dict, body: dict | None = None):
    return client.generic(method, url, json.dumps(body or {}), content_type="application/json", **headers)


HOW = ("token", "session")


@pytest.mark.django_db
@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize(
    "route", [r for r in api_routes() if ROUTES.get(r.name) == "object"], ids=lambda r: r.name
)
def test_another_homeowners_object_is_404(client, homeowners, route, how):
    owner, other = homeowners
    url = reverse(route.name, kwargs={k: FILL[k](owner) for k in route.kwargs}) + QUERY.get(route.name, "")

    headers = _as(client, how, other)
    statuses = {method: _call(client, method, url, headers).status_code for method in ("GET", *WRITE_METHODS)}
    assert set(statuses.values()) <= {404, 405}, (url, statuses)
    assert all(statuses[m] == 404 for m in route.methods), (url, statuses)

    owner_headers = _as(client, how, owner)
    method = "GET" if "GET" in route.methods else sorted(route.methods)[0]
    assert _call(client, method, url, owner_headers).status_code != 404, (url, "the owner gets 404 too")
    assert ApiToken.objects.filter(pk=owner.token.pk).exists() or route.name == "api:token_revoke"


@pytest.mark.django_db
@pytest.mark.parametrize("how", HOW)
def test_lists_hold_only_the_callers_own(client, homeowners, how):
    owner, other = homeowners
    from meters.models import Fault

    Fault.objects.create(meter=owner.meter, type=Fault.Type.FEED_STALE, started="2025-06-01")
    MandateFactory(user=other.user, ean=other.meter.ean)
    headers = _as(client, how, other)
    listed = {
        name: json.dumps(_call(client, "GET", reverse(name), headers).json())
        for name, kind in ROUTES.items()
        if kind == "list"
    }
    for name, text in listed.items():
        assert owner.meter.ean not in text, name
        assert owner.mandate.reference_number not in text, name
        assert (
            owner.token.device not in text or name != "api:tokens" or owner.token.device == other.token.device
        )
    tokens = _call(client, "GET", reverse("api:tokens"), headers).json()["results"]
    assert {t["id"] for t in tokens} == {other.token.pk}
    assert other.meter.ean in listed["api:meters"]
    # Control: the owner sees their own.
    owner_headers = _as(client, how, owner)
    assert owner.meter.ean in json.dumps(_call(client, "GET", reverse("api:faults"), owner_headers).json())


@pytest.mark.django_db
@pytest.mark.parametrize("how", HOW)
def test_starting_a_mandate_for_another_homeowners_meter_is_404(client, homeowners, how):
    owner, other = homeowners
    headers = _as(client, how, other)
    response = _call(client, "POST", reverse("api:mandates"), headers, {"ean": owner.meter.ean})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize("how", HOW)
def test_me_reads_and_changes_only_the_callers_profile(client, homeowners, how):
    owner, other = homeowners
    headers = _as(client, how, other)
    assert _call(client, "GET", reverse("api:me"), headers).json()["email"] == other.user.email
    response = _call(
        client, "PATCH", reverse("api:me"), headers, {"municipality": "Brugge", "postal_code": "8000"}
    )
    assert response.status_code == 200, response.content
    assert Profile.objects.get(user=other.user).municipality == "Brugge"
    assert Profile.objects.get(user=owner.user).municipality == "Gent"


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n, kind in ROUTES.items() if kind != "public"])
def test_anonymous_callers_get_401(client, homeowners, name):
    owner, _other = homeowners
    route = next(r for r in api_routes() if r.name == name)
    url = reverse(name, kwargs={k: FILL[k](owner) for k in route.kwargs})
    for method in route.methods:
        response = _call(client, method, url, {})
        assert response.status_code == 401, (url, method)
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["error"]["code"] == "not_authenticated"
