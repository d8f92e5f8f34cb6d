"""Browser tests: Playwright driving Debian's chromium against pytest-django's live server.

Every page a test gets (``page``, ``phone_page``) is watched for the whole test, across every
navigation, by one ``BrowserChecks``: console errors, uncaught exceptions, failed requests (not
those the browser cancels itself because the page moved on), HTTP errors (status >= 400) from
our own server or on any navigation, and Content Security Policy violations. When the test body
ends, the test fails with the list of what was seen. There is no way to get a page without it:
the session's chromium is only handed out as a ``CheckedBrowser``, whose contexts are always
watched. tests/e2e/test_browser_checks.py shows each kind being caught.

A test that means to see an error page says which one: ``browser_checks.expect_status(path,
status)``; that response (and the browser's console line about it) is then allowed, and the
test fails if it never happens.
"""

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (set-up, assertions) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"

# The binding a page calls on each `securitypolicyviolation` event. The init script is run by the
# browser itself in every document of the context (outside the page's CSP), and the binding
# lives in the context, so nothing is lost when the page navigates.
CSP_BINDING = "__browserChecksCspViolation"
CSP_LISTENER = f"""
document.addEventListener('securitypolicyviolation', (e) => {{
  window.{CSP_BINDING}({{
    directive: e.effectiveDirective || e.violatedDirective,
    blocked: e.blockedURI,
    source: e.sourceFile,
    line: e.lineNumber,
    sample: e.sample,
  }});
}});
"""
# Let the page run what it has queued (violation events are fired from a task) and answer.
SETTLE = "() => new Promise((resolve) => setTimeout(() => resolve(true), 0))"
# axe-core, pinned in package.json and installed from npm at set-up, evaluated in the page by
# Playwright (through the DevTools protocol, so the page's CSP does not apply to it).
AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
    resultTypes: ['violations'],
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  targets: v.nodes.slice(0, 3).map((n) => n.target.join(' '))}));
}"""
# Django's own admin is not ours to restyle, nor is Swagger UI (the API's developer docs page,
# drf-spectacular-sidecar: nested buttons in its operation rows); every other page is checked.
AXE_SKIP_PREFIXES = ("/beheer/", "/admin/", "/api/v1/docs/")


@dataclass(frozen=True)
class BrowserProblem:
    """One thing a page did that a browser test never accepts unless it said so."""

    kind: str  # "CSP violation", "console error", "page error", "request failed", "HTTP 404", …
    page: str  # the document it happened on (for a navigation: the URL it went to)
    detail: str


class BrowserChecks:
    """Collects the problems of every page in the contexts it watches, for a whole test."""

    def __init__(self, origin: str):
        self.origin = origin.rstrip("/")
        self.problems: list[BrowserProblem] = []
        self._contexts = []
        self._expected: dict[tuple[str, int], int] = {}  # (path, status) -> times seen
        self._axe_checked: set[tuple[str, int]] = set()  # (page, viewport width) already checked

    # --- set-up ------------------------------------------------------------------------------

    def watch(self, context) -> None:
        """Watch every page, request and response of ``context`` from now on."""
        context.expose_binding(CSP_BINDING, self._on_csp_violation)
        context.add_init_script(CSP_LISTENER)
        context.on("console", self._on_console)
        context.on("weberror", self._on_page_error)
        context.on("requestfailed", self._on_request_failed)
        context.on("response", self._on_response)
        self._contexts.append(context)

    def expect_status(self, path: str, status: int) -> None:
        """Allow one named error response of our server, e.g. ``("/bestaat-niet/", 404)``.

        ``path`` is matched against the URL's path (and query, if ``path`` has one). The
        response must happen: a declared status that is never seen is a problem too.
        """
        if status < 400:
            raise ValueError(f"only error statuses need declaring, not {status}")
        self._expected.setdefault((path, status), 0)

    # --- what the browser reports ------------------------------------------------------------

    def _short(self, url: str) -> str:
        return url[len(self.origin) :] if url.startswith(self.origin + "/") else url

    def _add(self, kind: str, page: str, detail: str) -> None:
        self.problems.append(BrowserProblem(kind, self._short(page), detail))

    def _on_csp_violation(self, source, violation: dict) -> None:
        where = violation.get("source") or source["frame"].url
        line = violation.get("line")
        detail = f"{violation.get('directive')} blocked {violation.get('blocked') or '?'}"
        if violation.get("sample"):
            detail += f" ({violation['sample']!r})"
        detail += f" at {self._short(where)}{f':{line}' if line else ''}"
        self._add("CSP violation", source["frame"].url, detail)

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        location = message.location or {}
        if self._expected_console(message.text, location.get("url", "")):
            return
        page = message.page.url if message.page else location.get("url", "?")
        at = location.get("url")
        line = location.get("lineNumber", 0) + 1  # Playwright counts lines from 0
        detail = message.text + (f" (at {self._short(at)}:{line})" if at else "")
        self._add("console error", page, detail)

    def _on_page_error(self, web_error) -> None:
        page = web_error.page.url if web_error.page else "?"
        self._add("page error", page, f"uncaught {web_error.error.name}: {web_error.error.message}")

    def _on_request_failed(self, request) -> None:
        if request.failure == "net::ERR_ABORTED":
            return  # cancelled by the browser: the page went on to another one, or to a download
        self._add(
            "request failed",
            self._frame_url(request),
            f"{request.method} {self._short(request.url)} ({request.resource_type}): {request.failure}",
        )

    def _on_response(self, response) -> None:
        request = response.request
        ours = response.url.startswith(self.origin + "/")
        if response.status < 400 or not (ours or request.is_navigation_request()):
            return
        if ours and self._expected_response(response.url, response.status):
            return
        self._add(
            f"HTTP {response.status}",
            self._frame_url(request),
            f"{request.method} {self._short(response.url)} ({request.resource_type})",
        )

    @staticmethod
    def _frame_url(request) -> str:
        """The document a request belongs to (a navigation belongs to the page it opens)."""
        if request.is_navigation_request():
            return request.url
        try:
            return request.frame.url or request.url
        except PlaywrightError:  # a request of a service worker has no frame
            return request.url

    def _matches(self, url: str, path: str) -> bool:
        parts = urlsplit(url)
        return (parts.path + (f"?{parts.query}" if "?" in path else "")) == path

    def _expected_response(self, url: str, status: int) -> bool:
        for path, expected_status in self._expected:
            if expected_status == status and self._matches(url, path):
                self._expected[(path, expected_status)] += 1
                return True
        return False

    def _expected_console(self, text: str, url: str) -> bool:
        # Chromium adds "Failed to load resource: the server responded with a status of 404 (Not
        # Found)" for every error response; for a declared one that line is expected too.
        return url.startswith(self.origin + "/") and any(
            f"status of {status} " in text and self._matches(url, path) for path, status in self._expected
        )

    # --- the verdict -------------------------------------------------------------------------

    def settle(self) -> None:
        """Let every open page deliver what it has queued (a violation fired just now)."""
        for context in self._contexts:
            for page in context.pages:
                if page.is_closed():
                    continue
                # A page that is navigating or gone: its events already came or never will.
                with contextlib.suppress(PlaywrightError):
                    page.evaluate(SETTLE)

    def collected(self) -> list[BrowserProblem]:
        """Everything seen so far, with declared error responses that never came."""
        self.settle()
        unseen = [
            BrowserProblem("expected response not seen", path, f"HTTP {status} was declared but never came")
            for (path, status), seen in self._expected.items()
            if not seen
        ]
        # Chromium also logs each CSP violation to the console, at length; on a page whose
        # violations came through the event, those console lines would only repeat them.
        violated = {p.page for p in self.problems if p.kind == "CSP violation"}
        problems = [
            p
            for p in self.problems
            if not (
                p.kind == "console error" and "Content Security Policy" in p.detail and p.page in violated
            )
        ]
        return [*problems, *unseen]

    def accessibility(self, page) -> None:
        """Run axe-core on ``page`` (one of ours, not the admin): serious or critical violations are problems."""
        url = page.url
        if not url.startswith(self.origin + "/") or self._short(url).startswith(AXE_SKIP_PREFIXES):
            return
        key = (self._short(url), page.viewport_size["width"] if page.viewport_size else 0)
        if key in self._axe_checked:
            return
        self._axe_checked.add(key)
        page.wait_for_load_state("load")
        if not page.evaluate("() => typeof axe !== 'undefined'"):
            page.evaluate(AXE_SOURCE.read_text())
        for violation in page.evaluate(AXE_RUN):
            self._add(
                f"accessibility ({violation['impact']})",
                url,
                f"{violation['id']} at {key[1]} px: {violation['help']} — {', '.join(violation['targets'])}",
            )

    def accessibility_of_open_pages(self) -> None:
        for context in self._contexts:
            for page in context.pages:
                if not page.is_closed():
                    self.accessibility(page)

    def report(self) -> str:
        """A readable list of the problems, or "" when there are none."""
        problems = self.collected()
        if not problems:
            return ""
        lines = [f"The browser reported {len(problems)} problem(s) on the pages of this test:"]
        lines += [f"  - {p.kind} on {p.page}: {p.detail}" for p in problems]
        if any(p.kind.startswith("HTTP ") for p in problems):
            lines.append(
                "A test that means to see an error response declares it: browser_checks.expect_status(path, status)."
            )
        return "\n".join(lines)

    def verify(self) -> None:
        """Fail (AssertionError) with the readable list if anything was collected."""
        report = self.report()
        if report:
            raise AssertionError(report)


class CheckedBrowser:
    """The session's chromium; every context it makes is watched by a ``BrowserChecks``."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, checks: BrowserChecks, **options):
        context = self._browser.new_context(**options)
        checks.watch(context)
        return context


CHECKS = pytest.StashKey[BrowserChecks]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a browser test whose pages reported a problem; list them on any failure."""
    checks = item.stash.get(CHECKS, None)
    try:
        result = yield
        if checks is not None:
            checks.accessibility_of_open_pages()  # the page each test ends on
    except (Exception, pytest.fail.Exception) as failure:
        report = checks.report() if checks is not None else ""
        if report:
            failure.add_note(report)
        raise
    report = checks.report() if checks is not None else ""
    if report:
        pytest.fail(report, pytrace=False)
    return result


@pytest.fixture(scope="session")
def chromium():
    """The session's Debian chromium, handed out only as a ``CheckedBrowser``."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Debian's chromium is needed for browser tests (apt-get install chromium); not at {CHROMIUM}"
        )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield CheckedBrowser(browser)
        browser.close()


@pytest.fixture
def browser_checks(request, live_server):
    """The test's one ``BrowserChecks``; ``page`` and ``phone_page`` are watched by it."""
    checks = BrowserChecks(origin=live_server.url)
    request.node.stash[CHECKS] = checks
    return checks


def _checked_page(chromium, checks, live_server, **options):
    context = chromium.new_context(checks, base_url=live_server.url, locale="nl-BE", **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.fixture
def page(chromium, live_server, browser_checks):
    context, page = _checked_page(
        chromium, browser_checks, live_server, viewport={"width": 1280, "height": 900}
    )
    yield page
    context.close()


@pytest.fixture
def phone_page(chromium, live_server, browser_checks):
    """A 375-px-wide phone viewport."""
    context, page = _checked_page(
        chromium,
        browser_checks,
        live_server,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    yield page
    context.close()


@pytest.fixture
def screenshot(browser_checks):
    """Save a full-page screenshot under test-artifacts/screenshots/<name>.png; axe-core checks the page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        browser_checks.accessibility(page)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


CHART_STATE = """() => {
  const el = document.querySelector('[data-chart]');
  const chart = window.echarts && echarts.getInstanceByDom(el);
  if (!chart) { return null; }
  const option = chart.getOption();
  const values = (s) => s.data.map((d) => (d !== null && typeof d === 'object' ? d.value : d));
  return {
    canvas: !!el.querySelector('canvas'),
    labels: option.xAxis[0].data.length,
    offtake: values(option.series[0]).filter((v) => v !== null && v !== undefined).length,
    injection: values(option.series[1]).filter((v) => v !== null && v !== undefined).length,
    legend: option.legend[0].data,
    // How the value axis writes 1234.5 (ticks are numbers in the page's language).
    axis: (option.yAxis[0].axisLabel.formatter || String)(1234.5),
  };
}"""


def drawn_chart(page) -> dict:
    """Wait for the page's ECharts chart to be drawn; return what it shows (see CHART_STATE)."""
    page.wait_for_function("() => document.querySelector('[data-chart].is-drawn canvas') !== null")
    return page.evaluate(CHART_STATE)


def login(page, email, password):
    page.goto("/accounts/aanmelden/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Aanmelden").click()
