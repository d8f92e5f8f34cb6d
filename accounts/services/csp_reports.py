"""Content Security Policy violation reports: read what a browser sent, log the violations.

Browsers send reports to ``/csp-rapport/`` (``report-uri`` in the policy, and ``report-to`` with
the ``Reporting-Endpoints`` header; ``accounts.security``) in two shapes:

* ``application/csp-report`` (report-uri, Firefox and Safari): ``{"csp-report": {"document-uri":
  …, "violated-directive": …, "blocked-uri": …, …}}``;
* ``application/reports+json`` (Reporting API, Chromium): a list of ``{"type": "csp-violation",
  "url": …, "body": {"documentURL": …, "effectiveDirective": …, "blockedURL": …, …}}``.

Anyone can post anything here, so everything is outside input: the body is size-limited
before it is read, must be JSON of one of those shapes (else ``CspReportRejected``, a 400), and
only a few known fields are kept, as short strings (URLs without query or fragment: those may
carry tokens or personal data). Each violation is one log line of JSON, so a value with a newline
or a control character cannot forge another line. Nothing is stored in the database.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ilusmart import errors
from ilusmart.errors import ApplicationError

log = logging.getLogger("ilusmart.csp")

CONTENT_TYPES = {"application/csp-report", "application/reports+json", "application/json"}
# A Reporting API body may batch reports; more than this in one body is not a browser's.
MAX_REPORTS_PER_BODY = 20
MAX_VALUE_LENGTH = 300
# Our name for a field → its name in a report-uri body and in a Reporting API body.
FIELDS = {
    "document": ("document-uri", "documentURL"),
    "directive": ("effective-directive", "effectiveDirective"),
    "violated": ("violated-directive", None),
    "blocked": ("blocked-uri", "blockedURL"),
    "disposition": ("disposition", "disposition"),
    "source": ("source-file", "sourceFile"),
    "line": ("line-number", "lineNumber"),
    "column": ("column-number", "columnNumber"),
    "sample": ("script-sample", "sample"),
    "status": ("status-code", "statusCode"),
}
URL_FIELDS = {"document", "blocked", "source"}


class CspReportRejected(ApplicationError):
    """The body is not a CSP report we can read (wrong type, not JSON, wrong shape, too large)."""

    default_code = "csp_report_rejected"


def _url_without_query(value: str) -> str:
    try:
        parts = urlsplit(value)
    except ValueError:
        return value.split("?", 1)[0].split("#", 1)[0]
    if not parts.scheme:
        return value.split("?", 1)[0].split("#", 1)[0]  # "inline", "eval", "data", …
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _clean(name: str, value) -> str | int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if -(2**31) < value < 2**31 else None
    if not isinstance(value, str):
        return None
    if name in URL_FIELDS:
        value = _url_without_query(value)
    return value[:MAX_VALUE_LENGTH]


def _violation(report: dict, *, reporting_api: bool) -> dict:
    violation = {}
    for name, (old_key, new_key) in FIELDS.items():
        key = new_key if reporting_api else old_key
        if key is None or key not in report:
            continue
        value = _clean(name, report[key])
        if value is not None and value != "":
            violation[name] = value
    violated = violation.pop("violated", None)
    if "directive" not in violation and isinstance(violated, str):
        violation["directive"] = violated.split(" ", 1)[0]  # CSP2 browsers: "img-src 'self'"
    if not isinstance(violation.get("directive"), str):
        raise CspReportRejected(_("Een CSP-rapport zonder overtreden richtlijn."), code="csp_report_shape")
    return violation


def csp_report_parse(*, body: bytes, content_type: str) -> list[dict]:
    """The violations in one report body (``CspReportRejected`` when it is not a CSP report).

    Returns one dict per violation with the known fields that were present (document, directive,
    blocked, disposition, source, line, column, sample, status). Reports of other types in a
    Reporting API batch (deprecation, intervention, …) are skipped.
    """
    if content_type not in CONTENT_TYPES:
        raise CspReportRejected(
            _("Een CSP-rapport moet application/csp-report of application/reports+json zijn."),
            code="csp_report_type",
        )
    if len(body) > settings.CSP_REPORT_MAX_BYTES:
        raise CspReportRejected(
            _("Dit CSP-rapport is te groot."), code="csp_report_size", kind=errors.TOO_LARGE
        )
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        # ValueError covers invalid JSON and integers past Python's digit limit; RecursionError
        # a body of deeply nested brackets.
        raise CspReportRejected(
            _("Een CSP-rapport moet geldige JSON zijn."), code="csp_report_json"
        ) from None
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        return [_violation(data["csp-report"], reporting_api=False)]
    if isinstance(data, list) and 0 < len(data) <= MAX_REPORTS_PER_BODY:
        violations = []
        for item in data:
            if not isinstance(item, dict) or not isinstance(item.get("type"), str):
                raise CspReportRejected(_("Een onleesbaar rapport in de lijst."), code="csp_report_shape")
            if item["type"] != "csp-violation":
                continue
            if not isinstance(item.get("body"), dict):
                raise CspReportRejected(_("Een CSP-rapport zonder inhoud."), code="csp_report_shape")
            violation = _violation(item["body"], reporting_api=True)
            if "document" not in violation and isinstance(item.get("url"), str):
                violation["document"] = _clean("document", item["url"])
            violations.append(violation)
        return violations
    raise CspReportRejected(_("Dit is geen CSP-rapport."), code="csp_report_shape")


def csp_reports_record(*, body: bytes, content_type: str) -> list[dict]:
    """Parse one report body (see ``csp_report_parse``) and log each violation as one JSON line."""
    violations = csp_report_parse(body=body, content_type=content_type)
    for violation in violations:
        log.warning("CSP violation %s", json.dumps(violation, sort_keys=True, ensure_ascii=True))
    return violations
