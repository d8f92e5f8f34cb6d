"""A URLconf for tests/e2e/test_browser_checks.py: the portal's URLs plus pages with problems.

The problem pages are served by the real stack (middleware, CSP header and all), so what the
browser reports about them is what it would report about a broken template of the portal.
"""

from django.http import HttpResponse, HttpResponseNotFound
from django.urls import include, path

PROBLEM_PREFIX = "/__checks/"
LOGGED_ON_PURPOSE = "checks: logged on purpose"
THROWN_ON_PURPOSE = "checks: thrown on purpose"


def _document(body: str, title: str = "Checks") -> str:
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        f'<title>{title}</title><link rel="icon" href="data:,"></head><body>{body}</body></html>'
    )


def inline_code(request):
    """An inline script and an inline style: the CSP (script-src/style-src 'self') blocks both."""
    return HttpResponse(
        _document('<p style="color: red">Inline</p><script>document.title = "ran inline";</script>')
    )


def script_errors(request):
    """A script the CSP allows (same origin) that logs an error and throws."""
    return HttpResponse(_document(f'<script src="{PROBLEM_PREFIX}errors.js"></script><p>Errors</p>'))


def errors_js(request):
    return HttpResponse(
        f'console.error("{LOGGED_ON_PURPOSE}");\nthrow new Error("{THROWN_ON_PURPOSE}");\n',
        content_type="text/javascript",
    )


def missing_resources(request):
    """An image that is not there (404) and one whose request the test aborts."""
    return HttpResponse(
        _document(
            f'<img src="/static/img/bestaat-niet.png" alt=""><img src="{PROBLEM_PREFIX}aborted.png" alt="">'
        )
    )


def inaccessible(request):
    """An image without a text alternative and a field without a label: serious for axe-core."""
    return HttpResponse(
        _document('<main><img src="/static/img/favicon.svg"><form><input type="text" name="q"></form></main>')
    )


def clean_not_found(request):
    """A 404 page without problems of its own (it names its icon, so none is fetched)."""
    return HttpResponseNotFound(_document("<h1>Niet gevonden</h1>", title="Niet gevonden"))


urlpatterns = [
    path("__checks/inline/", inline_code),
    path("__checks/script-errors/", script_errors),
    path("__checks/errors.js", errors_js),
    path("__checks/missing-resources/", missing_resources),
    path("__checks/not-found/", clean_not_found),
    path("__checks/inaccessible/", inaccessible),
    path("", include("ilusmart.urls")),
]
