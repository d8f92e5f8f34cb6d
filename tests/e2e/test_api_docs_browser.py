"""The API's documentation page works in a browser with no CDN and under the site's CSP (issue 11).

The ``page`` fixture fails the test on any console error, failed request, HTTP error or CSP
violation, and runs axe-core on the page; Swagger UI must draw every operation of the schema
from our own static files.
"""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_draws_the_schema_from_our_own_files(page, live_server, screenshot):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/v1/docs/")
    page.wait_for_selector(".opblock", timeout=30_000)
    operations = page.locator(".opblock").count()
    assert operations >= 13
    assert page.locator("text=/api/v1/meters/{ean}/readings/").count() >= 1
    assert requested and all(url.startswith(live_server.url) for url in requested), requested
    screenshot(page, "api-docs")
