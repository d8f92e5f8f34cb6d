"""Pages of a logged-in person are never stored by a browser or proxy cache (issue 8, item 3).

Walks every URL pattern of the portal (``get_resolver()``, like tests/test_isolation.py), so a
new page cannot skip it: each is requested by a logged-in homeowner with their own objects, and
every answer (a page, a redirect, a 404, a 405) must carry ``Cache-Control: no-store``.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import MandateFactory, MeterFactory, ProfileFactory

FILL = {
    "meter_id": lambda o: o["meter"].pk,
    "reference": lambda o: o["mandate"].reference_number,
    "day": lambda o: "2025-06-14",
    "month": lambda o: "2025-06",
    "year": lambda o: "2025",
    "token": lambda o: "niet-een-echte-token",
    "uidb64": lambda o: "MQ",
    "ean": lambda o: o["meter"].ean,  # the API (ilusmart/api)
    "token_id": lambda o: 1,
}
STAFF_NAMESPACES = {"admin"}


def _routes(patterns, namespaces=(), kwargs=frozenset()):
    for entry in patterns:
        entry_kwargs = kwargs | frozenset(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _routes(entry.url_patterns, inner, entry_kwargs)
        elif isinstance(entry, URLPattern) and entry.name and not STAFF_NAMESPACES & set(namespaces):
            yield ":".join((*namespaces, entry.name)), entry_kwargs


def portal_routes():
    return sorted(set(_routes(get_resolver().url_patterns)))


def test_the_walk_finds_the_personal_pages():
    names = {name for name, _kwargs in portal_routes()}
    assert {"home", "accounts:profile", "meters:list", "meters:dashboard", "meters:export"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), portal_routes(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_page_of_a_logged_in_homeowner_says_no_store(client, name, kwargs):
    user = ProfileFactory().user
    meter = MeterFactory(owner=user)
    objects = {"meter": meter, "mandate": MandateFactory(user=user, ean=meter.ean)}
    client.force_login(user)
    url = reverse(name, kwargs={k: FILL[k](objects) for k in kwargs})
    response = client.get(url)
    assert "no-store" in response.get("Cache-Control", ""), (url, response.status_code)
    assert "private" in response["Cache-Control"], url


@pytest.mark.django_db
def test_an_anonymous_public_page_may_be_cached(client):
    response = client.get(reverse("accounts:sign_up"))
    assert "no-store" not in response.get("Cache-Control", "")
