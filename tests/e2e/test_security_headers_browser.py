"""Chromium obeys the Permissions-Policy (issue 9, item 8).

The ``page`` fixture's checks fail the test on any console error, so a feature name Chromium
does not know in ``PERMISSIONS_POLICY`` (it logs one per unknown name) fails here too.
"""

import pytest

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
