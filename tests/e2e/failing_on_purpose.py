"""Browser tests of which one fails on purpose; run only by tests/e2e/test_browser_checks.py.

The file name does not start with ``test_``, so the suite never collects it by itself. Run on
its own (``pytest tests/e2e/failing_on_purpose.py``) it shows what a browser test whose page
violates the CSP looks like: the first test fails with the list, the second passes.
"""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _problem_pages(settings):
    settings.ROOT_URLCONF = "tests.e2e.problem_pages"


def test_a_problem_page_between_clean_pages(page):
    page.goto("/accounts/aanmelden/")
    page.goto("/__checks/inline/")
    page.goto("/accounts/registreren/")
    page.get_by_role("heading", name="Account maken").wait_for()


def test_clean_pages_only(page):
    page.goto("/accounts/aanmelden/")
    page.goto("/accounts/registreren/")
    page.get_by_role("heading", name="Account maken").wait_for()
