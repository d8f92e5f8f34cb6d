"""Chromium obeys the Permissions-Policy, and its CSP reports reach our endpoint (issue 9, item 8).

The ``page`` fixture's checks fail the test on any console error, so a feature name Chromium
does not know in ``PERMISSIONS_POLICY`` (it logs one per unknown name) fails here too.
"""

import json
import logging
import time

import pytest

from tests.e2e.conftest import BrowserChecks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DENIED = ["camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "display-capture"]


def test_the_browser_denies_the_features_we_do_not_use(page):
    page.goto("/accounts/aanmelden/")
    allowed = page.evaluate(
        "(features) => features.map((f) => [f, document.featurePolicy.allowsFeature(f)])", DENIED
    )
    assert allowed == [[feature, False] for feature in DENIED]
    # what the page may still use
    assert page.evaluate("document.featurePolicy.allowsFeature('clipboard-write')") is True


def test_a_real_violation_report_is_read_and_logged(settings, chromium, live_server, caplog):
    """Chromium's own report-uri body reaches /csp-rapport/ and is logged (204, not a 400).

    The Reporting API (report-to) batches reports for up to a minute or more, so this test takes
    the report-uri path only: the same endpoint, Chromium's real body and content type.
    """
    caplog.set_level(logging.WARNING, logger="ilusmart.csp")
    settings.ROOT_URLCONF = "tests.e2e.problem_pages"
    settings.SECURE_CSP = {k: v for k, v in settings.SECURE_CSP.items() if k != "report-to"}
    checks = BrowserChecks(origin=live_server.url)  # not verified: the violations are on purpose
    context = chromium.new_context(checks, base_url=live_server.url, locale="nl-BE")
    try:
        page = context.new_page()
        page.goto("/__checks/inline/")
        deadline = time.monotonic() + 30
        logged = []
        while time.monotonic() < deadline and len(logged) < 2:
            page.wait_for_timeout(200)
            logged = [r for r in caplog.records if r.name == "ilusmart.csp"]
    finally:
        context.close()
    violations = [json.loads(r.getMessage().removeprefix("CSP violation ")) for r in logged]
    assert {v["directive"] for v in violations} == {"script-src-elem", "style-src-attr"}
    assert {v["document"] for v in violations} == {f"{live_server.url}/__checks/inline/"}
