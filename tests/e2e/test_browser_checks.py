"""The browser checks of tests/e2e/conftest.py catch what they promise, on any page of a test.

Each test here visits a page with a problem (tests/e2e/problem_pages.py, served by the real
stack with the portal's CSP) in the middle of a walk, goes on to clean pages, and reads what its
own ``BrowserChecks`` collected. The last test runs a browser test in a separate pytest process
to show that the real ``page`` fixture makes such a test fail, with the list.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import BrowserChecks, login
from tests.e2e.problem_pages import LOGGED_ON_PURPOSE, THROWN_ON_PURPOSE
from tests.factories import DEFAULT_PASSWORD, ProfileFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def watched(settings, chromium, live_server):
    """A page on the portal plus the problem pages, watched by a ``BrowserChecks`` the test reads."""
    settings.ROOT_URLCONF = "tests.e2e.problem_pages"
    checks = BrowserChecks(origin=live_server.url)
    context = chromium.new_context(checks, base_url=live_server.url, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield checks, page
    context.close()


def _walk_on_to_clean_pages(page):
    """Log in and open the profile: several clean pages after the problem page."""
    ProfileFactory(user__email="controle@example.be", first_name="Katrien")
    login(page, "controle@example.be", DEFAULT_PASSWORD)
    page.get_by_role("heading", name="Welkom, Katrien").wait_for()
    page.get_by_role("link", name="Mijn gegevens").click()
    page.get_by_role("heading", name="Mijn gegevens").wait_for()


def _failure(checks) -> str:
    with pytest.raises(AssertionError) as failure:
        checks.verify()
    return str(failure.value)


def test_csp_violations_of_an_earlier_page_are_reported_after_clean_pages(watched):
    checks, page = watched
    page.goto("/accounts/aanmelden/")
    page.goto("/__checks/inline/")
    assert page.title() == "Checks"  # the inline script was blocked indeed
    _walk_on_to_clean_pages(page)

    problems = checks.collected()
    assert {p.page for p in problems} == {"/__checks/inline/"}
    violations = [p.detail for p in problems if p.kind == "CSP violation"]
    assert len(violations) == 2, problems
    assert any(v.startswith("script-src-elem blocked inline") for v in violations), violations
    assert any(v.startswith("style-src-attr blocked inline") for v in violations), violations
    report = _failure(checks)
    assert report.startswith("The browser reported ")
    assert "  - CSP violation on /__checks/inline/: script-src-elem blocked inline" in report


def test_serious_accessibility_violations_are_reported_per_page_and_width(watched):
    checks, page = watched
    page.goto("/accounts/aanmelden/")
    checks.accessibility(page)  # a page of the portal: nothing serious
    page.goto("/__checks/inaccessible/")
    checks.accessibility(page)
    checks.accessibility(page)  # checked once per page and width
    _walk_on_to_clean_pages(page)
    checks.accessibility(page)

    found = {(p.kind, p.detail.split(" ")[0]) for p in checks.collected()}
    assert found == {("accessibility (critical)", "image-alt"), ("accessibility (critical)", "label")}, found
    assert {p.page for p in checks.collected()} == {"/__checks/inaccessible/"}
    assert "image-alt at 1280 px" in _failure(checks)


def test_console_errors_and_uncaught_exceptions_are_reported(watched):
    checks, page = watched
    page.goto("/__checks/script-errors/")
    _walk_on_to_clean_pages(page)

    problems = checks.collected()
    assert [(p.kind, p.page) for p in problems] == [
        ("console error", "/__checks/script-errors/"),
        ("page error", "/__checks/script-errors/"),
    ], problems
    assert problems[0].detail.startswith(f"{LOGGED_ON_PURPOSE} (at /__checks/errors.js:")
    assert problems[1].detail == f"uncaught Error: {THROWN_ON_PURPOSE}"
    report = _failure(checks)
    assert f"  - console error on /__checks/script-errors/: {LOGGED_ON_PURPOSE}" in report
    assert f"  - page error on /__checks/script-errors/: uncaught Error: {THROWN_ON_PURPOSE}" in report


def test_failed_requests_and_error_responses_are_reported(watched):
    checks, page = watched
    page.route("**/__checks/aborted.png", lambda route: route.abort())
    page.goto("/__checks/missing-resources/")
    _walk_on_to_clean_pages(page)

    problems = checks.collected()
    assert {p.page for p in problems} == {"/__checks/missing-resources/"}
    kinds = {(p.kind, p.detail) for p in problems}
    assert ("HTTP 404", "GET /static/img/bestaat-niet.png (image)") in kinds, problems
    assert ("request failed", "GET /__checks/aborted.png (image): net::ERR_FAILED") in kinds, problems
    # The browser's own console line about the 404 is there too.
    assert any(p.kind == "console error" and "status of 404" in p.detail for p in problems), problems
    assert "  - HTTP 404 on /__checks/missing-resources/: GET /static/img/bestaat-niet.png" in _failure(
        checks
    )


def test_an_error_page_the_test_declares_is_allowed(watched):
    checks, page = watched
    checks.expect_status("/__checks/not-found/", 404)
    response = page.goto("/__checks/not-found/")
    assert response.status == 404
    _walk_on_to_clean_pages(page)

    assert checks.collected() == []
    checks.verify()


def test_a_declaration_names_one_status_and_must_come_true(watched):
    checks, page = watched
    checks.expect_status("/__checks/not-found/", 410)  # the page answers 404, not 410
    checks.expect_status("/accounts/profiel/", 400)  # never posted here
    page.goto("/__checks/not-found/")
    _walk_on_to_clean_pages(page)

    problems = checks.collected()
    assert {(p.kind, p.page) for p in problems} == {
        ("HTTP 404", "/__checks/not-found/"),
        ("console error", "/__checks/not-found/"),
        ("expected response not seen", "/__checks/not-found/"),
        ("expected response not seen", "/accounts/profiel/"),
    }, problems
    assert "  - expected response not seen on /accounts/profiel/: HTTP 400 was declared" in _failure(checks)


@pytest.mark.slow
def test_a_browser_test_fails_when_any_of_its_pages_has_a_problem():
    """Run tests/e2e/failing_on_purpose.py in its own pytest process (its own test database)."""
    env = {**os.environ, "ILUSMART_TEST_DB": os.environ.get("ILUSMART_TEST_DB", "test_ilusmart") + "_inner"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/e2e/failing_on_purpose.py", "-p", "no:cacheprovider", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "1 failed, 1 passed" in output, output
    assert "FAILED tests/e2e/failing_on_purpose.py::test_a_problem_page_between_clean_pages" in output, output
    assert "The browser reported " in output, output
    assert "  - CSP violation on /__checks/inline/: script-src-elem blocked inline" in output, output
